/**
 * Rolling standard deviation and return volatility. Not TA-Lib functions: the window is updated with a
 * mean/sum-of-squared-deviations recurrence (add the new value, drop the oldest), which stays accurate on large
 * values such as volumes where mean-of-squares minus square-of-mean loses digits.
 *   rollingStd(values, period, ddof): lookback period-1; ddof 0 = population (TA-Lib STDDEV), 1 = sample.
 *   volatility(close, period): sample (ddof 1) standard deviation of the last `period` one-bar simple returns,
 *   lookback `period` (it needs period+1 closes); multiply by sqrt(252) yourself to annualise daily bars.
 */
import { ValidationError } from '../core/errors.js';
import { Streaming, checkPeriod, warmupArray, type Values } from './contract.js';

/** Window statistics with O(1) add/replace; shared by batch and streaming forms so both round identically. */
export class RollingMoments {
  mean = 0;
  m2 = 0;
  size = 0;

  add(x: number): void {
    this.size++;
    const d = x - this.mean;
    this.mean += d / this.size;
    this.m2 += d * (x - this.mean);
  }
  /** Replace `old` (leaving the window) with `x`, keeping the size. */
  replace(old: number, x: number): void {
    const prevMean = this.mean;
    this.mean += (x - old) / this.size;
    this.m2 += (x - old) * (x - this.mean + old - prevMean);
    if (this.m2 < 0) this.m2 = 0;
  }
  std(ddof: number): number {
    return Math.sqrt(this.m2 / (this.size - ddof));
  }
}

function checkDdof(period: number, ddof: number): void {
  if ((ddof !== 0 && ddof !== 1) || period - ddof < 1) {
    throw new ValidationError('rollingStd.ddof', `must be 0 or 1 and below the period (${period})`, ddof);
  }
}

export function rollingStd(values: Values, period: number, ddof = 0): Float64Array {
  checkPeriod('rollingStd.period', period);
  checkDdof(period, ddof);
  const n = values.length;
  const out = warmupArray(n, period - 1);
  // RollingMoments.add/replace/std inlined (same operations in the same order).
  let mean = 0;
  let m2 = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (i < period) {
      size++;
      const d = x - mean;
      mean += d / size;
      m2 += d * (x - mean);
    } else {
      const old = values[i - period];
      const prevMean = mean;
      mean += (x - old) / size;
      m2 += (x - old) * (x - mean + old - prevMean);
      if (m2 < 0) m2 = 0;
    }
    if (i >= period - 1) out[i] = Math.sqrt(m2 / (size - ddof));
  }
  return out;
}

export function volatility(close: Values, period = 20): Float64Array {
  checkPeriod('volatility.period', period, 2);
  const n = close.length;
  const out = warmupArray(n, period);
  let mean = 0;
  let m2 = 0;
  let size = 0;
  let prevClose = close[0];
  for (let i = 1; i < n; i++) {
    const c = close[i];
    const x = c / prevClose - 1;
    prevClose = c;
    if (i <= period) {
      size++;
      const d = x - mean;
      mean += d / size;
      m2 += d * (x - mean);
    } else {
      const old = close[i - period] / close[i - period - 1] - 1;
      const prevMean = mean;
      mean += (x - old) / size;
      m2 += (x - old) * (x - mean + old - prevMean);
      if (m2 < 0) m2 = 0;
    }
    if (i >= period) out[i] = Math.sqrt(m2 / (size - 1));
  }
  return out;
}

export class RollingStd extends Streaming<number, number> {
  readonly lookback: number;
  private readonly ring: Float64Array;
  private m = new RollingMoments();

  constructor(
    readonly period: number,
    readonly ddof = 0,
  ) {
    super();
    checkPeriod('rollingStd.period', period);
    checkDdof(period, ddof);
    this.lookback = period - 1;
    this.ring = new Float64Array(period);
  }
  protected step(x: number, i: number): number | null {
    const p = this.period;
    if (i < p) this.m.add(x);
    else this.m.replace(this.ring[i % p], x);
    this.ring[i % p] = x;
    return i >= p - 1 ? this.m.std(this.ddof) : null;
  }
  protected clear(): void {
    this.ring.fill(0);
    this.m = new RollingMoments();
  }
}

export class Volatility extends Streaming<number, number> {
  readonly lookback: number;
  private readonly std: RollingStd;
  private prev = 0;

  constructor(readonly period = 20) {
    super();
    checkPeriod('volatility.period', period, 2);
    this.lookback = period;
    this.std = new RollingStd(period, 1);
  }
  protected step(x: number, i: number): number | null {
    const prev = this.prev;
    this.prev = x;
    return i === 0 ? null : this.std.update(x / prev - 1);
  }
  protected clear(): void {
    this.prev = 0;
    this.std.reset();
  }
}
