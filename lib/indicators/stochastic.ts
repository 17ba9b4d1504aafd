/**
 * Stochastic oscillator, TA-Lib's STOCH with SMA smoothing (defaults 5,3,3): raw %K = 100*(close-LL)/(HH-LL)
 * over `kPeriod` bars (0 when HH == LL, as TA-Lib), slow %K = SMA(raw %K, kSmooth), %D = SMA(slow %K, dPeriod).
 * Both outputs start at index (kPeriod-1)+(kSmooth-1)+(dPeriod-1), TA-Lib's lookback (8 for 5,3,3).
 */
import { Streaming, checkPeriod, checkSameLength, nanArray, type HLC, type Values } from './contract.js';
import { Sma } from './sma.js';

export interface StochasticOptions {
  readonly kPeriod?: number;
  readonly kSmooth?: number;
  readonly dPeriod?: number;
}

export interface StochasticValue {
  readonly k: number;
  readonly d: number;
}

export interface StochasticSeries {
  readonly k: Float64Array;
  readonly d: Float64Array;
}

function params(o: StochasticOptions): [number, number, number] {
  return [
    checkPeriod('stochastic.kPeriod', o.kPeriod ?? 5),
    checkPeriod('stochastic.kSmooth', o.kSmooth ?? 3),
    checkPeriod('stochastic.dPeriod', o.dPeriod ?? 3),
  ];
}

function rawK(close: number, highest: number, lowest: number): number {
  const diff = (highest - lowest) / 100;
  return diff !== 0 ? (close - lowest) / diff : 0;
}

export function stochastic(high: Values, low: Values, close: Values, opts: StochasticOptions = {}): StochasticSeries {
  const [kp, ks, dp] = params(opts);
  const n = checkSameLength('stochastic', { high, low, close });
  const k = nanArray(n);
  const d = nanArray(n);
  const lb = kp - 1 + ks - 1 + dp - 1;
  if (n <= lb) return { k, d };
  // Raw %K from index kp-1, tracking the window's extremes and rescanning only when one leaves the window.
  const raw = new Float64Array(n);
  let hiIdx = -1;
  let loIdx = -1;
  let hi = 0;
  let lo = 0;
  for (let t = kp - 1; t < n; t++) {
    const start = t - kp + 1;
    if (hiIdx < start) {
      hiIdx = start;
      hi = high[start];
      for (let j = start + 1; j <= t; j++) {
        if (high[j] >= hi) {
          hi = high[j];
          hiIdx = j;
        }
      }
    } else if (high[t] >= hi) {
      hi = high[t];
      hiIdx = t;
    }
    if (loIdx < start) {
      loIdx = start;
      lo = low[start];
      for (let j = start + 1; j <= t; j++) {
        if (low[j] <= lo) {
          lo = low[j];
          loIdx = j;
        }
      }
    } else if (low[t] <= lo) {
      lo = low[t];
      loIdx = t;
    }
    raw[t] = rawK(close[t], hi, lo);
  }
  // Two running-sum SMAs, in the same order as Sma.update.
  let sumK = 0;
  let sumD = 0;
  const kStart = kp - 1 + ks - 1;
  for (let t = kp - 1; t < n; t++) {
    sumK += raw[t];
    if (t < kStart) continue;
    const slowK = sumK / ks;
    sumK -= raw[t - ks + 1];
    sumD += slowK;
    k[t] = slowK; // overwritten with NaN below while %D warms up
    if (t < lb) continue;
    d[t] = sumD / dp;
    sumD -= k[t - dp + 1];
  }
  for (let t = kStart; t < lb; t++) k[t] = NaN;
  return { k, d };
}

export class Stochastic extends Streaming<HLC, StochasticValue> {
  readonly lookback: number;
  private readonly kPeriod: number;
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  private readonly smaK: Sma;
  private readonly smaD: Sma;

  constructor(opts: StochasticOptions = {}) {
    super();
    const [kp, ks, dp] = params(opts);
    this.kPeriod = kp;
    this.lookback = kp - 1 + ks - 1 + dp - 1;
    this.highs = new Float64Array(kp);
    this.lows = new Float64Array(kp);
    this.smaK = new Sma(ks);
    this.smaD = new Sma(dp);
  }
  protected step(bar: HLC, i: number): StochasticValue | null {
    const kp = this.kPeriod;
    this.highs[i % kp] = bar.high;
    this.lows[i % kp] = bar.low;
    if (i < kp - 1) return null;
    let hi = -Infinity;
    let lo = Infinity;
    for (let j = 0; j < kp; j++) {
      if (this.highs[j] > hi) hi = this.highs[j];
      if (this.lows[j] < lo) lo = this.lows[j];
    }
    const slowK = this.smaK.update(rawK(bar.close, hi, lo));
    if (slowK === null) return null;
    const d = this.smaD.update(slowK);
    return d === null ? null : { k: slowK, d };
  }
  protected clear(): void {
    this.highs.fill(0);
    this.lows.fill(0);
    this.smaK.reset();
    this.smaD.reset();
  }
}
