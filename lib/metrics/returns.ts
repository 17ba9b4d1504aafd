/**
 * Periodic returns of an equity curve: r[i] = equity[i + 1] / equity[i] - 1 (length n - 1).
 * A period that starts at zero or negative equity (a blown account) has no defined return; it counts as 0
 * so one broken bar cannot turn every statistic into NaN.
 */
import { ValidationError } from '../core/errors.js';
import type { EquityCurve } from './types.js';

export const DAY_MS = 86_400_000;
/** Calendar year used for CAGR and day counts: 365.25 days. */
export const YEAR_MS = 365.25 * DAY_MS;

export function periodicReturns(equity: ArrayLike<number>): Float64Array {
  const n = equity.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) {
    const prev = equity[i - 1];
    out[i - 1] = prev > 0 ? equity[i] / prev - 1 : 0;
  }
  return out;
}

/** Check a curve's shape: equal lengths, finite values, strictly increasing time. Throws naming the bar. */
export function validateCurve(curve: EquityCurve, name = 'equity'): void {
  const { time, equity } = curve;
  if (time.length !== equity.length) {
    throw new ValidationError(`${name}.time`, `has length ${time.length} but ${name}.equity has ${equity.length}; they must match`);
  }
  for (let i = 0; i < time.length; i++) {
    if (!Number.isFinite(equity[i])) throw new ValidationError(`${name}.equity[${i}]`, 'must be a finite number', equity[i]);
    if (!Number.isFinite(time[i])) throw new ValidationError(`${name}.time[${i}]`, 'must be a finite epoch-ms time', time[i]);
    if (i > 0 && time[i] <= time[i - 1]) {
      throw new ValidationError(`${name}.time[${i}]`, `must be after the previous time ${time[i - 1]} (strictly increasing)`, time[i]);
    }
  }
}

/**
 * The benchmark's values on the strategy curve's timestamps: the last benchmark value at or before each time
 * (carried forward), or null before the benchmark starts. Lets a benchmark on a different calendar be compared.
 */
export function alignCurve(target: Float64Array, curve: EquityCurve): Array<number | null> {
  const out: Array<number | null> = new Array(target.length);
  let j = -1;
  for (let i = 0; i < target.length; i++) {
    while (j + 1 < curve.time.length && curve.time[j + 1] <= target[i]) j++;
    out[i] = j >= 0 ? curve.equity[j] : null;
  }
  return out;
}

/**
 * alignCurve as a Float64Array, NaN before the benchmark starts: 8 bytes a bar, where an array of numbers
 * and nulls takes ~24 (10M bars: 80 MB instead of ~240). Callers must not write to the result.
 */
export function alignedValues(target: ArrayLike<number>, curve: EquityCurve): Float64Array {
  // On the same timestamps (an engine result's benchmark shares its time array): the values themselves.
  if (curve.time === target && curve.equity instanceof Float64Array) return curve.equity;
  const out = new Float64Array(target.length);
  let j = -1;
  for (let i = 0; i < target.length; i++) {
    while (j + 1 < curve.time.length && curve.time[j + 1] <= target[i]) j++;
    out[i] = j >= 0 ? curve.equity[j] : NaN;
  }
  return out;
}
