/**
 * Average directional index, following TA-Lib step by step (its seeding is peculiar and users compare against
 * it): +DM/-DM/TR are summed over bars 1..period-1, then Wilder-smoothed; DX values on bars period..2*period-1
 * are averaged into the first ADX at index 2*period-1; afterwards adx = (adx*(period-1) + dx) / period.
 * A bar where the smoothed true range (or +DI + -DI) is 0 contributes no DX, as in TA-Lib.
 */
import { Streaming, checkPeriod, checkSameLength, warmupArray, type HLC, type Values } from './contract.js';
import { trueRangeOf } from './atr.js';

/** The running state of one ADX; shared by the batch loop and the streaming class so both do the same arithmetic. */
class AdxState {
  prevHigh = 0;
  prevLow = 0;
  prevClose = 0;
  plusDM = 0;
  minusDM = 0;
  tr = 0;
  sumDX = 0;
  adx = 0;

  constructor(readonly period: number) {}

  /** Feeds bar i; returns the ADX once i >= 2*period-1, otherwise NaN. */
  step(high: number, low: number, close: number, i: number): number {
    const p = this.period;
    if (i === 0) {
      this.prevHigh = high;
      this.prevLow = low;
      this.prevClose = close;
      return NaN;
    }
    const diffP = high - this.prevHigh;
    const diffM = this.prevLow - low;
    this.prevHigh = high;
    this.prevLow = low;
    const tr = trueRangeOf(high, low, this.prevClose);
    this.prevClose = close;
    if (i < p) {
      if (diffM > 0 && diffP < diffM) this.minusDM += diffM;
      else if (diffP > 0 && diffP > diffM) this.plusDM += diffP;
      this.tr += tr;
      return NaN;
    }
    this.minusDM -= this.minusDM / p;
    this.plusDM -= this.plusDM / p;
    if (diffM > 0 && diffP < diffM) this.minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) this.plusDM += diffP;
    this.tr = this.tr - this.tr / p + tr;
    let dx = NaN;
    if (this.tr !== 0) {
      const minusDI = 100 * (this.minusDM / this.tr);
      const plusDI = 100 * (this.plusDM / this.tr);
      const s = minusDI + plusDI;
      if (s !== 0) dx = 100 * (Math.abs(minusDI - plusDI) / s);
    }
    if (i < 2 * p - 1) {
      if (dx === dx) this.sumDX += dx;
      return NaN;
    }
    if (i === 2 * p - 1) {
      if (dx === dx) this.sumDX += dx;
      this.adx = this.sumDX / p;
    } else if (dx === dx) {
      this.adx = (this.adx * (p - 1) + dx) / p;
    }
    return this.adx;
  }
}

export function adx(high: Values, low: Values, close: Values, period = 14): Float64Array {
  checkPeriod('adx.period', period, 2);
  const n = checkSameLength('adx', { high, low, close });
  const out = warmupArray(n, 2 * period - 1);
  if (n < 2 * period) return out;
  // The same arithmetic as AdxState.step, inlined: a method call per bar costs 2x here.
  const p = period;
  let prevHigh = high[0];
  let prevLow = low[0];
  let prevClose = close[0];
  let plusDM = 0;
  let minusDM = 0;
  let tr = 0;
  let sumDX = 0;
  let adxV = 0;
  for (let i = 1; i < n; i++) {
    const hi = high[i];
    const lo = low[i];
    const diffP = hi - prevHigh;
    const diffM = prevLow - lo;
    prevHigh = hi;
    prevLow = lo;
    const t = trueRangeOf(hi, lo, prevClose);
    prevClose = close[i];
    if (i < p) {
      if (diffM > 0 && diffP < diffM) minusDM += diffM;
      else if (diffP > 0 && diffP > diffM) plusDM += diffP;
      tr += t;
      continue;
    }
    minusDM -= minusDM / p;
    plusDM -= plusDM / p;
    if (diffM > 0 && diffP < diffM) minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) plusDM += diffP;
    tr = tr - tr / p + t;
    let dx = NaN;
    if (tr !== 0) {
      const minusDI = 100 * (minusDM / tr);
      const plusDI = 100 * (plusDM / tr);
      const s = minusDI + plusDI;
      if (s !== 0) dx = 100 * (Math.abs(minusDI - plusDI) / s);
    }
    if (i < 2 * p - 1) {
      if (dx === dx) sumDX += dx;
      continue;
    }
    if (i === 2 * p - 1) {
      if (dx === dx) sumDX += dx;
      adxV = sumDX / p;
    } else if (dx === dx) {
      adxV = (adxV * (p - 1) + dx) / p;
    }
    out[i] = adxV;
  }
  return out;
}

export class Adx extends Streaming<HLC, number> {
  readonly lookback: number;
  private state: AdxState;

  constructor(readonly period = 14) {
    super();
    checkPeriod('adx.period', period, 2);
    this.lookback = 2 * period - 1;
    this.state = new AdxState(period);
  }
  protected step(bar: HLC, i: number): number | null {
    const v = this.state.step(bar.high, bar.low, bar.close, i);
    return v === v ? v : null;
  }
  protected clear(): void {
    this.state = new AdxState(this.period);
  }
}
