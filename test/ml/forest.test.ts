import { describe, expect, it } from 'vitest';
import { RandomForestClassifier, resolveMaxFeatures } from '../../lib/ml/forest.js';
import { binEdges, binOf, binMatrix } from '../../lib/ml/binning.js';
import { matrixFromRows, makeMatrix } from '../../lib/ml/matrix.js';
import { Rng } from '../../lib/core/rng.js';

const col = (xs: number[]) => matrixFromRows(xs.map((x) => [x]));

function xorData(n: number, seed: number) {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    rows.push([a, b]);
    y.push(a > 0 !== b > 0 ? 1 : 0);
  }
  return { X: matrixFromRows(rows), y };
}

describe('binning', () => {
  it('uses every distinct midpoint when there are few values', () => {
    expect(Array.from(binEdges(Float64Array.from([3, 1, 2, 2, 1]), 255))).toEqual([1.5, 2.5]);
    const e = Float64Array.from([1.5, 2.5]);
    expect([1, 1.5, 2, 2.5, 3].map((x) => binOf(e, x))).toEqual([0, 0, 1, 1, 2]);
  });
  it('caps the number of bins and keeps x <= edge[b] <=> bin <= b', () => {
    const rng = new Rng(1);
    const v = Float64Array.from({ length: 5000 }, () => rng.normal());
    const b = binMatrix(v, 5000, 1, 64);
    expect(b.edges[0].length).toBeLessThanOrEqual(63);
    for (let i = 0; i < 5000; i++) {
      const bin = b.bins[i];
      if (bin < b.edges[0].length) expect(v[i] <= b.edges[0][bin]).toBe(true);
      if (bin > 0) expect(v[i] > b.edges[0][bin - 1]).toBe(true);
    }
  });
});

describe('RandomForestClassifier', () => {
  it('a depth-1 stump picks the hand-computed best Gini split', () => {
    // x = 1..7, y = 0 0 1 0 1 1 1: best split x <= 4.5 (left 3:1, right 0:3), weighted Gini 0.214
    const rf = new RandomForestClassifier({ nEstimators: 1, maxDepth: 1, bootstrap: false, maxFeatures: 'all' }).fit(col([1, 2, 3, 4, 5, 6, 7]), [0, 0, 1, 0, 1, 1, 1]);
    const p = rf.predictProba(col([4, 4.5, 4.6, 5]));
    expect(Array.from(p)).toEqual([0.75, 0.25, 0.75, 0.25, 0, 1, 0, 1]);
    expect(rf.toJSON().trees[0].threshold[0]).toBe(4.5);
    expect(Array.from(rf.featureImportances())).toEqual([1]);
  });

  it('fits separable data perfectly and generalises the threshold', () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const ys = xs.map((x) => (x >= 17 ? 1 : 0));
    const rf = new RandomForestClassifier({ nEstimators: 10, seed: 3 }).fit(col(xs), ys);
    expect(Array.from(rf.predict(col(xs)))).toEqual(ys);
    expect(Array.from(rf.predict(col([-5, 3, 30, 100])))).toEqual([0, 0, 1, 1]);
  });

  it('learns XOR (zero-gain first split allowed) and fits its training set', () => {
    const { X, y } = xorData(400, 7);
    const rf = new RandomForestClassifier({ nEstimators: 1, maxDepth: null, bootstrap: false, maxFeatures: 'all' }).fit(X, y);
    expect(Array.from(rf.predict(X))).toEqual(y);
    const forest = new RandomForestClassifier({ nEstimators: 30, maxDepth: 6, seed: 1 }).fit(X, y);
    const test = xorData(400, 8);
    const pred = forest.predict(test.X);
    const acc = pred.reduce((a, p, i) => a + (p === test.y[i] ? 1 : 0), 0) / 400;
    expect(acc).toBeGreaterThan(0.93);
  });

  it('respects min_samples_leaf and max_depth 0', () => {
    const X = col([1, 2, 3, 4, 5, 6, 7]);
    const y = [0, 0, 0, 1, 1, 1, 1];
    expect(new RandomForestClassifier({ nEstimators: 1, bootstrap: false, minSamplesLeaf: 4 }).fit(X, y).depth()).toBe(0);
    const leaf = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxDepth: 0 }).fit(X, y);
    expect(leaf.predictProba(col([0]))[1]).toBeCloseTo(4 / 7, 15);
  });

  it("class_weight 'balanced' reweights leaf probabilities", () => {
    const X = col([1, 2, 3, 4]);
    const y = [0, 0, 0, 1];
    const plain = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxDepth: 0 }).fit(X, y);
    const bal = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxDepth: 0, classWeight: 'balanced' }).fit(X, y);
    expect(Array.from(plain.predictProba(col([0])))).toEqual([0.75, 0.25]);
    expect(Array.from(bal.predictProba(col([0])))).toEqual([0.5, 0.5]);
  });

  it('ranks an informative feature above noise in importances', () => {
    const rng = new Rng(5);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 600; i++) {
      const signal = rng.normal();
      rows.push([rng.normal(), signal, rng.normal()]);
      y.push(signal + 0.3 * rng.normal() > 0 ? 1 : 0);
    }
    const rf = new RandomForestClassifier({ nEstimators: 50, maxDepth: 5, seed: 2 }).fit(matrixFromRows(rows), y);
    const imp = rf.featureImportances();
    expect(imp[0] + imp[1] + imp[2]).toBeCloseTo(1, 12);
    expect(imp[1]).toBeGreaterThan(0.6);
  });

  it('is deterministic: same data and seed give byte-identical JSON; another seed differs', () => {
    const { X, y } = xorData(300, 11);
    const a = JSON.stringify(new RandomForestClassifier({ nEstimators: 8, seed: 9 }).fit(X, y).toJSON());
    const b = JSON.stringify(new RandomForestClassifier({ nEstimators: 8, seed: 9 }).fit(X, y).toJSON());
    const c = JSON.stringify(new RandomForestClassifier({ nEstimators: 8, seed: 10 }).fit(X, y).toJSON());
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('round-trips through JSON with identical probabilities', () => {
    const { X, y } = xorData(300, 12);
    const rf = new RandomForestClassifier({ nEstimators: 8, seed: 1 }).fit(X, y);
    const back = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(rf.toJSON())));
    expect(Array.from(back.predictProba(X))).toEqual(Array.from(rf.predictProba(X)));
  });

  it('rejects bad parameters and inputs with the field named', () => {
    expect(() => new RandomForestClassifier({ nEstimators: 0 })).toThrow(/forest.nEstimators/);
    expect(() => resolveMaxFeatures(-1, 5)).toThrow(/maxFeatures/);
    expect(resolveMaxFeatures('sqrt', 13)).toBe(3);
    expect(() => new RandomForestClassifier().fit(makeMatrix(2, 1, Float64Array.from([1, NaN])), [0, 1])).toThrow(/X\[1\]/);
    expect(() => new RandomForestClassifier().fit(col([1, 2]), [0, 0.5])).toThrow(/y\[1\]/);
    const rf = new RandomForestClassifier({ nEstimators: 1 }).fit(col([1, 2]), [0, 1]);
    expect(() => rf.predict(matrixFromRows([[1, 2]]))).toThrow(/X.cols/);
  });
});

