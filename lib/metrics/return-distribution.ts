/**
 * Shape and tail of a return distribution: bias-corrected skewness and excess kurtosis (the estimators of
 * pandas' Series.skew/kurt and scipy.stats.skew/kurtosis with bias=False, which quantstats reports), the
 * empirical quantile (numpy.quantile's default "linear" method, Hyndman & Fan type 7), historical
 * value at risk and conditional value at risk (expected shortfall), and fixed-width histogram bins.
 * Pure; NaN values are skipped; an undefined statistic is null.
 */

function finite(xs: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) out[k++] = xs[i];
  return out;
}

/** Central moments m2, m3, m4 (divisor n) and the mean. */
function moments(x: Float64Array): { n: number; m2: number; m3: number; m4: number } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const mu = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mu;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { n, m2: m2 / n, m3: m3 / n, m4: m4 / n };
}

/** A variance this small relative to the values is a constant series (rounding noise), not spread. */
function degenerate(m2: number, x: Float64Array): boolean {
  let scale = 0;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
  return !(m2 > 1e-24 * Math.max(1, scale * scale));
}

/** Adjusted Fisher-Pearson skewness G1 = g1 * sqrt(n(n-1)) / (n-2), g1 = m3 / m2^1.5; null for n < 3 or no spread. */
export function skewness(xs: ArrayLike<number>): number | null {
  const x = finite(xs);
  if (x.length < 3) return null;
  const { n, m2, m3 } = moments(x);
  if (degenerate(m2, x)) return null;
  const g1 = m3 / Math.pow(m2, 1.5);
  return (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
}

/** Bias-corrected excess kurtosis G2 = ((n+1) g2 + 6)(n-1) / ((n-2)(n-3)), g2 = m4 / m2^2 - 3 (0 for a normal); null for n < 4. */
export function excessKurtosis(xs: ArrayLike<number>): number | null {
  const x = finite(xs);
  if (x.length < 4) return null;
  const { n, m2, m4 } = moments(x);
  if (degenerate(m2, x)) return null;
  const g2 = m4 / (m2 * m2) - 3;
  return (((n + 1) * g2 + 6) * (n - 1)) / ((n - 2) * (n - 3));
}

/** Quantile p in [0, 1] with linear interpolation between order statistics (numpy's default); null when empty. */
export function quantile(xs: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p must be in [0, 1], got ${p}`);
  const x = finite(xs).sort();
  const n = x.length;
  if (n === 0) return null;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return x[lo] + (h - lo) * (x[hi] - x[lo]);
}

export interface TailRisk {
  /** Historical value at risk: the (1 - confidence) quantile of the returns, a negative number for a loss. */
  readonly valueAtRisk: number;
  /** Conditional VaR (expected shortfall): the mean of the returns at or below the VaR. */
  readonly conditionalValueAtRisk: number;
}

/**
 * Historical VaR and CVaR at `confidence` (0.95: the loss exceeded on 5 % of periods). Empirical rather than
 * normal (quantstats' value_at_risk assumes normal returns, which understates fat tails). Null when empty.
 */
export function tailRisk(xs: ArrayLike<number>, confidence = 0.95): TailRisk | null {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const v = quantile(xs, 1 - confidence);
  if (v === null) return null;
  let s = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i]) && xs[i] <= v) {
      s += xs[i];
      k++;
    }
  }
  return { valueAtRisk: v, conditionalValueAtRisk: s / k };
}

export interface Histogram {
  /** Left edge of the first bin and the common bin width. */
  readonly start: number;
  readonly width: number;
  /** counts[i] = values in [start + i * width, start + (i + 1) * width); the last bin also holds the maximum. */
  readonly counts: Int32Array;
}

/**
 * Fixed-width bins over [min, max] of the finite values: a chart draws the bins (a few hundred numbers)
 * instead of shipping every return to the browser. Null when there are no finite values.
 */
export function histogram(xs: ArrayLike<number>, bins = 50): Histogram | null {
  if (!(Number.isInteger(bins) && bins > 0)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return null;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Int32Array(bins);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return { start: lo, width, counts };
}
