/** Every indicator as one uniform case: batch over a series, a fresh streaming instance fed bar by bar, lookback. */
import type { Bar, BarSeries } from '../../lib/core/bars.js';
import { makeSeries } from '../../lib/core/bars.js';
import { Rng } from '../../lib/core/rng.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import * as I from '../../lib/indicators/index.js';
import type { StreamingIndicator } from '../../lib/indicators/index.js';

export type Outputs = Record<string, Float64Array>;
type Point = Record<string, number>;

export interface Case {
  readonly name: string;
  readonly lookback: number;
  batch(s: BarSeries): Outputs;
  /** A fresh streaming indicator, adapted to take bars and give named outputs. */
  stream(): StreamingIndicator<Bar, Point>;
}

/** Adapts an indicator to the uniform bar-in, named-outputs-out shape the contract test uses. */
function adapt<In, Out>(ind: StreamingIndicator<In, Out>, input: (b: Bar) => In, output: (o: Out) => Point): StreamingIndicator<Bar, Point> {
  return {
    get lookback() {
      return ind.lookback;
    },
    get count() {
      return ind.count;
    },
    get isStable() {
      return ind.isStable;
    },
    get value() {
      return ind.value === null ? null : output(ind.value);
    },
    update: (b: Bar) => {
      const v = ind.update(input(b));
      return v === null ? null : output(v);
    },
    reset: () => ind.reset(),
  };
}

const close = (b: Bar) => b.close;
const bar = (b: Bar) => b;
const one = (v: number): Point => ({ value: v });
const obj = (o: object): Point => ({ ...(o as Point) });

export const CASES: readonly Case[] = [
  { name: 'sma(1)', lookback: 0, batch: (s) => ({ value: I.sma(s.close, 1) }), stream: () => adapt(new I.Sma(1), close, one) },
  { name: 'sma(10)', lookback: 9, batch: (s) => ({ value: I.sma(s.close, 10) }), stream: () => adapt(new I.Sma(10), close, one) },
  { name: 'ema(12)', lookback: 11, batch: (s) => ({ value: I.ema(s.close, 12) }), stream: () => adapt(new I.Ema(12), close, one) },
  { name: 'wma(9)', lookback: 8, batch: (s) => ({ value: I.wma(s.close, 9) }), stream: () => adapt(new I.Wma(9), close, one) },
  { name: 'rsi(14)', lookback: 14, batch: (s) => ({ value: I.rsi(s.close, 14) }), stream: () => adapt(new I.Rsi(14), close, one) },
  { name: 'macd(12,26,9)', lookback: 33, batch: (s) => ({ ...I.macd(s.close) }), stream: () => adapt(new I.Macd(), close, obj) },
  { name: 'macd(5,8,3)', lookback: 9, batch: (s) => ({ ...I.macd(s.close, { fast: 5, slow: 8, signal: 3 }) }), stream: () => adapt(new I.Macd({ fast: 5, slow: 8, signal: 3 }), close, obj) },
  { name: 'bollinger(20,2)', lookback: 19, batch: (s) => ({ ...I.bollinger(s.close) }), stream: () => adapt(new I.BollingerBands(), close, obj) },
  { name: 'trueRange', lookback: 1, batch: (s) => ({ value: I.trueRange(s.high, s.low, s.close) }), stream: () => adapt(new I.TrueRange(), bar, one) },
  { name: 'atr(14)', lookback: 14, batch: (s) => ({ value: I.atr(s.high, s.low, s.close, 14) }), stream: () => adapt(new I.Atr(14), bar, one) },
  { name: 'adx(14)', lookback: 27, batch: (s) => ({ value: I.adx(s.high, s.low, s.close, 14) }), stream: () => adapt(new I.Adx(14), bar, one) },
  { name: 'adx(5)', lookback: 9, batch: (s) => ({ value: I.adx(s.high, s.low, s.close, 5) }), stream: () => adapt(new I.Adx(5), bar, one) },
  { name: 'stochastic(5,3,3)', lookback: 8, batch: (s) => ({ ...I.stochastic(s.high, s.low, s.close) }), stream: () => adapt(new I.Stochastic(), bar, obj) },
  { name: 'stochastic(14,1,3)', lookback: 15, batch: (s) => ({ ...I.stochastic(s.high, s.low, s.close, { kPeriod: 14, kSmooth: 1, dPeriod: 3 }) }), stream: () => adapt(new I.Stochastic({ kPeriod: 14, kSmooth: 1, dPeriod: 3 }), bar, obj) },
  { name: 'roc(10)', lookback: 10, batch: (s) => ({ value: I.roc(s.close, 10) }), stream: () => adapt(new I.Roc(10), close, one) },
  { name: 'momentum(10)', lookback: 10, batch: (s) => ({ value: I.momentum(s.close, 10) }), stream: () => adapt(new I.Momentum(10), close, one) },
  { name: 'obv', lookback: 0, batch: (s) => ({ value: I.obv(s.close, s.volume) }), stream: () => adapt(new I.Obv(), bar, one) },
  { name: 'rollingStd(20,0)', lookback: 19, batch: (s) => ({ value: I.rollingStd(s.volume, 20, 0) }), stream: () => adapt(new I.RollingStd(20, 0), (b) => b.volume, one) },
  { name: 'volatility(20)', lookback: 20, batch: (s) => ({ value: I.volatility(s.close, 20) }), stream: () => adapt(new I.Volatility(20), close, one) },
  { name: 'vwap(session)', lookback: 0, batch: (s) => ({ value: I.vwap(s.time, s.high, s.low, s.close, s.volume) }), stream: () => adapt(new I.Vwap(), bar, one) },
];

