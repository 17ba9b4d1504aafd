/** On-balance volume, TA-Lib's OBV: starts at the first bar's volume, then adds (subtracts) volume on up (down) closes. */
import { Streaming, checkSameLength, warmupArray, type CV, type Values } from './contract.js';

export function obv(close: Values, volume: Values): Float64Array {
  const n = checkSameLength('obv', { close, volume });
  const out = warmupArray(n, 0);
  if (n === 0) return out;
  let acc = volume[0];
  let prev = close[0];
  out[0] = acc;
  for (let i = 1; i < n; i++) {
    const c = close[i];
    if (c > prev) acc += volume[i];
    else if (c < prev) acc -= volume[i];
    out[i] = acc;
    prev = c;
  }
  return out;
}

export class Obv extends Streaming<CV, number> {
  readonly lookback = 0;
  private acc = 0;
  private prev = 0;
  protected step(bar: CV, i: number): number {
    if (i === 0) this.acc = bar.volume;
    else if (bar.close > this.prev) this.acc += bar.volume;
    else if (bar.close < this.prev) this.acc -= bar.volume;
    this.prev = bar.close;
    return this.acc;
  }
  protected clear(): void {
    this.acc = 0;
    this.prev = 0;
  }
}
