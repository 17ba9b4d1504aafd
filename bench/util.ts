import { existsSync } from 'node:fs';
import { makeSeries, type BarSeries } from '../lib/core/bars.js';
import { resolve } from 'node:path';

/** ../shared/data when this checkout sits beside it (development machines, CI); benchmarks fall back otherwise. */
export const SHARED_DATA = [resolve(process.cwd(), '../shared/data'), '/work/shared/data'].find((p) => existsSync(p)) ?? resolve(process.cwd(), '../shared/data');

export function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** A seeded random walk of `n` one-minute bars (cheap to make at 10M; the engine does not care about the calendar). */
export function walk(symbol: string, n: number, seed: number): BarSeries {
  let x = seed >>> 0 || 1;
  const rnd = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const t = new Float64Array(n);
  const o = new Float64Array(n);
  const h = new Float64Array(n);
  const l = new Float64Array(n);
  const c = new Float64Array(n);
  const v = new Float64Array(n).fill(1000);
  let p = 100;
  for (let i = 0; i < n; i++) {
    t[i] = 946_684_800_000 + i * 60_000;
    o[i] = p;
    p *= Math.exp((rnd() - 0.5) * 0.004);
    c[i] = p;
    h[i] = Math.max(o[i], p) * 1.001;
    l[i] = Math.min(o[i], p) * 0.999;
  }
  return makeSeries(symbol, '1m', { time: t, open: o, high: h, low: l, close: c, volume: v });
}