describe('histogram forest vs the exact-threshold reference', () => {
  it('is identical to exact CART when no feature has more than 255 distinct values', async () => {
    const { exactForest } = await import('./exact-forest.js');
    const rng = new Rng(21);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 800; i++) {
      const r = [Math.round(rng.normal() * 20) / 10, rng.int(50), Math.round(rng.next() * 200) / 7, rng.int(3), Math.round(rng.normal() * 30)];
      rows.push(r);
      y.push(r[0] + 0.02 * r[1] - 0.1 * r[3] + 0.5 * rng.normal() > 0.5 ? 1 : 0);
    }
    const X = matrixFromRows(rows);
    const hist = new RandomForestClassifier({ nEstimators: 20, maxDepth: 8, maxFeatures: 'sqrt', seed: 4 }).fit(X, y);
    const exact = exactForest(X, y, { trees: 20, depth: 8, mtry: 2, seed: 4 });
    const p = hist.predictPositive(X);
    for (let i = 0; i < X.rows; i++) expect(p[i]).toBeCloseTo(exact(X.data.subarray(i * 5, i * 5 + 5)), 12);
  });
});

describe('RandomForestClassifier batch predict (tree-outer, four rows in lock-step)', () => {
  it('equals a plain walk of the saved trees for every row, with NaN features and a row count not divisible by 4', () => {
    const { X, y } = xorData(403, 5);
    const rf = new RandomForestClassifier({ nEstimators: 17, maxDepth: 6, seed: 3 });
    rf.fit(X, y);
    const rng = new Rng(9);
    const rows = Array.from({ length: 1003 }, () => [rng.next() < 0.05 ? NaN : rng.next() * 2 - 1, rng.next() * 2 - 1]);
    const Xt = matrixFromRows(rows);
    const p = rf.predictProba(Xt);
    const trees = rf.toJSON().trees;
    for (let i = 0; i < rows.length; i++) {
      let s = 0;
      for (const t of trees) {
        let n = 0;
        while (t.feature[n] >= 0) n = rows[i][t.feature[n]] <= t.threshold[n] ? t.left[n] : t.right[n]; // NaN goes right
        s += t.value[n * 2 + 1];
      }
      expect(p[i * 2 + 1]).toBe(s * (1 / trees.length)); // the forest multiplies by 1/n
    }
  });
});
