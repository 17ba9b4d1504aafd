/**
 * Indicator and feature speed.
 *  1. Each indicator's batch form over 1,000,000 points, next to a plain hand-written Float64Array loop
 *     (target: within 2x), technicalindicators 3.1.0 and trading-signals 8.3.0 (streaming, one update per point).
 *  2. The feature matrix for the 20 pooksoft_sp500 symbols (~5,400 daily bars each; target < 100 ms in total)
 *     and FeatureStream throughput.
 * Median of several runs for ours and the hand loops; the libraries run once (they take seconds).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as TI from 'technicalindicators';
import * as TS from 'trading-signals';
import { barAt, makeSeries, type BarSeries } from '../lib/core/bars.js';
import { Rng } from '../lib/core/rng.js';
import { loadCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { DEFAULT_FEATURES, FEATURE_NAMES, FeatureStream, featureMatrix } from '../lib/features/index.js';
import * as I from '../lib/indicators/index.js';
import { SHARED_DATA, median, time } from './util.js';

const N = 1_000_000;

function randomWalk(n: number, seed: number): BarSeries {
  const rng = new Rng(seed);
  const t = new Float64Array(n);
  const o = new Float64Array(n);
  const h = new Float64Array(n);
  const l = new Float64Array(n);
  const c = new Float64Array(n);
  const v = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const open = p;
    p *= Math.exp(rng.normal() * 0.01);
    t[i] = Date.UTC(2000, 0, 1) + i * 60_000;
    o[i] = open;
    c[i] = p;
    h[i] = Math.max(open, p) * (1 + rng.next() * 0.005);
    l[i] = Math.min(open, p) * (1 - rng.next() * 0.005);
    v[i] = 1000 + Math.floor(rng.next() * 10_000);
  }
  return makeSeries('RW', '1m', { time: t, open: o, high: h, low: l, close: c, volume: v });
}

// ---- hand-written reference loops: the simplest linear-time code one would write inline ----
const hand = {
  sma(x: Float64Array, p: number): Float64Array {
    const out = new Float64Array(x.length).fill(NaN);
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      s += x[i];
      if (i >= p) s -= x[i - p];
      if (i >= p - 1) out[i] = s / p;
    }
    return out;
  },
  ema(x: Float64Array, p: number): Float64Array {
    const out = new Float64Array(x.length).fill(NaN);
    const k = 2 / (p + 1);
    let s = 0;
    for (let i = 0; i < p; i++) s += x[i];
    let e = s / p;
    out[p - 1] = e;
    for (let i = p; i < x.length; i++) out[i] = e = e + k * (x[i] - e);
    return out;
  },
  wma(x: Float64Array, p: number): Float64Array {
    // running sums: sum of the window and the weighted sum, each updated in O(1)
    const out = new Float64Array(x.length).fill(NaN);
    const div = (p * (p + 1)) / 2;
    let s = 0;
    let ws = 0;
    for (let i = 0; i < x.length; i++) {
      if (i < p) {
        s += x[i];
        ws += x[i] * (i + 1);
      } else {
        ws += p * x[i] - s;
        s += x[i] - x[i - p];
      }
      if (i >= p - 1) out[i] = ws / div;
    }
    return out;
  },
  rsi(x: Float64Array, p: number): Float64Array {
    const out = new Float64Array(x.length).fill(NaN);
    let g = 0;
    let l = 0;
    for (let i = 1; i <= p; i++) {
      const d = x[i] - x[i - 1];
      if (d > 0) g += d;
      else l -= d;
    }
    g /= p;
    l /= p;
    out[p] = (100 * g) / (g + l);
    for (let i = p + 1; i < x.length; i++) {
      const d = x[i] - x[i - 1];
      g = (g * (p - 1) + (d > 0 ? d : 0)) / p;
      l = (l * (p - 1) + (d < 0 ? -d : 0)) / p;
      out[i] = (100 * g) / (g + l);
    }
    return out;
  },
  macd(x: Float64Array): Float64Array[] {
    const f = hand.ema(x, 12);
    const s = hand.ema(x, 26);
    const line = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) line[i] = f[i] - s[i];
    const sig = hand.ema(line.subarray(25), 9);
    const hist = new Float64Array(x.length).fill(NaN);
    for (let i = 33; i < x.length; i++) hist[i] = line[i] - sig[i - 25];
    return [line, sig, hist];
  },
  bollinger(x: Float64Array, p: number, k: number): Float64Array[] {
    // the same five outputs as ours: upper, middle, lower, %B, width
    const n = x.length;
    const up = new Float64Array(n).fill(NaN);
    const mid = new Float64Array(n).fill(NaN);
    const lo = new Float64Array(n).fill(NaN);
    const pb = new Float64Array(n).fill(NaN);
    const w = new Float64Array(n).fill(NaN);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      s += x[i];
      s2 += x[i] * x[i];
      if (i >= p) {
        s -= x[i - p];
        s2 -= x[i - p] * x[i - p];
      }
      if (i >= p - 1) {
        const m = s / p;
        const sd = Math.sqrt(Math.max(0, s2 / p - m * m));
        mid[i] = m;
        up[i] = m + k * sd;
        lo[i] = m - k * sd;
        pb[i] = sd > 0 ? (x[i] - lo[i]) / (up[i] - lo[i]) : 0.5;
        w[i] = (up[i] - lo[i]) / m;
      }
    }
    return [up, mid, lo, pb, w];
  },
  atr(h: Float64Array, l: Float64Array, c: Float64Array, p: number): Float64Array {
    const out = new Float64Array(c.length).fill(NaN);
    let a = 0;
    for (let i = 1; i < c.length; i++) {
      const tr = Math.max(h[i] - l[i], Math.abs(h[i] - c[i - 1]), Math.abs(l[i] - c[i - 1]));
      if (i <= p) {
        a += tr / p;
        if (i === p) out[i] = a;
      } else out[i] = a = (a * (p - 1) + tr) / p;
    }
    return out;
  },
  adx(h: Float64Array, l: Float64Array, c: Float64Array, p: number): Float64Array {
    const n = c.length;
    const out = new Float64Array(n).fill(NaN);
    let pdm = 0;
    let mdm = 0;
    let tr = 0;
    let sdx = 0;
    let adx = 0;
    for (let i = 1; i < n; i++) {
      const up = h[i] - h[i - 1];
      const dn = l[i - 1] - l[i];
      const p1 = up > dn && up > 0 ? up : 0;
      const m1 = dn > up && dn > 0 ? dn : 0;
      const t1 = Math.max(h[i] - l[i], Math.abs(h[i] - c[i - 1]), Math.abs(l[i] - c[i - 1]));
      if (i < p) {
        pdm += p1;
        mdm += m1;
        tr += t1;
        continue;
      }
      pdm = pdm - pdm / p + p1;
      mdm = mdm - mdm / p + m1;
      tr = tr - tr / p + t1;
      const dx = (100 * Math.abs(pdm - mdm)) / (pdm + mdm);
      if (i < 2 * p - 1) sdx += dx;
      else if (i === 2 * p - 1) out[i] = adx = (sdx + dx) / p;
      else out[i] = adx = (adx * (p - 1) + dx) / p;
    }
    return out;
  },
  stochastic(h: Float64Array, l: Float64Array, c: Float64Array, kp: number): Float64Array[] {
    const n = c.length;
    const raw = new Float64Array(n).fill(NaN);
    for (let i = kp - 1; i < n; i++) {
      let hh = -Infinity;
      let ll = Infinity;
      for (let j = i - kp + 1; j <= i; j++) {
        if (h[j] > hh) hh = h[j];
        if (l[j] < ll) ll = l[j];
      }
      raw[i] = hh > ll ? (100 * (c[i] - ll)) / (hh - ll) : 0;
    }
    const k = hand.sma(raw.subarray(kp - 1), 3);
    const d = hand.sma(k.subarray(2), 3);
    return [k, d];
  },
  roc(x: Float64Array, p: number): Float64Array {
    const out = new Float64Array(x.length).fill(NaN);
    for (let i = p; i < x.length; i++) out[i] = (x[i] / x[i - p] - 1) * 100;
    return out;
  },
  obv(c: Float64Array, v: Float64Array): Float64Array {
    const out = new Float64Array(c.length);
    let o = v[0];
    out[0] = o;
    for (let i = 1; i < c.length; i++) out[i] = o += c[i] > c[i - 1] ? v[i] : c[i] < c[i - 1] ? -v[i] : 0;
    return out;
  },
  volatility(c: Float64Array, p: number): Float64Array {
    const n = c.length;
    const out = new Float64Array(n).fill(NaN);
    const r = new Float64Array(n);
    for (let i = 1; i < n; i++) r[i] = c[i] / c[i - 1] - 1;
    let s = 0;
    let s2 = 0;
    for (let i = 1; i < n; i++) {
      s += r[i];
      s2 += r[i] * r[i];
      if (i > p) {
        s -= r[i - p];
        s2 -= r[i - p] * r[i - p];
      }
      if (i >= p) out[i] = Math.sqrt(Math.max(0, (s2 - (s * s) / p) / (p - 1)));
    }
    return out;
  },
  vwap(t: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, v: Float64Array): Float64Array {
    const out = new Float64Array(c.length);
    let day = -1;
    let pv = 0;
    let vv = 0;
    for (let i = 0; i < c.length; i++) {
      const d = Math.floor(t[i] / 86_400_000);
      if (d !== day) {
        day = d;
        pv = 0;
        vv = 0;
      }
      const tp = (h[i] + l[i] + c[i]) / 3;
      pv += tp * v[i];
      vv += v[i];
      out[i] = vv > 0 ? pv / vv : tp;
    }
    return out;
  },
};

interface Row {
  name: string;
  ours: () => unknown;
  hand: () => unknown;
  ti?: () => unknown;
  ts?: () => unknown;
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? '-' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

export async function run(): Promise<void> {
  console.log(`\n## Indicators over ${N.toLocaleString('en-US')} points (ms; ours = batch form; x = ours / hand loop, target <= 2; technicalindicators and trading-signals measured in this run)`);
  const s = randomWalk(N, 1);
  const { high: h, low: l, close: c, volume: v, time: t } = s;
  const arr = Array.from(c);
  const hlc = () => ({ high: Array.from(h), low: Array.from(l), close: arr });
  const feed = <T>(ind: { add(x: T): unknown }, xs: T[]) => () => {
    for (const x of xs) ind.add(x);
  };
  const candles = (): Array<{ high: number; low: number; close: number }> => Array.from({ length: N }, (_, i) => ({ high: h[i], low: l[i], close: c[i] }));
  const rows: Row[] = [
    { name: 'SMA(20)', ours: () => I.sma(c, 20), hand: () => hand.sma(c, 20), ti: () => TI.SMA.calculate({ period: 20, values: arr }), ts: () => feed(new TS.SMA(20), arr)() },
    { name: 'EMA(20)', ours: () => I.ema(c, 20), hand: () => hand.ema(c, 20), ti: () => TI.EMA.calculate({ period: 20, values: arr }), ts: () => feed(new TS.EMA(20), arr)() },
    { name: 'WMA(20)', ours: () => I.wma(c, 20), hand: () => hand.wma(c, 20), ti: () => TI.WMA.calculate({ period: 20, values: arr }), ts: () => feed(new TS.WMA(20), arr)() },
    { name: 'RSI(14)', ours: () => I.rsi(c, 14), hand: () => hand.rsi(c, 14), ti: () => TI.RSI.calculate({ period: 14, values: arr }), ts: () => feed(new TS.RSI(14), arr)() },
    {
      name: 'MACD(12,26,9)',
      ours: () => I.macd(c),
      hand: () => hand.macd(c),
      ti: () => TI.MACD.calculate({ values: arr, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
      ts: () => feed(new TS.MACD(new TS.EMA(12), new TS.EMA(26), new TS.EMA(9)), arr)(),
    },
    { name: 'Bollinger(20,2)', ours: () => I.bollinger(c), hand: () => hand.bollinger(c, 20, 2), ti: () => TI.BollingerBands.calculate({ period: 20, stdDev: 2, values: arr }), ts: () => feed(new TS.BollingerBands(20, 2), arr)() },
    { name: 'ATR(14)', ours: () => I.atr(h, l, c, 14), hand: () => hand.atr(h, l, c, 14), ti: () => TI.ATR.calculate({ period: 14, ...hlc() }), ts: () => feed(new TS.ATR(14), candles())() },
    { name: 'ADX(14)', ours: () => I.adx(h, l, c, 14), hand: () => hand.adx(h, l, c, 14), ti: () => TI.ADX.calculate({ period: 14, ...hlc() }), ts: () => feed(new TS.ADX(14), candles())() },
    {
      name: 'STOCH(5,3,3)',
      ours: () => I.stochastic(h, l, c),
      hand: () => hand.stochastic(h, l, c, 5),
      ti: () => TI.Stochastic.calculate({ period: 5, signalPeriod: 3, ...hlc() }),
      ts: () => feed(new TS.StochasticOscillator({ kPeriod: 5, kSlowingPeriod: 3, dPeriod: 3 }), candles())(),
    },
    { name: 'ROC(10)', ours: () => I.roc(c, 10), hand: () => hand.roc(c, 10), ti: () => TI.ROC.calculate({ period: 10, values: arr }), ts: () => feed(new TS.ROC(10), arr)() },
    { name: 'OBV', ours: () => I.obv(c, v), hand: () => hand.obv(c, v), ti: () => TI.OBV.calculate({ close: arr, volume: Array.from(v) }) },
    { name: 'volatility(20)', ours: () => I.volatility(c, 20), hand: () => hand.volatility(c, 20) },
    { name: 'VWAP(session)', ours: () => I.vwap(t, h, l, c, v), hand: () => hand.vwap(t, h, l, c, v) },
  ];
  console.log('| indicator | ours | hand loop | x | technicalindicators | trading-signals |');
  console.log('|---|---|---|---|---|---|');
  const worst: string[] = [];
  for (const r of rows) {
    const ours = median(Array.from({ length: 7 }, () => time(() => void r.ours())));
    const hd = median(Array.from({ length: 7 }, () => time(() => void r.hand())));
    const ti = r.ti ? time(() => void r.ti!()) : undefined;
    const ts = r.ts ? time(() => void r.ts!()) : undefined;
    const x = ours / hd;
    if (x > 2) worst.push(r.name);
    console.log(`| ${r.name} | ${fmt(ours)} | ${fmt(hd)} | ${x.toFixed(2)} | ${fmt(ti)} | ${fmt(ts)} |`);
  }
  console.log(worst.length ? `over 2x the hand loop: ${worst.join(', ')}` : 'every batch form is within 2x of the hand loop');

  console.log('\n## Features');
  const dir = join(SHARED_DATA, 'pooksoft_sp500');
  let series: BarSeries[];
  if (existsSync(dir)) {
    series = readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => loadCsvFile(join(dir, f)).series);
  } else {
    console.log('(../shared/data not found: synthetic market instead)');
    series = syntheticMarket({ symbols: Array.from({ length: 20 }, (_, i) => `S${i}`), start: '2000-01-01', end: '2021-01-01' });
  }
  const bars = series.reduce((a, x) => a + x.length, 0);
  for (const [label, names] of [
    [`default set (${DEFAULT_FEATURES.length})`, DEFAULT_FEATURES],
    [`all features (${FEATURE_NAMES.length})`, FEATURE_NAMES],
  ] as const) {
    const ms = median(Array.from({ length: 9 }, () => time(() => series.forEach((x) => featureMatrix(x, names)))));
    console.log(`featureMatrix, ${label}, ${series.length} symbols x ~${Math.round(bars / series.length)} bars (${bars} rows): ${fmt(ms)} ms (target < 100 ms)`);
  }
  const one = series[0];
  const fs = new FeatureStream(FEATURE_NAMES);
  const ms = time(() => {
    for (let i = 0; i < one.length; i++) fs.update(barAt(one, i));
  });
  console.log(`FeatureStream, all features, one bar at a time: ${Math.round(one.length / (ms / 1000)).toLocaleString('en-US')} bars/s`);
}

if (process.argv[1]?.endsWith('indicators.ts')) void run();
