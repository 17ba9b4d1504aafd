/**
 * True range and Wilder's average true range as TA-Lib computes them. The true range needs the previous close,
 * so it starts at index 1; ATR is the mean of the first `period` true ranges (index `period`), then
 * atr = (atr*(period-1) + tr) / period.
 */
import { Streaming, checkPeriod, checkSameLength, warmupArray, type HLC, type Values } from './contract.js';

/** max(high-low, |high-prevClose|, |low-prevClose|), in TA-Lib's order of comparisons. */
export function trueRangeOf(high: number, low: number, prevClose: number): number {
  let tr = high - low;
  const a = Math.abs(high - prevClose);
  if (a > tr) tr = a;
  const b = Math.abs(low - prevClose);
  if (b > tr) tr = b;
  return tr;
}

export function trueRange(high: Values, low: Values, close: Values): Float64Array {
  const n = checkSameLength('trueRange', { high, low, close });
  const out = warmupArray(n, 1);
  for (let i = 1; i < n; i++) out[i] = trueRangeOf(high[i], low[i], close[i - 1]);
  return out;
}

export function atr(high: Values, low: Values, close: Values, period = 14): Float64Array {
  checkPeriod('atr.period', period);
  const n = checkSameLength('atr', { high, low, close });
  const out = warmupArray(n, period);
  if (n <= period) return out;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRangeOf(high[i], low[i], close[i - 1]);
  let prev = sum / period;
  out[period] = prev;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    prev *= m;
    prev += trueRangeOf(high[i], low[i], close[i - 1]);
    prev /= period;
    out[i] = prev;
  }
  return out;
}

export class TrueRange extends Streaming<HLC, number> {
  readonly lookback = 1;
  private prevClose = 0;
  protected step(bar: HLC, i: number): number | null {
    const out = i === 0 ? null : trueRangeOf(bar.high, bar.low, this.prevClose);
    this.prevClose = bar.close;
    return out;
  }
  protected clear(): void {
    this.prevClose = 0;
  }
}

export class Atr extends Streaming<HLC, number> {
  readonly lookback: number;
  private prevClose = 0;
  private prev = 0;

  constructor(readonly period = 14) {
    super();
    checkPeriod('atr.period', period);
    this.lookback = period;
  }
  protected step(bar: HLC, i: number): number | null {
    const p = this.period;
    const pc = this.prevClose;
    this.prevClose = bar.close;
    if (i === 0) return null;
    const tr = trueRangeOf(bar.high, bar.low, pc);
    if (i <= p) {
      this.prev += tr;
      if (i < p) return null;
      this.prev = this.prev / p;
      return this.prev;
    }
    this.prev *= p - 1;
    this.prev += tr;
    this.prev /= p;
    return this.prev;
  }
  protected clear(): void {
    this.prevClose = 0;
    this.prev = 0;
  }
}
