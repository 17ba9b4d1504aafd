/**
 * Bollinger Bands as TA-Lib computes them: middle = SMA, deviation = population standard deviation from running
 * sums (mean of squares minus square of the mean), bands = middle +/- k * deviation. Lookback period-1.
 * Extras: %B = (close-lower)/(upper-lower) and width = (upper-lower)/middle. A flat window (deviation 0) gives
 * %B 0.5 (the close sits on the middle band) rather than NaN, so a feature never goes missing after warm-up.
 * One deliberate difference: TA-Lib reports deviation 0 whenever the variance is below 1e-8, which flattens
 * the bands of low-priced instruments (FX minute bars); here only a variance <= 0 (rounding) becomes 0.
 */
import { Streaming, checkFinite, checkPeriod, warmupArray, type Values } from './contract.js';

export interface BollingerOptions {
  readonly period?: number;
  /** Standard deviations for the bands (default 2). */
  readonly k?: number;
}

export interface BollingerValue {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
  readonly percentB: number;
  readonly width: number;
}

export interface BollingerSeries {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
  readonly percentB: Float64Array;
  readonly width: Float64Array;
}

function params(opts: BollingerOptions): [number, number] {
  return [checkPeriod('bollinger.period', opts.period ?? 20), checkFinite('bollinger.k', opts.k ?? 2)];
}

export function bollinger(values: Values, opts: BollingerOptions = {}): BollingerSeries {
  const [p, k] = params(opts);
  const n = values.length;
  const upper = warmupArray(n, p - 1);
  const middle = warmupArray(n, p - 1);
  const lower = warmupArray(n, p - 1);
  const percentB = warmupArray(n, p - 1);
  const width = warmupArray(n, p - 1);
  const res = { upper, middle, lower, percentB, width };
  if (n < p) return res;
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < p - 1; i++) {
    const x = values[i];
    sum += x;
    sum2 += x * x;
  }
  for (let i = p - 1; i < n; i++) {
    const x = values[i];
    sum += x;
    sum2 += x * x;
    const mid = sum / p;
    const v = sum2 / p - mid * mid;
    const old = values[i - p + 1];
    sum -= old;
    sum2 -= old * old;
    const dev = v > 0 ? k * Math.sqrt(v) : 0;
    const up = mid + dev;
    const lo = mid - dev;
    upper[i] = up;
    middle[i] = mid;
    lower[i] = lo;
    percentB[i] = up > lo ? (x - lo) / (up - lo) : 0.5;
    width[i] = (up - lo) / mid;
  }
  return res;
}

export class BollingerBands extends Streaming<number, BollingerValue> {
  readonly lookback: number;
  readonly period: number;
  readonly k: number;
  private readonly ring: Float64Array;
  private sum = 0;
  private sum2 = 0;

  constructor(opts: BollingerOptions = {}) {
    super();
    [this.period, this.k] = params(opts);
    this.lookback = this.period - 1;
    this.ring = new Float64Array(this.period);
  }
  protected step(x: number, i: number): BollingerValue | null {
    const p = this.period;
    this.ring[i % p] = x;
    this.sum += x;
    this.sum2 += x * x;
    if (i < p - 1) return null;
    const mid = this.sum / p;
    const v = this.sum2 / p - mid * mid;
    const old = this.ring[(i + 1) % p];
    this.sum -= old;
    this.sum2 -= old * old;
    const dev = v > 0 ? this.k * Math.sqrt(v) : 0;
    const up = mid + dev;
    const lo = mid - dev;
    return { upper: up, middle: mid, lower: lo, percentB: up > lo ? (x - lo) / (up - lo) : 0.5, width: (up - lo) / mid };
  }
  protected clear(): void {
    this.ring.fill(0);
    this.sum = 0;
    this.sum2 = 0;
  }
}
