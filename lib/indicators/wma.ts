/** Weighted moving average (weights 1..period, newest heaviest), TA-Lib's O(1) update. Lookback period-1. */
import { Streaming, checkPeriod, warmupArray, type Values } from './contract.js';

export function wma(values: Values, period: number): Float64Array {
  checkPeriod('wma.period', period);
  const n = values.length;
  const out = warmupArray(n, period - 1);
  if (n < period) return out;
  const divider = (period * (period + 1)) / 2;
  let periodSub = 0;
  let periodSum = 0;
  for (let i = 0; i < period - 1; i++) {
    periodSub += values[i];
    periodSum += values[i] * (i + 1);
  }
  let trailing = 0;
  for (let i = period - 1; i < n; i++) {
    const x = values[i];
    periodSub += x;
    periodSub -= trailing;
    periodSum += x * period;
    trailing = values[i - period + 1];
    out[i] = periodSum / divider;
    periodSum -= periodSub;
  }
  return out;
}

export class Wma extends Streaming<number, number> {
  readonly lookback: number;
  private readonly ring: Float64Array;
  private readonly divider: number;
  private periodSub = 0;
  private periodSum = 0;
  private trailing = 0;

  constructor(readonly period: number) {
    super();
    checkPeriod('wma.period', period);
    this.lookback = period - 1;
    this.ring = new Float64Array(period);
    this.divider = (period * (period + 1)) / 2;
  }
  protected step(x: number, i: number): number | null {
    const p = this.period;
    this.ring[i % p] = x;
    if (i < p - 1) {
      this.periodSub += x;
      this.periodSum += x * (i + 1);
      return null;
    }
    this.periodSub += x;
    this.periodSub -= this.trailing;
    this.periodSum += x * p;
    this.trailing = this.ring[(i + 1) % p];
    const out = this.periodSum / this.divider;
    this.periodSum -= this.periodSub;
    return out;
  }
  protected clear(): void {
    this.ring.fill(0);
    this.periodSub = 0;
    this.periodSum = 0;
    this.trailing = 0;
  }
}
