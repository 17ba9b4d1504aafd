/** Simple moving average, TA-Lib style: a running sum (add the new value, divide, drop the oldest). Lookback period-1. */
import { Streaming, checkPeriod, warmupArray, type Values } from './contract.js';

export function sma(values: Values, period: number): Float64Array {
  checkPeriod('sma.period', period);
  const n = values.length;
  const out = warmupArray(n, period - 1);
  if (n < period) return out;
  let sum = 0;
  for (let i = 0; i < period - 1; i++) sum += values[i];
  for (let i = period - 1; i < n; i++) {
    sum += values[i];
    out[i] = sum / period;
    sum -= values[i - period + 1];
  }
  return out;
}

export class Sma extends Streaming<number, number> {
  readonly lookback: number;
  private readonly ring: Float64Array;
  private sum = 0;

  constructor(readonly period: number) {
    super();
    checkPeriod('sma.period', period);
    this.lookback = period - 1;
    this.ring = new Float64Array(period);
  }
  protected step(x: number, i: number): number | null {
    const p = this.period;
    this.ring[i % p] = x;
    this.sum += x;
    if (i < p - 1) return null;
    const out = this.sum / p;
    this.sum -= this.ring[(i + 1) % p];
    return out;
  }
  protected clear(): void {
    this.sum = 0;
    this.ring.fill(0);
  }
}
