import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lightgbmBinEdges } from '../../lib/ml/binning.js';
import { GbdtClassifier } from '../../lib/ml/gbdt.js';
import { LightGbmModel } from '../../lib/ml/lightgbm.js';
import { makeMatrix } from '../../lib/ml/matrix.js';
import type { FlatTree } from '../../lib/ml/tree-shap.js';

// LightGBM 4.7.0 fitted model-parity.txt on train-parity.csv (test/fixtures/lightgbm/make_fixture.py):
// binary, num_leaves 15, learning_rate 0.1, min_data_in_leaf 20, max_bin 255, 30 rounds, 1 thread.
const DIR = join(import.meta.dirname, '..', 'fixtures', 'lightgbm');
const [head, ...lines] = readFileSync(join(DIR, 'train-parity.csv'), 'utf8').trim().split('\n');
const F = head.split(',').length - 1;
const rows = lines.map((l) => l.split(',').map(Number));
const X = makeMatrix(rows.length, F, Float64Array.from(rows.flatMap((r) => r.slice(0, F))));
const y = rows.map((r) => r[F]);
const lgb = LightGbmModel.fromText(readFileSync(join(DIR, 'model-parity.txt'), 'utf8'));
const ours = new GbdtClassifier({ nEstimators: 30, numLeaves: 15, learningRate: 0.1, minDataInLeaf: 20, maxBins: 255, earlyStoppingRounds: 0 }).fit(X, y);

function preorder(t: FlatTree): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const walk = (n: number) => {
    out.push([t.feature[n], t.feature[n] >= 0 ? t.threshold[n] : t.value[n], t.cover[n]]);
    if (t.feature[n] >= 0) {
      walk(t.left[n]);
      walk(t.right[n]);
    }
  };
  walk(0);
  return out;
}

describe('GbdtClassifier reproduces LightGBM on the same data and settings', () => {
  it("bins every column at LightGBM's boundaries: each threshold LightGBM used is one of our edges", () => {
    for (const t of lgb.view().trees) {
      for (let n = 0; n < t.feature.length; n++) {
        const f = t.feature[n];
        if (f < 0) continue;
        const col = Float64Array.from(rows.map((r) => r[f]));
        expect(Array.from(lightgbmBinEdges(col, 255))).toContain(t.threshold[n]);
      }
    }
  });

  it('grows the same trees: split features, thresholds (bit for bit) and leaf counts; leaf values to 1e-9', () => {
    // One ambiguity remains: when a leaf holds no exact zeros, the zero bin's two bounds (-1e-35, +1e-35) split
    // it alike and LightGBM's choice between them rests on float residue; the leaf counts below prove the
    // partition is the same either way.
    const ZERO = Math.fround(1e-35);
    let zeroChoices = 0;
    const a = ours.view();
    const b = lgb.view();
    expect(a.trees.length).toBe(b.trees.length);
    a.trees.forEach((t, k) => {
      const mine = preorder(t);
      const theirs = preorder(b.trees[k]);
      expect(mine.length).toBe(theirs.length);
      mine.forEach(([f, v, c], i) => {
        expect(f).toBe(theirs[i][0]);
        expect(c).toBe(theirs[i][2]);
        // LightGBM folds the start score into the first tree's leaves
        if (f >= 0 && Math.abs(v) === ZERO && Math.abs(theirs[i][1]) === ZERO) zeroChoices += v === theirs[i][1] ? 0 : 1;
        else if (f >= 0) expect(v).toBe(theirs[i][1]);
        else expect(Math.abs(v + (k === 0 ? a.base : 0) - theirs[i][1])).toBeLessThan(1e-9);
      });
    });
    expect(zeroChoices).toBeLessThanOrEqual(2);
  });

  it('predicts the same probabilities', () => {
    const p = ours.predictPositive(X);
    const q = lgb.predictPositive(X);
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
    expect(worst).toBeLessThan(1e-9);
  });
});
