/**
 * Rolling statistics over a trailing window of periodic returns (as quantstats' rolling_sharpe,
 * rolling_volatility and rolling beta): out[i] uses r[i - window + 1 .. i]; the first window - 1 entries are
 * NaN. O(n) with running sums, re-summed from scratch every `window` steps so rounding cannot drift.
 * `into`: a buffer to write the result in (its first r.length slots), reused by callers that only draw it.
 */
import { ValidationError } from '../core/errors.js';

function checkWindow(window: number): void {
  if (!(Number.isInteger(window) && window >= 2)) throw new ValidationError('window', 'must be an integer of at least 2 periods', window);
}

/** Running sums of x, x^2 (and y, y^2, xy when y is given) over the trailing window, per index. */
function rolling(
  x: ArrayLike<number>,
  y: ArrayLike<number> | null,
  window: number,
  emit: (i: number, sx: number, sxx: number, sy: number, syy: number, sxy: number) => number,
  into?: Float64Array,
): Float64Array {
  const n = x.length;
  checkWindow(window);
  if (into && into.length < n) throw new ValidationError('into', `has length ${into.length}, needs ${n}`);
  const out = into ? into.subarray(0, n).fill(NaN) : new Float64Array(n).fill(NaN);
  let sx = 0;
  let sxx = 0;
  let sy = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    if ((i + 1) % window === 0 && i >= window) {
      // exact re-sum of the window ending before i, then add i below
      sx = sxx = sy = syy = sxy = 0;
      for (let j = i - window + 1; j < i; j++) {
        const a = x[j];
        sx += a;
        sxx += a * a;
        if (y) {
          const b = y[j];
          sy += b;
          syy += b * b;
          sxy += a * b;
        }
      }
    } else if (i >= window) {
      const a = x[i - window];
      sx -= a;
      sxx -= a * a;
      if (y) {
        const b = y[i - window];
        sy -= b;
        syy -= b * b;
        sxy -= a * b;
      }
    }
    const a = x[i];
    sx += a;
    sxx += a * a;
    if (y) {
      const b = y[i];
      sy += b;
      syy += b * b;
      sxy += a * b;
    }
    if (i >= window - 1) out[i] = emit(i, sx, sxx, sy, syy, sxy);
  }
  return out;
}

/**
 * Sample variance (divisor w - 1) from window sums. Cancellation leaves about 1e-16 x the mean square as
 * noise, so a variance under 1e-10 of the mean square is a constant window: 0 (ratios on it become NaN).
 */
function variance(s: number, ss: number, w: number): number {
  const v = (ss - (s * s) / w) / (w - 1);
  return v > 1e-10 * (ss / w) ? v : 0;
}

/** Annualised rolling volatility: sampleStd(window) x sqrt(periodsPerYear). */
export function rollingVolatility(r: ArrayLike<number>, window: number, periodsPerYear: number, into?: Float64Array): Float64Array {
  const k = Math.sqrt(periodsPerYear);
  return rolling(r, null, window, (_i, sx, sxx) => Math.sqrt(variance(sx, sxx, window)) * k, into);
}

/**
 * Annualised rolling Sharpe ratio: mean(r - rf) / sampleStd(r) x sqrt(periodsPerYear) over the window,
 * rf = riskFreeRate / periodsPerYear; NaN where the window has no spread.
 */
export function rollingSharpe(r: ArrayLike<number>, window: number, periodsPerYear: number, riskFreeRate = 0, into?: Float64Array): Float64Array {
  const rf = riskFreeRate / periodsPerYear;
  const k = Math.sqrt(periodsPerYear);
  return rolling(r, null, window, (_i, sx, sxx) => {
    const sd = Math.sqrt(variance(sx, sxx, window));
    const m = sx / window;
    return sd > 0 ? ((m - rf) / sd) * k : NaN;
  }, into);
}

/** Rolling beta of r on the benchmark's returns rb (same length): cov(r, rb) / var(rb); NaN where rb is flat. */
export function rollingBeta(r: ArrayLike<number>, rb: ArrayLike<number>, window: number, into?: Float64Array): Float64Array {
  if (rb.length !== r.length) throw new ValidationError('benchmark returns', `have length ${rb.length} but the returns have ${r.length}; they must match`);
  return rolling(r, rb, window, (_i, sx, _sxx, sy, syy, sxy) => {
    const vb = variance(sy, syy, window);
    const cov = (sxy - (sx * sy) / window) / (window - 1);
    return vb > 0 ? cov / vb : NaN;
  }, into);
}

/** Half a year of periods (126 for daily bars), the default rolling window, at least 2. */
export function halfYearWindow(periodsPerYear: number): number {
  return Math.max(2, Math.round(periodsPerYear / 2));
}
