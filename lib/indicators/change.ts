/**
 * Rate of change and momentum over `period` bars, TA-Lib's ROC and MOM (lookback period):
 * roc = (x/x[t-period] - 1) * 100 (0 when the old value is 0, as TA-Lib), mom = x - x[t-period].
 */
import { Streaming, checkPeriod, warmupArray, type Values } from './contract.js';

export function roc(values: Values, period = 10): Float64Array {
  checkPeriod('roc.period', period);
  const n = values.length;
  const out = warmupArray(n, period);
  for (let i = period; i < n; i++) {
    const old = values[i - period];
    out[i] = old !== 0 ? (values[i] / old - 1) * 100 : 0;
  }
  return out;
}

export function momentum(values: Values, period = 10): Float64Array {
  checkPeriod('momentum.period', period);
  const n = values.length;
  const out = warmupArray(n, period);
  for (let i = period; i < n; i++) out[i] = values[i] - values[i - period];
  return out;
}

/** Keeps the last period+1 inputs so update() can see x[t-period]. */
abstract class Lagged extends Streaming<number, number> {
  readonly lookback: number;
  private readonly ring: Float64Array;
  constructor(
    field: string,
    readonly period: number,
  ) {
    super();
    checkPeriod(field, period);
    this.lookback = period;
    this.ring = new Float64Array(period + 1);
  }
  protected step(x: number, i: number): number | null {
    const m = this.period + 1;
    this.ring[i % m] = x;
    return i < this.period ? null : this.combine(x, this.ring[(i + 1) % m]);
  }
  protected clear(): void {
    this.ring.fill(0);
  }
  protected abstract combine(x: number, old: number): number;
}

export class Roc extends Lagged {
  constructor(period = 10) {
    super('roc.period', period);
  }
  protected combine(x: number, old: number): number {
    return old !== 0 ? (x / old - 1) * 100 : 0;
  }
}

export class Momentum extends Lagged {
  constructor(period = 10) {
    super('momentum.period', period);
  }
  protected combine(x: number, old: number): number {
    return x - old;
  }
}
