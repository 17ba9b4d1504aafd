/**
 * Relative strength index, Wilder's smoothing as in TA-Lib: average gain and loss seeded with the plain mean of
 * the first `period` changes, first value at index `period`. When gains and losses are both zero (a flat window)
 * the value is 0, TA-Lib's choice.
 */
import { Streaming, checkPeriod, warmupArray, type Values } from './contract.js';

export function rsi(values: Values, period = 14): Float64Array {
  checkPeriod('rsi.period', period);
  const n = values.length;
  const out = warmupArray(n, period);
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  let prev = values[0];
  for (let i = 1; i <= period; i++) {
    const d = values[i] - prev;
    prev = values[i];
    if (d < 0) loss -= d;
    else gain += d;
  }
  gain /= period;
  loss /= period;
  let t = gain + loss;
  out[period] = t !== 0 ? 100 * (gain / t) : 0;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    const d = values[i] - prev;
    prev = values[i];
    loss *= m;
    gain *= m;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= period;
    gain /= period;
    t = gain + loss;
    out[i] = t !== 0 ? 100 * (gain / t) : 0;
  }
  return out;
}

export class Rsi extends Streaming<number, number> {
  readonly lookback: number;
  private gain = 0;
  private loss = 0;
  private prev = 0;

  constructor(readonly period = 14) {
    super();
    checkPeriod('rsi.period', period);
    this.lookback = period;
  }
  protected step(x: number, i: number): number | null {
    const p = this.period;
    if (i === 0) {
      this.prev = x;
      return null;
    }
    const d = x - this.prev;
    this.prev = x;
    if (i <= p) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (i < p) return null;
      this.gain /= p;
      this.loss /= p;
    } else {
      this.loss *= p - 1;
      this.gain *= p - 1;
      if (d < 0) this.loss -= d;
      else this.gain += d;
      this.loss /= p;
      this.gain /= p;
    }
    const t = this.gain + this.loss;
    return t !== 0 ? 100 * (this.gain / t) : 0;
  }
  protected clear(): void {
    this.gain = 0;
    this.loss = 0;
    this.prev = 0;
  }
}
