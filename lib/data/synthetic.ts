/**
 * A seeded synthetic market: the offline default, so everything runs without a network.
 *
 * Each symbol follows a regime-switching process shared through a market factor:
 *   - a 3-state Markov chain of market regimes (bull: positive drift, low vol; bear: negative drift,
 *     high vol; range: no drift, mean reversion) with persistent regimes (tens to hundreds of bars);
 *   - GARCH(1,1)-style volatility clustering on each symbol's idiosyncratic shock;
 *   - beta to the market factor, so symbols co-move as real equities do;
 *   - OHLC built from the close path with intrabar extremes consistent with the bar's volatility, so
 *     low <= min(open, close) <= max(open, close) <= high always holds; overnight gaps on open;
 *   - volume rising with |return| and volatility, lognormal noise;
 *   - one planted, learnable effect (a positive control for research pipelines): after a close with RSI(14)
 *     below 35 the next bar's log return gets `oversoldBounce` added (default 2.5%). Real markets show a weak
 *     short-term reversal; this one is deliberately strong enough for a model to find. Set it to 0 for a
 *     market with no edge at all, in which an honest model must not beat the base rate.
 * The same seed, symbols and dates give the same bars, bit for bit.
 */
import { makeSeries, sliceByTime, type BarSeries, type Interval, INTERVAL_MS } from '../core/bars.js';
import { Rng, hashString } from '../core/rng.js';
import type { DataProvider, DataRequest } from './provider.js';
import { toEpochMs } from './provider.js';

export const DEFAULT_SYMBOLS = ['SYNA', 'SYNB', 'SYNC', 'SYND', 'SYNE'] as const;
export const DEFAULT_START = '2015-01-02';
export const DEFAULT_END = '2025-01-01';

export interface SyntheticOptions {
  symbols?: readonly string[];
  start?: string | number;
  end?: string | number;
  interval?: Interval;
  seed?: number;
  /** Log return added to the bar after an RSI(14) < 35 close (default DEFAULT_OVERSOLD_BOUNCE; 0 = no edge). */
  oversoldBounce?: number;
}

export const DEFAULT_OVERSOLD_BOUNCE = 0.025;
const RSI_PERIOD = 14;
const OVERSOLD = 35;

interface Regime {
  drift: number; // daily log drift of the market factor
  vol: number; // daily vol of the market factor
  stay: number; // probability of staying in the regime each day
}

const REGIMES: readonly Regime[] = [
  { drift: 0.0009, vol: 0.008, stay: 0.992 }, // bull
  { drift: -0.0012, vol: 0.02, stay: 0.975 }, // bear
  { drift: 0.0, vol: 0.011, stay: 0.985 }, // range
];

/** Trading timestamps in [start, end): weekdays for daily bars; 09:30-16:00 ET-like sessions (UTC 14:30-21:00) intraday. */
export function tradingTimes(startMs: number, endMs: number, interval: Interval): Float64Array {
  const step = INTERVAL_MS[interval];
  const out: number[] = [];
  if (interval === '1d' || interval === '1wk') {
    const day = 86_400_000;
    let t = Math.floor(startMs / day) * day;
    if (t < startMs) t += day;
    for (; t < endMs; t += interval === '1d' ? day : 7 * day) {
      const wd = new Date(t).getUTCDay();
      if (interval === '1d' && (wd === 0 || wd === 6)) continue;
      out.push(t);
    }
  } else {
    const day = 86_400_000;
    for (let d = Math.floor(startMs / day) * day; d < endMs; d += day) {
      const wd = new Date(d).getUTCDay();
      if (wd === 0 || wd === 6) continue;
      for (let t = d + 14.5 * 3_600_000; t < d + 21 * 3_600_000; t += step) {
        if (t >= startMs && t < endMs) out.push(t);
      }
    }
  }
  return Float64Array.from(out);
}

/** The market regime path (0 bull, 1 bear, 2 range) and factor returns shared by all symbols. */
function marketPath(n: number, rng: Rng, scale: number): { regime: Uint8Array; ret: Float64Array } {
  const regime = new Uint8Array(n);
  const ret = new Float64Array(n);
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && rng.next() > Math.pow(REGIMES[r].stay, scale)) {
      r = (r + 1 + rng.int(2)) % 3;
    }
    regime[i] = r;
    ret[i] = REGIMES[r].drift * scale + REGIMES[r].vol * Math.sqrt(scale) * rng.normal();
  }
  return { regime, ret };
}

