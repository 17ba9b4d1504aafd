/**
 * The one contract every indicator must honour, run over every indicator:
 *   batch == streaming (bit-identical), warm-up = TA-Lib lookback and NaN/null there,
 *   no look-ahead (values at t unchanged when bars after t change or are dropped), reset() restarts cleanly,
 *   short and empty inputs give all-NaN rather than errors.
 */
import { describe, expect, it } from 'vitest';
import { barAt, sliceSeries, type BarSeries } from '../../lib/core/bars.js';
import { CASES, dailySeries, edgeSeries, intradaySeries, scrambleAfter, type Case, type Outputs } from './cases.js';

const DATA: Array<[string, BarSeries]> = [
  ['daily', dailySeries()],
  ['intraday', intradaySeries()],
  ['edge', edgeSeries()],
];

function streamAll(c: Case, s: BarSeries): Outputs {
  const ind = c.stream();
  const keys = Object.keys(c.batch(sliceSeries(s, 0, 1)));
  const out: Outputs = Object.fromEntries(keys.map((k) => [k, new Float64Array(s.length).fill(NaN)]));
  for (let i = 0; i < s.length; i++) {
    const v = ind.update(barAt(s, i));
    expect(ind.count).toBe(i + 1);
    expect(ind.isStable).toBe(v !== null);
    if (v !== null) {
      expect(ind.value).toEqual(v);
      for (const k of keys) out[k][i] = v[k];
    } else {
      expect(ind.value).toBeNull();
    }
  }
  return out;
}

function expectSameUpTo(a: Outputs, b: Outputs, t: number, what: string): void {
  for (const k of Object.keys(a)) {
    for (let i = 0; i <= t; i++) {
      if (!Object.is(a[k][i], b[k][i])) throw new Error(`${what}: output ${k} differs at ${i} (t=${t}): ${a[k][i]} vs ${b[k][i]}`);
    }
  }
}

describe.each(CASES.map((c) => [c.name, c] as const))('indicator contract: %s', (_name, c) => {
  it('declares the TA-Lib lookback', () => {
    expect(c.stream().lookback).toBe(c.lookback);
  });

  it.each(DATA)('batch and streaming agree bit for bit (%s)', (_d, s) => {
    const b = c.batch(s);
    const st = streamAll(c, s);
    for (const k of Object.keys(b)) {
      expect(b[k].length).toBe(s.length);
      for (let i = 0; i < s.length; i++) {
        if (!Object.is(b[k][i], st[k][i])) throw new Error(`${k}[${i}]: batch ${b[k][i]} vs streaming ${st[k][i]}`);
      }
    }
  });

  it.each(DATA)('is NaN exactly during the warm-up (%s)', (_d, s) => {
    const b = c.batch(s);
    for (const [k, col] of Object.entries(b)) {
      for (let i = 0; i < c.lookback; i++) expect(col[i], `${k}[${i}]`).toBeNaN();
      for (let i = c.lookback; i < s.length; i++) {
        if (!Number.isFinite(col[i])) throw new Error(`${k}[${i}] = ${col[i]} after warm-up`);
      }
    }
  });

  it.each(DATA)('never looks ahead (%s)', (_d, s) => {
    const full = c.batch(s);
    for (const t of [0, c.lookback - 1, c.lookback, c.lookback + 1, 57, Math.floor(s.length / 2), s.length - 2]) {
      if (t < 0 || t >= s.length) continue;
      expectSameUpTo(full, c.batch(scrambleAfter(s, t, t + 1)), t, 'bars after t changed');
      expectSameUpTo(full, c.batch(sliceSeries(s, 0, t + 1)), t, 'bars after t dropped');
    }
  });

  it('restarts cleanly after reset()', () => {
    const s = dailySeries();
    const ind = c.stream();
    const first = [];
    for (let i = 0; i < 80; i++) first.push(ind.update(barAt(s, i)));
    ind.reset();
    expect(ind.count).toBe(0);
    expect(ind.value).toBeNull();
    expect(ind.isStable).toBe(false);
    for (let i = 0; i < 80; i++) expect(ind.update(barAt(s, i))).toEqual(first[i]);
  });

  it('gives all NaN for inputs shorter than the warm-up, and empty output for empty input', () => {
    const s = dailySeries();
    for (const n of [0, 1, c.lookback].filter((k) => k <= c.lookback)) {
      const b = c.batch(sliceSeries(s, 0, n));
      for (const col of Object.values(b)) {
        expect(col.length).toBe(n);
        for (const x of col) expect(x).toBeNaN();
      }
    }
  });
});
