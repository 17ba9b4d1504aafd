import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LightGbmModel } from '../../lib/ml/lightgbm.js';
import { makeMatrix, type Matrix } from '../../lib/ml/matrix.js';

// Fixture made once by test/fixtures/lightgbm/make_fixture.py with LightGBM 4.7.0 (committed; no Python needed).
const DIR = join(import.meta.dirname, '..', 'fixtures', 'lightgbm');

function csv(file: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = readFileSync(join(DIR, file), 'utf8').trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map((v) => (v === 'nan' ? NaN : Number(v)))) };
}

const inputs = csv('inputs.csv');
const X: Matrix = makeMatrix(inputs.rows.length, inputs.header.length, Float64Array.from(inputs.rows.flat()), inputs.header);

describe.each(['nan', 'zero'])('LightGBM model-%s.txt', (key) => {
  const model = LightGbmModel.fromText(readFileSync(join(DIR, `model-${key}.txt`), 'utf8'), `model-${key}.txt`);
  const expected = csv(`expected-${key}.csv`).rows;
  const F = inputs.header.length;

  it('reads the header', () => {
    expect(model.info.featureNames).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    expect(model.info.trees).toBe(40);
    expect(model.info.sigmoid).toBe(1);
  });

  it("predicts LightGBM's raw scores and probabilities to 1e-9 (NaN, zeros, values on thresholds)", () => {
    const raw = model.predictRaw(X);
    const prob = model.predictPositive(X);
    let worst = 0;
    for (let i = 0; i < X.rows; i++) {
      worst = Math.max(worst, Math.abs(raw[i] - expected[i][0]), Math.abs(prob[i] - expected[i][1]));
    }
    expect(worst).toBeLessThan(1e-9);
    // the fixture really exercises the missing-value paths: rows with NaN differ from the same row with 0
    expect(inputs.rows.some((r) => r.some(Number.isNaN))).toBe(true);
  });

  it("gives LightGBM's pred_contrib and the contributions sum to the raw score to 1e-9", () => {
    const e = model.explain(X);
    let worstContrib = 0;
    let worstSum = 0;
    for (let i = 0; i < X.rows; i++) {
      let s = e.expected;
      for (let j = 0; j < F; j++) {
        worstContrib = Math.max(worstContrib, Math.abs(e.contributions[i * F + j] - expected[i][2 + j]));
        s += e.contributions[i * F + j];
      }
      worstContrib = Math.max(worstContrib, Math.abs(e.expected - expected[i][2 + F]));
      worstSum = Math.max(worstSum, Math.abs(s - e.raw[i]), Math.abs(e.raw[i] - expected[i][0]));
    }
    expect(worstContrib).toBeLessThan(1e-9);
    expect(worstSum).toBeLessThan(1e-9);
  });
});

describe('LightGBM text format: refusals', () => {
  const text = readFileSync(join(DIR, 'model-nan.txt'), 'utf8');
  it('refuses categorical splits with a clear error', () => {
    const cat = text.replace(/^decision_type=(\d+)/m, (_m, d) => `decision_type=${Number(d) | 1}`);
    expect(() => LightGbmModel.fromText(cat, 'cat.txt')).toThrow(/categorical/);
    const numCat = text.replace(/^num_cat=0/m, 'num_cat=2');
    expect(() => LightGbmModel.fromText(numCat, 'cat.txt')).toThrow(/num_cat.*categorical/);
  });
  it('refuses multiclass, non-binary objectives, truncated files and non-model text', () => {
    expect(() => LightGbmModel.fromText(text.replace('num_class=1', 'num_class=3'))).toThrow(/num_class/);
    expect(() => LightGbmModel.fromText(text.replace('objective=binary sigmoid:1', 'objective=regression'))).toThrow(/objective/);
    expect(() => LightGbmModel.fromText(text.slice(0, text.indexOf('end of trees')))).toThrow(/truncated/);
    expect(() => LightGbmModel.fromText('hello')).toThrow(/not a LightGBM text model/);
    const badChild = text.replace(/^left_child=(-?\d+)/m, 'left_child=99');
    expect(() => LightGbmModel.fromText(badChild, 'bad.txt')).toThrow(/left_child\[0\]/);
  });
  it('reads a single-leaf tree and honours the sigmoid parameter', () => {
    const single = text.replace(/Tree=1\n[\s\S]*?\n\n/, 'Tree=1\nnum_leaves=1\nnum_cat=0\nleaf_value=0.25\nleaf_count=100\nshrinkage=1\n\n');
    const a = LightGbmModel.fromText(text);
    const b = LightGbmModel.fromText(single);
    const x = makeMatrix(1, 6, Float64Array.from([0.1, -0.2, 0.3, 2, 0, 1]));
    expect(b.info.trees).toBe(40);
    const e = b.explain(x);
    let s = e.expected;
    for (const c of e.contributions) s += c;
    expect(s).toBeCloseTo(b.predictRaw(x)[0], 12);
    const s2 = LightGbmModel.fromText(text.replace('objective=binary sigmoid:1', 'objective=binary sigmoid:2'));
    const raw = a.predictRaw(x)[0];
    expect(s2.predictPositive(x)[0]).toBeCloseTo(1 / (1 + Math.exp(-2 * raw)), 15);
  });
});
