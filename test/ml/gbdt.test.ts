import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.js';
import { rocAuc } from '../../lib/ml/evaluate.js';
import { GbdtClassifier, type GbdtJSON } from '../../lib/ml/gbdt.js';
import { makeMatrix, matrixFromRows, sliceRows, type Matrix } from '../../lib/ml/matrix.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Rows with a known log-odds: 1.2 x0 - 0.8 x1 + x2 * x3 (x4 is noise). */
function synthetic(n: number, seed: number): { X: Matrix; y: Uint8Array; logit: Float64Array } {
  const rng = new Rng(seed);
  const F = 5;
  const data = new Float64Array(n * F);
  const y = new Uint8Array(n);
  const logit = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) data[i * F + j] = rng.normal();
    const r = data.subarray(i * F, i * F + F);
    logit[i] = 1.2 * r[0] - 0.8 * r[1] + r[2] * r[3];
    y[i] = rng.next() < sigmoid(logit[i]) ? 1 : 0;
  }
  return { X: makeMatrix(n, F, data, ['a', 'b', 'c', 'd', 'noise']), y, logit };
}

describe('GbdtClassifier: hand-computed boosting', () => {
  it('one stump: threshold, leaf values (L1/L2) and the base-rate start are exact', () => {
    // 12 rows, 4 distinct values of 3 rows each: LightGBM's binning (min_data_in_bin 3) gives 4 bins
    const xs = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4];
    const X = matrixFromRows(xs.map((x) => [x]));
    const y = xs.map((x) => (x > 2 ? 1 : 0));
    const base = { nEstimators: 1, numLeaves: 2, minDataInLeaf: 1, earlyStoppingRounds: 0, learningRate: 0.1 };
    // init score log(0.5/0.5) = 0, so g = p - y = +-0.5, h = 0.25; left G = 3, H = 1.5
    const j = new GbdtClassifier(base).fit(X, y).toJSON();
    expect(j.initScore).toBe(0);
    expect(j.trees[0].feature).toEqual([0, -1, -1]);
    expect(j.trees[0].threshold[0]).toBeCloseTo(2.5, 15); // the double just above the midpoint, as LightGBM
    expect(j.trees[0].threshold[0]).toBeGreaterThan(2.5);
    expect(j.trees[0].value[1]).toBeCloseTo(-0.2, 15); // -G/H * lr = -3/1.5 * 0.1
    expect(j.trees[0].value[2]).toBeCloseTo(0.2, 15);
    expect(j.trees[0].gain[0]).toBeCloseTo(12, 12); // 3^2/1.5 + 3^2/1.5 - 0
    expect(j.trees[0].cover).toEqual([12, 6, 6]);
    const l2 = new GbdtClassifier({ ...base, lambdaL2: 1 }).fit(X, y).toJSON();
    expect(l2.trees[0].value[1]).toBeCloseTo((-3 / 2.5) * 0.1, 15);
    const l1 = new GbdtClassifier({ ...base, lambdaL1: 0.5 }).fit(X, y).toJSON();
    expect(l1.trees[0].value[1]).toBeCloseTo((-2.5 / 1.5) * 0.1, 15);
    // an unbalanced start: 9 of 12 positive gives log(3)
    expect(new GbdtClassifier(base).fit(X, xs.map((x) => (x > 1 ? 1 : 0))).toJSON().initScore).toBeCloseTo(Math.log(3), 15);
  });

  it("every leaf of a 31-leaf tree holds -G/H * lr of the rows that reach it (histogram subtraction bookkeeping)", () => {
    const { X, y } = synthetic(3000, 1);
    const m = new GbdtClassifier({ nEstimators: 1, earlyStoppingRounds: 0, learningRate: 0.3, minDataInLeaf: 15 });
    const j = m.fit(X, y).toJSON();
    const t = j.trees[0];
    let pos = 0;
    for (const v of y) pos += v;
    const p0 = pos / y.length;
    const G = new Map<number, number>();
    const H = new Map<number, number>();
    const C = new Map<number, number>();
    for (let i = 0; i < X.rows; i++) {
      let node = 0;
      while (t.feature[node] >= 0) node = X.data[i * X.cols + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      // gradients are stored as float32, as LightGBM stores them
      G.set(node, (G.get(node) ?? 0) + Math.fround(p0 - y[i]));
      H.set(node, (H.get(node) ?? 0) + Math.fround(p0 * (1 - p0)));
      C.set(node, (C.get(node) ?? 0) + 1);
    }
    const leaves = t.feature.filter((f) => f < 0).length;
    expect(leaves).toBe(31);
    for (const [node, g] of G) {
      expect(t.value[node]).toBeCloseTo((-g / H.get(node)!) * 0.3, 10);
      expect(t.cover[node]).toBe(C.get(node));
      // min_data_in_leaf is checked on counts estimated from hessians, as LightGBM does: within a row or two
      expect(C.get(node)!).toBeGreaterThanOrEqual(13);
    }
  });

  it('respects numLeaves, maxDepth, minDataInLeaf and minSumHessianInLeaf', () => {
    const { X, y } = synthetic(2000, 2);
    const depthOf = (t: GbdtJSON['trees'][number]) => {
      const d = new Array<number>(t.feature.length).fill(0);
      let best = 0;
      t.feature.forEach((f, i) => {
        if (f >= 0) for (const c of [t.left[i], t.right[i]]) best = Math.max(best, (d[c] = d[i] + 1));
      });
      return best;
    };
    const j = new GbdtClassifier({ nEstimators: 5, numLeaves: 7, maxDepth: 2, minDataInLeaf: 50, earlyStoppingRounds: 0 }).fit(X, y).toJSON();
    for (const t of j.trees) {
      expect(t.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(4); // depth 2 caps 7 leaves at 4
      expect(depthOf(t)).toBeLessThanOrEqual(2);
      t.feature.forEach((f, i) => f < 0 && expect(t.cover[i]).toBeGreaterThanOrEqual(50));
    }
    const deep = new GbdtClassifier({ nEstimators: 3, numLeaves: 40, earlyStoppingRounds: 0, minDataInLeaf: 5 }).fit(X, y).toJSON();
    expect(Math.max(...deep.trees.map(depthOf))).toBeGreaterThan(5); // leaf-wise growth goes deep where gain is
    // a huge hessian floor forbids every split
    const none = new GbdtClassifier({ nEstimators: 2, minSumHessianInLeaf: 1e9, earlyStoppingRounds: 0 }).fit(X, y).toJSON();
    expect(none.trees.every((t) => t.feature.length === 1)).toBe(true);
  });

  it('learns the planted function: test AUC near the oracle, XOR-like interaction included', () => {
    const { X, y, logit } = synthetic(6000, 3);
    const tr = 4800;
    const m = new GbdtClassifier({ earlyStoppingRounds: 0, nEstimators: 150 }).fit(sliceRows(X, 0, tr), y.subarray(0, tr));
    const p = m.predictPositive(sliceRows(X, tr));
    const auc = rocAuc(p, y.subarray(tr));
    const oracle = rocAuc(logit.subarray(tr), y.subarray(tr));
    expect(auc).toBeGreaterThan(oracle - 0.04);
    const imp = m.featureImportances();
    expect(imp[4]).toBeLessThan(Math.min(imp[0], imp[1], imp[2], imp[3])); // noise matters least
  });
});

describe('GbdtClassifier: reproducibility, sampling, early stopping', () => {
  const { X, y } = synthetic(2500, 4);

  it('is byte-identical for the same seed with bagging and feature sampling, and differs for another seed', () => {
    const p = { nEstimators: 30, baggingFraction: 0.7, baggingFreq: 1, featureFraction: 0.6, earlyStoppingRounds: 0 };
    const a = JSON.stringify(new GbdtClassifier({ ...p, seed: 5 }).fit(X, y).toJSON());
    const b = JSON.stringify(new GbdtClassifier({ ...p, seed: 5 }).fit(X, y).toJSON());
    const c = JSON.stringify(new GbdtClassifier({ ...p, seed: 6 }).fit(X, y).toJSON());
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('feature_fraction limits each tree to its sampled features; bagging fits trees on a subset of rows', () => {
    const j = new GbdtClassifier({ nEstimators: 20, featureFraction: 0.4, earlyStoppingRounds: 0, seed: 1 }).fit(X, y).toJSON();
    for (const t of j.trees) expect(new Set(t.feature.filter((f) => f >= 0)).size).toBeLessThanOrEqual(2);
    const bag = new GbdtClassifier({ nEstimators: 3, baggingFraction: 0.5, baggingFreq: 1, earlyStoppingRounds: 0 }).fit(X, y).toJSON();
    for (const t of bag.trees) expect(Math.abs(t.cover[0] - 1250)).toBeLessThan(120);
  });

  it('early stopping fits on the head, validates on the tail only, and keeps the best iteration', () => {
    const m = new GbdtClassifier({ nEstimators: 400, learningRate: 0.3, earlyStoppingRounds: 10, validationFraction: 0.2 }).fit(X, y);
    const es = m.earlyStopping!;
    expect(es.validationRows).toBe(500);
    expect(es.bestIteration).toBeLessThan(400);
    expect(m.treeCount).toBe(es.bestIteration);
    expect(es.losses.length).toBe(es.bestIteration + 10);
    expect(Math.min(...es.losses)).toBe(es.bestLoss);
    // the same trees as a plain fit on the first 80% with that many rounds: the tail was never fitted on
    const plain = new GbdtClassifier({ nEstimators: es.bestIteration, learningRate: 0.3, earlyStoppingRounds: 0 }).fit(sliceRows(X, 0, 2000), y.subarray(0, 2000));
    expect(JSON.stringify(m.toJSON().trees)).toBe(JSON.stringify(plain.toJSON().trees));
  });

  it('cuts the held-out block on the time axis with a purge gap when bar times are given', () => {
    // 5 symbols per bar, 500 bars: the last 20% of bars (100) validate, 2 bars before them are purged
    const time = Float64Array.from({ length: 2500 }, (_, i) => Math.floor(i / 5) * 86_400_000);
    const m = new GbdtClassifier({ nEstimators: 50, earlyStoppingRounds: 5, validationFraction: 0.2 }).fit(X, y, { time, purge: 2 });
    expect(m.earlyStopping!.validationRows).toBe(500);
    const j = m.toJSON();
    const plain = new GbdtClassifier({ nEstimators: m.treeCount, earlyStoppingRounds: 0 }).fit(sliceRows(X, 0, 1990), y.subarray(0, 1990));
    expect(JSON.stringify(j.trees)).toBe(JSON.stringify(plain.toJSON().trees));
    expect(() => new GbdtClassifier().fit(X, y, { time: time.slice().reverse() })).toThrow(/time order/);
  });

  it('an explicit validation set is used as given', () => {
    const m = new GbdtClassifier({ nEstimators: 300, learningRate: 0.3, earlyStoppingRounds: 5 }).fit(sliceRows(X, 0, 2000), y.subarray(0, 2000), {
      validation: { X: sliceRows(X, 2000), y: y.subarray(2000) },
    });
    expect(m.earlyStopping!.validationRows).toBe(500);
  });

  it('round-trips through JSON with identical predictions; NaN goes right', () => {
    const m = new GbdtClassifier({ nEstimators: 20, earlyStoppingRounds: 0 }).fit(X, y);
    const back = GbdtClassifier.fromJSON(JSON.parse(JSON.stringify(m.toJSON())) as GbdtJSON);
    expect(Array.from(back.predictPositive(X))).toEqual(Array.from(m.predictPositive(X)));
    const row = Float64Array.from(X.data.subarray(0, 5));
    row[0] = NaN;
    const big = Float64Array.from(row);
    big[0] = Infinity;
    expect(m.predictRaw(makeMatrix(1, 5, row))[0]).toBe(m.predictRaw(makeMatrix(1, 5, big))[0]);
  });

  it('refuses bad parameters and inputs naming the field', () => {
    expect(() => new GbdtClassifier({ numLeaves: 1 })).toThrow(/gbdt.numLeaves/);
    expect(() => new GbdtClassifier({ learningRate: 0 })).toThrow(/gbdt.learningRate/);
    expect(() => new GbdtClassifier({ featureFraction: 1.5 })).toThrow(/gbdt.featureFraction/);
    expect(() => new GbdtClassifier({ lambdaL2: -1 })).toThrow(/gbdt.lambdaL2/);
    expect(() => new GbdtClassifier({ maxBins: 300 })).toThrow(/gbdt.maxBins/);
    expect(() => new GbdtClassifier().fit(X, Array.from(y, (v) => v * 2))).toThrow(/binary/);
    const bad = makeMatrix(2, 1, Float64Array.from([1, NaN]));
    expect(() => new GbdtClassifier().fit(bad, [0, 1])).toThrow(/X\[1\]/);
    expect(() => new GbdtClassifier().predictPositive(X)).toThrow(/before fit/);
    expect(() => new GbdtClassifier({ earlyStoppingRounds: 0 }).fit(X, y).predictPositive(makeMatrix(1, 2))).toThrow(/X.cols/);
  });
});
