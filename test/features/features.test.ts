import { describe, expect, it } from 'vitest';
import { barAt, sliceSeries, type BarSeries } from '../../lib/core/bars.js';
import * as I from '../../lib/indicators/index.js';
import {
  DEFAULT_FEATURES,
  FEATURES,
  FEATURE_NAMES,
  FeatureStream,
  LABEL_NAMES,
  compareFeatureSpec,
  featureDocs,
  featureLookback,
  featureVersion,
  featureMatrix,
  featureSpec,
  forwardReturn,
  resolveFeatureNames,
} from '../../lib/features/index.js';
import { dailySeries, edgeSeries, intradaySeries, scrambleAfter } from '../indicators/cases.js';

const DATA: Array<[string, BarSeries]> = [
  ['daily', dailySeries(21)],
  ['intraday', intradaySeries(4)],
  ['edge', edgeSeries()],
];

describe('feature registry', () => {
  it('has at least 13 documented features; the default set is the 13 of the original research', () => {
    expect(FEATURE_NAMES.length).toBeGreaterThanOrEqual(18);
    expect(DEFAULT_FEATURES).toHaveLength(13);
    for (const n of DEFAULT_FEATURES) expect(FEATURE_NAMES).toContain(n);
    for (const d of FEATURES.values()) {
      expect(d.description.length).toBeGreaterThan(5);
      expect(d.formula.length).toBeGreaterThan(3);
      expect(d.inputs.length).toBeGreaterThanOrEqual(1);
      expect(d.inputs.length).toBeLessThanOrEqual(3);
    }
  });

  it('rejects unknown names listing the valid ones, repeated names, and labels', () => {
    expect(() => resolveFeatureNames(['rsi_14', 'rsi_15'], 'strategy.ml.features')).toThrow(
      /strategy\.ml\.features\[1\]: "rsi_15" is not a feature; valid names: return_1d, .*rsi_14.*stoch_d/,
    );
    expect(() => resolveFeatureNames(['macd', 'macd'])).toThrow(/features\[1\]: "macd" is listed twice/);
    expect(() => featureMatrix(dailySeries(), ['return_1d', 'next_return'])).toThrow(/features\[1\]: "next_return" is a label \(it looks ahead\), not a feature/);
    expect(resolveFeatureNames([])).toEqual(DEFAULT_FEATURES);
    expect(resolveFeatureNames(undefined)).toEqual(DEFAULT_FEATURES);
  });

  it('documents every feature with its warm-up and version', () => {
    const docs = featureDocs();
    expect(docs.map((d) => d.name)).toEqual(FEATURE_NAMES);
    const rsi = docs.find((d) => d.name === 'rsi_14')!;
    expect(rsi).toMatchObject({ lookback: 14, isDefault: true, version: featureVersion('rsi_14') });
    expect(docs.find((d) => d.name === 'adx_14')).toMatchObject({ lookback: 27, isDefault: false });
  });

  it('keeps labels and features apart', () => {
    for (const l of LABEL_NAMES) expect(FEATURE_NAMES).not.toContain(l);
  });
});

describe('featureMatrix', () => {
  const s = dailySeries(21);
  const m = featureMatrix(s, FEATURE_NAMES);

  it('is row-major with one column per feature and starts being valid after the longest warm-up', () => {
    expect(m.rows).toBe(s.length);
    expect(m.cols).toBe(FEATURE_NAMES.length);
    expect(m.columns).toEqual(FEATURE_NAMES);
    expect(m.data.length).toBe(m.rows * m.cols);
    m.names.forEach((n, j) => {
      for (let i = 0; i < m.rows; i++) expect(Object.is(m.data[i * m.cols + j], m.values[n][i])).toBe(true);
    });
    const longest = Math.max(...FEATURE_NAMES.map(featureLookback));
    expect(longest).toBe(49); // SMA(50)
    expect(m.valid).toBe(longest);
    for (const n of FEATURE_NAMES) {
      const lb = featureLookback(n);
      for (let i = 0; i < lb; i++) expect(m.values[n][i], `${n}[${i}]`).toBeNaN();
      for (let i = lb; i < s.length; i++) expect(Number.isFinite(m.values[n][i]), `${n}[${i}]`).toBe(true);
    }
    expect(featureMatrix(s).valid).toBe(33); // default set: MACD signal is the last to arrive
  });

  it('computes each feature as documented (independent formulas)', () => {
    const c = s.close;
    const v = s.volume;
    const col = m.values;
    const mean = (a: ArrayLike<number>, from: number, to: number) => {
      let x = 0;
      for (let i = from; i <= to; i++) x += a[i];
      return x / (to - from + 1);
    };
    const macd = I.macd(c);
    const bb = I.bollinger(c, { period: 20, k: 2 });
    const rsi = I.rsi(c, 14);
    for (let t = 60; t < s.length; t += 37) {
      expect(col.return_1d[t]).toBeCloseTo(c[t] / c[t - 1] - 1, 14);
      expect(col.return_5d[t]).toBeCloseTo(c[t] / c[t - 5] - 1, 14);
      expect(col.momentum_10[t]).toBeCloseTo(c[t] / c[t - 10] - 1, 14);
      expect(col.sma_5_ratio[t]).toBeCloseTo(c[t] / mean(c, t - 4, t), 12);
      expect(col.sma_20_ratio[t]).toBeCloseTo(c[t] / mean(c, t - 19, t), 12);
      expect(col.rsi_14[t]).toBe(rsi[t]);
      expect(col.macd[t]).toBe(macd.macd[t]);
      expect(col.macd_signal[t]).toBe(macd.signal[t]);
      expect(col.bb_position[t]).toBeCloseTo((c[t] - bb.lower[t]) / (bb.upper[t] - bb.lower[t]), 12);
      const r = Array.from({ length: 20 }, (_, k) => c[t - k] / c[t - k - 1] - 1);
      const rm = r.reduce((a, b) => a + b, 0) / 20;
      expect(col.volatility_20[t]).toBeCloseTo(Math.sqrt(r.reduce((a, b) => a + (b - rm) ** 2, 0) / 19), 12);
      const vm = mean(v, t - 19, t);
      let vs = 0;
      for (let i = t - 19; i <= t; i++) vs += (v[i] - vm) ** 2;
      expect(col.volume_ratio[t]).toBeCloseTo(v[t] / vm, 10);
      expect(col.volume_norm[t]).toBeCloseTo((v[t] - vm) / Math.sqrt(vs / 20), 8);
      expect(col.atr_14_ratio[t]).toBe(I.atr(s.high, s.low, c, 14)[t] / c[t]);
    }
  });

  it('handles zero volume and flat prices without NaN after warm-up', () => {
    const e = featureMatrix(edgeSeries(), FEATURE_NAMES);
    expect(e.valid).toBe(49);
    // bars 40..54 have zero volume: the 20-bar average is still > 0 until bar 59
    expect(e.values.volume_ratio[54]).toBe(0);
  });
});