export function generateSymbol(
  symbol: string,
  times: Float64Array,
  interval: Interval,
  market: { regime: Uint8Array; ret: Float64Array },
  seed: number,
  oversoldBounce: number = DEFAULT_OVERSOLD_BOUNCE,
): BarSeries {
  const n = times.length;
  const rng = new Rng((seed ^ hashString(symbol)) >>> 0);
  const scale = sessionScale(interval);
  const beta = 0.6 + rng.next() * 0.9;
  const idioVol = (0.008 + rng.next() * 0.012) * Math.sqrt(scale);
  const alpha = (rng.next() - 0.45) * 0.0004 * scale;
  const baseVolume = Math.round(Math.exp(13 + rng.next() * 3) * scale);
  let price = 20 + rng.next() * 180;
  // GARCH(1,1) on the idiosyncratic shock: long-run variance idioVol^2.
  const omega = idioVol * idioVol * 0.05;
  const a1 = 0.08;
  const b1 = 0.87;
  let variance = idioVol * idioVol;
  let prevShock = 0;
  // Wilder RSI(14) of the closes so far (no extra random draws: the seed's stream is unchanged).
  let avgGain = 0;
  let avgLoss = 0;
  let oversold = false;

  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    variance = omega + a1 * prevShock * prevShock + b1 * variance;
    const shock = Math.sqrt(variance) * rng.normal();
    prevShock = shock;
    const mr = market.regime[i] === 2 ? -0.02 * Math.log(price / 100) * scale : 0;
    const logRet = alpha + beta * market.ret[i] + shock + mr + (oversold ? oversoldBounce * Math.sqrt(scale) : 0);
    const barVol = Math.sqrt(variance + (beta * REGIMES[market.regime[i]].vol) ** 2 * scale);
    const gap = barVol * 0.25 * rng.normal();
    const o = price * Math.exp(gap);
    const c = price * Math.exp(logRet);
    const up = Math.abs(rng.normal()) * barVol * 0.5;
    const down = Math.abs(rng.normal()) * barVol * 0.5;
    const h = Math.max(o, c) * Math.exp(up);
    const l = Math.min(o, c) * Math.exp(-down);
    open[i] = round2(o);
    close[i] = round2(c);
    high[i] = Math.max(round2(h), open[i], close[i]);
    low[i] = Math.min(round2(l), open[i], close[i]);
    const activity = 1 + 25 * Math.abs(logRet) + 10 * barVol;
    volume[i] = Math.max(100, Math.round(baseVolume * activity * Math.exp(0.3 * rng.normal())));
    if (i > 0) {
      const ch = close[i] - close[i - 1];
      const gain = ch > 0 ? ch : 0;
      const loss = ch < 0 ? -ch : 0;
      if (i <= RSI_PERIOD) {
        avgGain += gain / RSI_PERIOD;
        avgLoss += loss / RSI_PERIOD;
      } else {
        avgGain = (avgGain * (RSI_PERIOD - 1) + gain) / RSI_PERIOD;
        avgLoss = (avgLoss * (RSI_PERIOD - 1) + loss) / RSI_PERIOD;
      }
      oversold = i >= RSI_PERIOD && avgGain + avgLoss > 0 && (100 * avgGain) / (avgGain + avgLoss) < OVERSOLD;
    }
    price = close[i];
  }
  return makeSeries(symbol, interval, { time: times, open, high, low, close, volume, adjClose: close.slice() }, true);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Fraction of a 6.5-hour session one bar spans (1 for daily and longer bars). */
function sessionScale(interval: Interval): number {
  return Math.min(1, INTERVAL_MS[interval] / 23_400_000);
}

interface Timeline {
  readonly times: Float64Array;
  readonly market: { regime: Uint8Array; ret: Float64Array };
}

/** The trading timestamps of a window and the market regime path over them: what every symbol shares. */
function timeline(start: string | number | undefined, end: string | number | undefined, interval: Interval, seed: number): Timeline {
  const times = tradingTimes(toEpochMs(start, toEpochMs(DEFAULT_START, 0)), toEpochMs(end, toEpochMs(DEFAULT_END, 0)), interval);
  return { times, market: marketPath(times.length, new Rng(seed), sessionScale(interval)) };
}

/** Several symbols on one timeline, driven by one market regime path. */
export function syntheticMarket(opts: SyntheticOptions = {}): BarSeries[] {
  const interval = opts.interval ?? '1d';
  const seed = opts.seed ?? 42;
  const { times, market } = timeline(opts.start, opts.end, interval, seed);
  return (opts.symbols ?? DEFAULT_SYMBOLS).map((s) => generateSymbol(s, times, interval, market, seed, opts.oversoldBounce));
}

/** The market regime labels used to generate the data (0 bull, 1 bear, 2 range): ground truth for regime-filter research. */
export function syntheticRegimes(opts: SyntheticOptions = {}): { time: Float64Array; regime: Uint8Array } {
  const { times, market } = timeline(opts.start, opts.end, opts.interval ?? '1d', opts.seed ?? 42);
  return { time: times, regime: market.regime };
}

/**
 * The offline default provider. Any symbol name works (its own seeded path); the market factor is
 * generated over the provider's whole window so a symbol's bars do not depend on the requested range.
 */
export class SyntheticProvider implements DataProvider {
  readonly name = 'synthetic';
  /** The market path per interval, generated once and shared by every symbol this provider serves. */
  private readonly timelines = new Map<Interval, Timeline>();
  constructor(private readonly opts: { seed?: number; start?: string; end?: string; oversoldBounce?: number } = {}) {}

  async load(req: DataRequest): Promise<BarSeries> {
    return this.loadSync(req);
  }

  loadSync(req: DataRequest): BarSeries {
    const interval = req.interval ?? '1d';
    const seed = this.opts.seed ?? 42;
    let shared = this.timelines.get(interval);
    if (!shared) this.timelines.set(interval, (shared = timeline(this.opts.start, this.opts.end, interval, seed)));
    const full = generateSymbol(req.symbol, shared.times, interval, shared.market, seed, this.opts.oversoldBounce);
    return sliceByTime(full, toEpochMs(req.start, -Infinity), toEpochMs(req.end, Infinity));
  }
}
