/**
 * Market-regime filter, computed causally (the state at bar t uses closes <= t):
 *   - trend: up when the close is above its SMA(trendSma) and the SMA(fastSma) is not lower than it was
 *     `slopeLookback` bars ago; down otherwise; unknown while warming up;
 *   - volatility: realised volatility (stdev of log returns over `volLookback` bars) ranked against its own
 *     last `volHistory` values; high when the percentile reaches `highVolPercentile`.
 * Strategies use it as: long entries only in an up-trend, position size x `highVolSize` in high volatility.
 * One streaming implementation; the batch form runs it over a column, so both agree exactly.
 */
import { ValidationError } from '../core/errors.js';
import type { RegimeFilterConfig } from '../config/schema.js';

export interface RegimeParams {
  trendSma: number;
  fastSma: number;
  slopeLookback: number;
  volLookback: number;
  volHistory: number;
  /** Percentile values seen before the vol regime is classified (else "normal"). */
  minVolHistory: number;
  highVolPercentile: number;
  highVolSize: number;
}

export const DEFAULT_REGIME_PARAMS: Readonly<RegimeParams> = {
  trendSma: 200,
  fastSma: 50,
  slopeLookback: 10,
  volLookback: 20,
  volHistory: 252,
  minVolHistory: 60,
  highVolPercentile: 0.8,
  highVolSize: 0.5,
};

/** Config's `strategy.regime_filter` section -> params (unspecified fields keep defaults). */
export function regimeParamsFromConfig(c: Partial<Pick<RegimeFilterConfig, 'trend_sma' | 'vol_lookback' | 'high_vol_percentile' | 'high_vol_size'>>): RegimeParams {
  return {
    ...DEFAULT_REGIME_PARAMS,
    ...(c.trend_sma !== undefined ? { trendSma: c.trend_sma, fastSma: Math.max(2, Math.min(DEFAULT_REGIME_PARAMS.fastSma, Math.floor(c.trend_sma / 4))) } : {}),
    ...(c.vol_lookback !== undefined ? { volLookback: c.vol_lookback } : {}),
    ...(c.high_vol_percentile !== undefined ? { highVolPercentile: c.high_vol_percentile } : {}),
    ...(c.high_vol_size !== undefined ? { highVolSize: c.high_vol_size } : {}),
  };
}

export type Trend = 'up' | 'down' | 'unknown';

export interface RegimeState {
  trend: Trend;
  /** Realised vol (per bar, not annualised); NaN while warming up. */
  vol: number;
  /** Share of the recent vol history <= the current vol, in [0, 1]; NaN while warming up. */
  volPercentile: number;
  highVol: boolean;
  /** Long entries allowed (up-trend only). */
  allowLong: boolean;
  /** Multiply position size by this (highVolSize in high volatility, else 1). */
  sizeMultiplier: number;
}

function checkParams(p: RegimeParams): void {
  for (const k of ['trendSma', 'fastSma', 'slopeLookback', 'volLookback', 'volHistory', 'minVolHistory'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 1) throw new ValidationError(`regime.${k}`, 'is not an integer >= 1', p[k]);
  }
  if (p.volLookback < 2) throw new ValidationError('regime.volLookback', 'is not an integer >= 2', p.volLookback);
  if (!(p.highVolPercentile > 0 && p.highVolPercentile <= 1)) throw new ValidationError('regime.highVolPercentile', 'is not in (0, 1]', p.highVolPercentile);
  if (!(p.highVolSize >= 0 && p.highVolSize <= 1)) throw new ValidationError('regime.highVolSize', 'is not in [0, 1]', p.highVolSize);
}

/** Fixed-size ring of the last `size` numbers. */
class Ring {
  readonly buf: Float64Array;
  count = 0;
  private head = 0;
  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }
  /** Push x; returns the value that fell out (NaN if none). */
  push(x: number): number {
    const out = this.count >= this.size ? this.buf[this.head] : NaN;
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.size;
    if (this.count < this.size) this.count++;
    return out;
  }
  /** k-th most recent value (0 = latest). */
  back(k: number): number {
    return this.buf[(this.head - 1 - k + 2 * this.size) % this.size];
  }
}

