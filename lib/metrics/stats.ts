/**
 * Small float statistics shared by the metrics. Pure, allocation-light, no NaN out: callers decide what an
 * undefined statistic means (usually null in the Metrics).
 */

/** Arithmetic mean; 0 for an empty array (callers guard the length where it matters). */
export function mean(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  return s / n;
}

/** Sample standard deviation (divisor n - 1); null for fewer than two values. */
export function sampleStd(xs: ArrayLike<number>): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Sample covariance (divisor n - 1) of two equally long arrays; null for fewer than two values. */
export function sampleCov(xs: ArrayLike<number>, ys: ArrayLike<number>): number | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i] - mx) * (ys[i] - my);
  return s / (n - 1);
}

/**
 * A standard deviation this close to zero relative to the mean is rounding noise from a constant series
 * (e.g. 1e-17 from a flat curve), not variance; treat it as zero so ratios become null, not 1e15.
 */
export function isNegligible(std: number, scale: number): boolean {
  return std <= 1e-12 * Math.max(1, Math.abs(scale));
}

/** Replace NaN (and optionally +-Infinity) by null, so nothing undefined leaks into reports. */
export function finiteOrNull(x: number, allowInfinity = false): number | null {
  if (Number.isNaN(x)) return null;
  if (!Number.isFinite(x) && !allowInfinity) return null;
  return x;
}