/** 400 synthetic daily bars, seeded. */
export function dailySeries(seed = 7, start = '2020-01-01', end = '2021-07-01'): BarSeries {
  return syntheticMarket({ symbols: ['T'], start, end, seed })[0];
}

/** Five days of 5-minute bars: exercises the VWAP session reset. */
export function intradaySeries(seed = 3): BarSeries {
  return syntheticMarket({ symbols: ['M'], start: '2024-03-04', end: '2024-03-09', interval: '5m', seed })[0];
}

/** Awkward data: flat runs (zero ranges, zero changes), equal highs and lows, a zero-volume stretch. */
export function edgeSeries(): BarSeries {
  const n = 120;
  const c: number[] = [];
  for (let i = 0; i < n; i++) c.push(i < 30 ? 100 : i < 60 ? 100 + ((i * 7) % 5) - 2 : i < 75 ? 101 : 101 + Math.sin(i) * 3);
  const h = c.map((x, i) => (i >= 60 && i < 75 ? x : x + (i % 3)));
  const l = c.map((x, i) => (i >= 60 && i < 75 ? x : x - (i % 2)));
  const v = c.map((_, i) => (i >= 40 && i < 55 ? 0 : 1000 + i * 10));
  const t = c.map((_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000);
  return makeSeries('EDGE', '1d', { time: t, open: c, high: h, low: l, close: c, volume: v });
}

/** Replace every bar after t with unrelated random (but valid) bars. */
export function scrambleAfter(s: BarSeries, t: number, seed: number): BarSeries {
  const rng = new Rng(seed);
  const cols = { time: Float64Array.from(s.time), open: Float64Array.from(s.open), high: Float64Array.from(s.high), low: Float64Array.from(s.low), close: Float64Array.from(s.close), volume: Float64Array.from(s.volume) };
  for (let i = t + 1; i < s.length; i++) {
    const c = 50 + rng.next() * 100;
    cols.open[i] = c * (1 + (rng.next() - 0.5) * 0.02);
    cols.close[i] = c;
    cols.high[i] = Math.max(cols.open[i], c) * (1 + rng.next() * 0.03);
    cols.low[i] = Math.min(cols.open[i], c) * (1 - rng.next() * 0.03);
    cols.volume[i] = Math.floor(rng.next() * 1e7);
  }
  return makeSeries(s.symbol, s.interval, cols);
}

