/** Random periods and random series (with flat stretches): TA-Lib agreement and batch == streaming hold everywhere. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barAt, makeSeries, type BarSeries } from '../../lib/core/bars.js';
import * as I from '../../lib/indicators/index.js';
import { ta } from './talib.js';

/** A random walk of n bars; `flat` marks stretches where the price does not move (zero ranges). */
const seriesArb = fc
  .record({
    steps: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 1, maxLength: 160 }),
    flatEvery: fc.integer({ min: 0, max: 7 }),
    spread: fc.double({ min: 0, max: 0.03, noNaN: true }),
  })
  .map(({ steps, flatEvery, spread }): BarSeries => {
    let p = 50;
    const c: number[] = [];
    const h: number[] = [];
    const l: number[] = [];
    steps.forEach((r, i) => {
      const flat = flatEvery > 0 && i % 8 < flatEvery;
      if (!flat) p *= 1 + r;
      c.push(p);
      h.push(flat ? p : p * (1 + spread * Math.abs(Math.sin(i))));
      l.push(flat ? p : p * (1 - spread * Math.abs(Math.cos(i))));
    });
    return makeSeries('P', '1d', { time: c.map((_, i) => i * 86_400_000), open: c, high: h, low: l, close: c, volume: c.map((_, i) => 100 + (i % 5) * 10) });
  });

function same(a: Float64Array, b: ArrayLike<number>, tol: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(y) ? !Number.isNaN(x) : !(Math.abs(x - y) <= tol * Math.max(1, Math.abs(y)))) return false;
  }
  return true;
}

function streamed<T>(s: BarSeries, ind: I.StreamingIndicator<T, number>, input: (i: number) => T): Float64Array {
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = ind.update(input(i)) ?? NaN;
  return out;
}

describe('random periods and series', () => {
  it('batch == streaming, bit for bit', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 2, max: 30 }), (s, p) => {
        const c = (i: number) => s.close[i];
        const b = (i: number) => barAt(s, i);
        const pairs: Array<[Float64Array, Float64Array]> = [
          [I.sma(s.close, p), streamed(s, new I.Sma(p), c)],
          [I.ema(s.close, p), streamed(s, new I.Ema(p), c)],
          [I.wma(s.close, p), streamed(s, new I.Wma(p), c)],
          [I.rsi(s.close, p), streamed(s, new I.Rsi(p), c)],
          [I.atr(s.high, s.low, s.close, p), streamed(s, new I.Atr(p), b)],
          [I.adx(s.high, s.low, s.close, p), streamed(s, new I.Adx(p), b)],
          [I.volatility(s.close, p), streamed(s, new I.Volatility(p), c)],
          [I.rollingStd(s.close, p, 1), streamed(s, new I.RollingStd(p, 1), c)],
        ];
        return pairs.every(([x, y]) => x.every((v, i) => Object.is(v, y[i])));
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('agree with TA-Lib to 1e-9', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 10 }), (s, p, q) => {
        const inReal = { inReal: s.close };
        const hlc = { high: s.high, low: s.low, close: s.close };
        const checks: Array<[Float64Array, ArrayLike<number>]> = [
          [I.sma(s.close, p), ta('SMA', inReal, { optInTimePeriod: p }).outReal],
          [I.ema(s.close, p), ta('EMA', inReal, { optInTimePeriod: p }).outReal],
          [I.wma(s.close, p), ta('WMA', inReal, { optInTimePeriod: p }).outReal],
          [I.rsi(s.close, p), ta('RSI', inReal, { optInTimePeriod: p }).outReal],
          [I.atr(s.high, s.low, s.close, p), ta('ATR', hlc, { optInTimePeriod: p }).outReal],
          [I.adx(s.high, s.low, s.close, p), ta('ADX', hlc, { optInTimePeriod: p }).outReal],
          [I.roc(s.close, p), ta('ROC', inReal, { optInTimePeriod: p }).outReal],
          [I.momentum(s.close, p), ta('MOM', inReal, { optInTimePeriod: p }).outReal],
        ];
        // signal period >= 2: the talib binding returns garbage for MACD with signalPeriod 1
        const sig = Math.max(2, q);
        const m = I.macd(s.close, { fast: Math.max(2, p - q), slow: p + 1, signal: sig });
        const tm = ta('MACD', inReal, { optInFastPeriod: Math.max(2, p - q), optInSlowPeriod: p + 1, optInSignalPeriod: sig });
        checks.push([m.macd, tm.outMACD], [m.signal, tm.outMACDSignal], [m.hist, tm.outMACDHist]);
        const st = I.stochastic(s.high, s.low, s.close, { kPeriod: p, kSmooth: q, dPeriod: q });
        const ts = ta('STOCH', hlc, { optInFastK_Period: p, optInSlowK_Period: q, optInSlowK_MAType: 0, optInSlowD_Period: q, optInSlowD_MAType: 0 });
        checks.push([st.k, ts.outSlowK], [st.d, ts.outSlowD]);
        return checks.every(([ours, ref], k) => {
          const ok = same(ours, ref, 1e-9);
          if (!ok) expect.soft(k, `check ${k} differs (n=${s.length}, p=${p}, q=${q})`).toBe(-1);
          return ok;
        });
      }),
      { numRuns: 80, seed: 7 },
    );
  });
});