export class RegimeFilter {
  readonly params: RegimeParams;
  private slow!: Ring;
  private fast!: Ring;
  private fastHist!: Ring;
  private rets!: Ring;
  private vols!: Ring;
  private slowSum = 0;
  private fastSum = 0;
  private prevClose = NaN;
  private last: RegimeState = RegimeFilter.unknown();

  constructor(params: Partial<RegimeParams> = {}) {
    this.params = { ...DEFAULT_REGIME_PARAMS, ...params };
    checkParams(this.params);
    this.reset();
  }

  private static unknown(): RegimeState {
    return { trend: 'unknown', vol: NaN, volPercentile: NaN, highVol: false, allowLong: false, sizeMultiplier: 1 };
  }

  reset(): void {
    const p = this.params;
    this.slow = new Ring(p.trendSma);
    this.fast = new Ring(p.fastSma);
    this.fastHist = new Ring(p.slopeLookback + 1);
    this.rets = new Ring(p.volLookback);
    this.vols = new Ring(p.volHistory);
    this.slowSum = 0;
    this.fastSum = 0;
    this.prevClose = NaN;
    this.last = RegimeFilter.unknown();
  }

  get state(): RegimeState {
    return this.last;
  }

  /** Feed the next close; returns the regime known at this bar. */
  update(close: number): RegimeState {
    if (!(close > 0)) throw new ValidationError('regime.close', 'is not a positive price', close);
    const p = this.params;
    const outS = this.slow.push(close);
    this.slowSum += close - (Number.isNaN(outS) ? 0 : outS);
    const outF = this.fast.push(close);
    this.fastSum += close - (Number.isNaN(outF) ? 0 : outF);
    if (this.fast.count === p.fastSma) this.fastHist.push(this.fastSum / p.fastSma);

    let trend: Trend = 'unknown';
    if (this.slow.count === p.trendSma && this.fastHist.count === p.slopeLookback + 1) {
      const slowSma = this.slowSum / p.trendSma;
      const rising = this.fastHist.back(0) >= this.fastHist.back(p.slopeLookback);
      trend = close > slowSma && rising ? 'up' : 'down';
    }

    if (!Number.isNaN(this.prevClose)) this.rets.push(Math.log(close / this.prevClose));
    this.prevClose = close;
    let vol = NaN;
    let pct = NaN;
    if (this.rets.count === p.volLookback) {
      let m = 0;
      for (let i = 0; i < p.volLookback; i++) m += this.rets.buf[i];
      m /= p.volLookback;
      let v = 0;
      for (let i = 0; i < p.volLookback; i++) v += (this.rets.buf[i] - m) ** 2;
      vol = Math.sqrt(v / (p.volLookback - 1));
      this.vols.push(vol);
      if (this.vols.count >= p.minVolHistory) {
        let le = 0;
        for (let i = 0; i < this.vols.count; i++) if (this.vols.buf[i] <= vol) le++;
        pct = le / this.vols.count;
      }
    }
    const highVol = pct >= p.highVolPercentile;
    this.last = { trend, vol, volPercentile: pct, highVol, allowLong: trend === 'up', sizeMultiplier: highVol ? p.highVolSize : 1 };
    return this.last;
  }
}

export interface RegimeColumns {
  /** 1 up, -1 down, 0 unknown. */
  trend: Int8Array;
  vol: Float64Array;
  volPercentile: Float64Array;
  highVol: Uint8Array;
  sizeMultiplier: Float64Array;
}

/** The regime at every bar of a close column (bar t uses closes <= t). */
export function regimeSeries(close: ArrayLike<number>, params: Partial<RegimeParams> = {}): RegimeColumns {
  const f = new RegimeFilter(params);
  const n = close.length;
  const out: RegimeColumns = {
    trend: new Int8Array(n),
    vol: new Float64Array(n),
    volPercentile: new Float64Array(n),
    highVol: new Uint8Array(n),
    sizeMultiplier: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const s = f.update(close[i]);
    out.trend[i] = s.trend === 'up' ? 1 : s.trend === 'down' ? -1 : 0;
    out.vol[i] = s.vol;
    out.volPercentile[i] = s.volPercentile;
    out.highVol[i] = s.highVol ? 1 : 0;
    out.sizeMultiplier[i] = s.sizeMultiplier;
  }
  return out;
}
