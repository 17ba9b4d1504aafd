/**
 * Exponential moving average, TA-Lib style: k = 2/(period+1), seeded with the SMA of the first `period` values,
 * so the first value is at index period-1 and nothing before it is invented.
 */
import { Streaming, checkPeriod, warmupArray, type Values } from './contract.js';

export function emaK(period: number): number {
  return 2 / (period + 1);
}

export function ema(values: Values, period: number): Float64Array {
  checkPeriod('ema.period', period);
  const out = warmupArray(values.length, period - 1);
  emaInto(values, 0, period, emaK(period), out);
  return out;
}

/**
 * EMA of values[start..] written to out[start+period-1..]; out before that is left untouched. MACD uses the
 * start offset to seed its fast EMA on the same bar as the slow one, as TA-Lib does.
 */
export function emaInto(values: Values, start: number, period: number, k: number, out: Float64Array): void {
  const n = values.length;
  if (n - start < period) return;
  let sum = 0;
  const seedEnd = start + period;
  for (let i = start; i < seedEnd; i++) sum += values[i];
  let prev = sum / period;
  out[seedEnd - 1] = prev;
  for (let i = seedEnd; i < n; i++) {
    prev = (values[i] - prev) * k + prev;
    out[i] = prev;
  }
}

export class Ema extends Streaming<number, number> {
  readonly lookback: number;
  readonly k: number;
  private sum = 0;
  private prev = 0;

  constructor(readonly period: number) {
    super();
    checkPeriod('ema.period', period);
    this.lookback = period - 1;
    this.k = emaK(period);
  }
  protected step(x: number, i: number): number | null {
    const p = this.period;
    if (i < p) {
      this.sum += x;
      if (i < p - 1) return null;
      this.prev = this.sum / p;
      return this.prev;
    }
    this.prev = (x - this.prev) * this.k + this.prev;
    return this.prev;
  }
  protected clear(): void {
    this.sum = 0;
    this.prev = 0;
  }
}