describe('no feature looks ahead', () => {
  it.each(DATA)('changing or dropping bars after t leaves every feature at <= t unchanged (%s)', (_n, s) => {
    const full = featureMatrix(s, FEATURE_NAMES);
    for (const t of [0, 5, 19, 33, 49, 50, 77, Math.floor(s.length / 2), s.length - 2]) {
      if (t >= s.length) continue;
      const changed = featureMatrix(scrambleAfter(s, t, 100 + t), FEATURE_NAMES);
      const dropped = featureMatrix(sliceSeries(s, 0, t + 1), FEATURE_NAMES);
      for (const n of FEATURE_NAMES) {
        for (let i = 0; i <= t; i++) {
          const a = full.values[n][i];
          if (!Object.is(a, changed.values[n][i])) throw new Error(`${n}[${i}] changed when bars after ${t} changed`);
          if (!Object.is(a, dropped.values[n][i])) throw new Error(`${n}[${i}] changed when bars after ${t} were dropped`);
        }
      }
    }
  });

  it('the same check catches a label (which looks ahead by design)', () => {
    const s = dailySeries(21);
    const t = 100;
    const a = forwardReturn(s.close, 1);
    const b = forwardReturn(scrambleAfter(s, t, 1).close, 1);
    expect(Object.is(a[t], b[t])).toBe(false);
  });
});

describe('FeatureStream', () => {
  it.each(DATA)('gives exactly the rows of featureMatrix, null while any feature warms up (%s)', (_n, s) => {
    const m = featureMatrix(s, FEATURE_NAMES);
    const fs = new FeatureStream(FEATURE_NAMES);
    expect(fs.lookback).toBe(49);
    for (let i = 0; i < s.length; i++) {
      const v = fs.update(barAt(s, i));
      const row = m.data.subarray(i * m.cols, (i + 1) * m.cols);
      if (!row.every(Number.isFinite)) {
        expect(v, `row ${i}`).toBeNull();
        continue;
      }
      expect(v, `row ${i}`).not.toBeNull();
      for (let j = 0; j < m.cols; j++) if (!Object.is(v![j], row[j])) throw new Error(`${m.names[j]}[${i}]: stream ${v![j]} vs matrix ${row[j]}`);
      expect(fs.value).toBe(v);
    }
    expect(fs.count).toBe(s.length);
  });

  it('defaults to the default set and restarts on reset()', () => {
    const s = dailySeries(3);
    const fs = new FeatureStream();
    expect(fs.names).toEqual(DEFAULT_FEATURES);
    const a: Array<Float64Array | null> = [];
    for (let i = 0; i < 60; i++) a.push(fs.update(barAt(s, i)));
    fs.reset();
    expect(fs.count).toBe(0);
    for (let i = 0; i < 60; i++) expect(fs.update(barAt(s, i))).toEqual(a[i]);
    expect(() => new FeatureStream(['nope'])).toThrow(/FeatureStream\.names\[0\]: "nope" is not a feature/);
  });
});

describe('feature versions', () => {
  it('gives each feature a stable version that changes with its definition', () => {
    const spec = featureSpec(DEFAULT_FEATURES);
    expect(spec.map((e) => e.name)).toEqual(DEFAULT_FEATURES);
    for (const e of spec) expect(e.version).toMatch(/^\d+-[0-9a-f]{8}$/);
    expect(new Set(spec.map((e) => e.version)).size).toBe(spec.length);
    expect(featureSpec(['rsi_14'])).toEqual(featureSpec(['rsi_14']));
    // Pinned: changing a definition must change its version; update these when you do so on purpose.
    expect(featureSpec(['return_1d', 'rsi_14'])).toMatchInlineSnapshot(`
      [
        {
          "name": "return_1d",
          "version": "1-d660ff5e",
        },
        {
          "name": "rsi_14",
          "version": "1-69054dc5",
        },
      ]
    `);
    expect(compareFeatureSpec(spec)).toEqual([]);
    expect(compareFeatureSpec([{ name: 'rsi_14', version: '0-00000000' }, { name: 'gone', version: '1-abc' }])).toEqual([
      `feature 0 "rsi_14" is version ${spec[5].version}, the model was trained on 0-00000000`,
      'feature 1 "gone" no longer exists',
    ]);
  });
});
