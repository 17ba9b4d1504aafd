import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.js';
import { RandomForestClassifier } from '../../lib/ml/forest.js';
import { GbdtClassifier } from '../../lib/ml/gbdt.js';
import { makeMatrix, sliceRows, type Matrix } from '../../lib/ml/matrix.js';
import { explainTrees, formatContributions, goesLeft, topContributions, type FlatTree, type TreeEnsembleView } from '../../lib/ml/tree-shap.js';

function data(n: number, F: number, seed: number): { X: Matrix; y: Uint8Array } {
  const rng = new Rng(seed);
  const X = new Float64Array(n * F);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) X[i * F + j] = rng.normal();
    const z = X[i * F] - X[i * F + 1] + X[i * F + 2] * X[i * F + 3];
    y[i] = rng.next() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
  }
  return { X: makeMatrix(n, F, X), y };
}

/** E[tree(x) | x_S] along the training cover (the path-dependent expectation, algorithm 1 of the paper). */
function condExp(t: FlatTree, x: ArrayLike<number>, inS: (f: number) => boolean, node = 0): number {
  const f = t.feature[node];
  if (f < 0) return t.value[node];
  if (inS(f)) return condExp(t, x, inS, goesLeft(t, node, x[f]) ? t.left[node] : t.right[node]);
  const w = t.cover[node];
  return (t.cover[t.left[node]] / w) * condExp(t, x, inS, t.left[node]) + (t.cover[t.right[node]] / w) * condExp(t, x, inS, t.right[node]);
}

/** Shapley values by enumerating every coalition (exponential: small F only). */
function bruteShapley(view: TreeEnsembleView, x: ArrayLike<number>): Float64Array {
  const F = view.nFeatures;
  const v = (mask: number) => view.trees.reduce((s, t) => s + condExp(t, x, (f) => ((mask >> f) & 1) === 1), view.base);
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(F);
  for (let mask = 0; mask < 1 << F; mask++) {
    let size = 0;
    for (let j = 0; j < F; j++) size += (mask >> j) & 1;
    const vm = v(mask);
    for (let j = 0; j < F; j++) {
      if ((mask >> j) & 1) continue;
      const w = (fact(size) * fact(F - size - 1)) / fact(F);
      phi[j] += w * (v(mask | (1 << j)) - vm);
    }
  }
  return phi;
}

describe('TreeSHAP (path-dependent, exact)', () => {
  const { X, y } = data(1500, 5, 7);
  const gbdt = new GbdtClassifier({ nEstimators: 8, numLeaves: 12, earlyStoppingRounds: 0, learningRate: 0.3, minDataInLeaf: 10 }).fit(X, y);
  const forest = new RandomForestClassifier({ nEstimators: 6, maxDepth: 6, seed: 3 }).fit(X, y);
  const rows = sliceRows(X, 0, 12);

  it.each([
    ['gbdt', () => gbdt.view(), () => gbdt.explain(rows)],
    ['forest', () => forest.view(), () => forest.explain(rows)],
  ] as const)('%s: equals brute-force Shapley values over all 32 coalitions', (_name, view, explain) => {
    const e = explain();
    let worst = 0;
    for (let i = 0; i < rows.rows; i++) {
      const ref = bruteShapley(view(), rows.data.subarray(i * 5, i * 5 + 5));
      for (let j = 0; j < 5; j++) worst = Math.max(worst, Math.abs(ref[j] - e.contributions[i * 5 + j]));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('contributions + expected value = the raw score (gbdt log-odds, forest probability) to 1e-9', () => {
    const all = sliceRows(X, 0, 300);
    for (const [e, raw] of [
      [gbdt.explain(all), gbdt.predictRaw(all)],
      [forest.explain(all), forest.predictPositive(all)],
    ] as const) {
      for (let i = 0; i < all.rows; i++) {
        let s = e.expected;
        for (let j = 0; j < 5; j++) s += e.contributions[i * 5 + j];
        expect(Math.abs(s - raw[i])).toBeLessThan(1e-9);
      }
    }
  });

  it('a feature the trees never split on gets exactly zero; the expected value is the cover-weighted mean', () => {
    const t: FlatTree = {
      feature: Int32Array.from([1, -1, -1]),
      threshold: Float64Array.from([0, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0, -1, 3]),
      cover: Float64Array.from([4, 3, 1]),
    };
    const view: TreeEnsembleView = { trees: [t], nFeatures: 2, base: 0.5, featureNames: ['a', 'b'] };
    const e = explainTrees(view, makeMatrix(1, 2, Float64Array.from([9, 1])));
    expect(e.expected).toBe(0.5 + (3 / 4) * -1 + (1 / 4) * 3); // 0.5
    expect(e.contributions[0]).toBe(0);
    expect(e.contributions[1]).toBe(3 - 0); // goes right: 3 minus the tree's mean 0
    expect(formatContributions(topContributions(e, 0, ['a', 'b']))).toBe('b +3.000');
  });

  it('refuses a forest saved before covers existed', () => {
    const j = forest.toJSON();
    for (const t of j.trees) delete t.cover;
    expect(() => RandomForestClassifier.fromJSON(j).explain(rows)).toThrow(/retrain/);
  });
});

describe('topContributions / formatContributions', () => {
  it('orders by size, keeps signs, drops tiny ones', () => {
    const e = { rows: 1, cols: 4, contributions: Float64Array.from([0.02, -0.08, 0.0001, 0.03]), expected: 0, raw: Float64Array.from([0]) };
    const top = topContributions(e, 0, ['rsi_14', 'ret_1', 'vol', 'volume_ratio'], 3, 0.001);
    expect(formatContributions(top, 2)).toBe('ret_1 -0.08, volume_ratio +0.03, rsi_14 +0.02');
  });
});
