/**
 * A small, slow, exact-threshold CART forest: the accuracy reference for lib/ml's histogram forest. Each
 * node sorts its rows by each candidate feature and tries every midpoint between distinct values (what
 * scikit-learn does), with the same bagging, feature sampling, Gini and tie rules and the same random stream
 * as lib/ml's histogram forest, so when no feature has more than 255 distinct values the two forests must
 * be identical (test), and otherwise differ only by binning (bench). Not for production use.
 */
import { Rng } from '../../lib/core/rng.js';
import { midpoint } from '../../lib/ml/binning.js';
import type { Matrix } from '../../lib/ml/matrix.js';

interface Node {
  f: number;
  t: number;
  l: Node | null;
  r: Node | null;
  p: number;
}

export function exactForest(X: Matrix, y: ArrayLike<number>, o: { trees: number; depth: number; mtry: number; seed: number }): (row: Float64Array) => number {
  const n = X.rows;
  const d = X.cols;
  const rng = new Rng(o.seed);
  const trees: Node[] = [];
  for (let t = 0; t < o.trees; t++) {
    const tr = rng.fork();
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[tr.int(n)]++;
    const feats = Array.from({ length: d }, (_, j) => j); // persists across the tree's nodes, as in lib/ml
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (w[i] > 0) rows.push(i);
    const grow = (rs: number[], depth: number): Node => {
      let W = 0;
      let W1 = 0;
      for (const i of rs) {
        W += w[i];
        W1 += w[i] * y[i];
      }
      const leaf: Node = { f: -1, t: 0, l: null, r: null, p: W1 / W };
      if (depth >= o.depth || W1 === 0 || W1 === W || rs.length < 2) return leaf;
      let best = { score: -Infinity, f: -1, t: 0 };
      let visited = 0;
      for (let k = 0; k < d; k++) {
        if (visited >= o.mtry && best.f >= 0) break;
        const r = k + tr.int(d - k);
        [feats[k], feats[r]] = [feats[r], feats[k]];
        const f = feats[k];
        const sorted = [...rs].sort((a, b) => X.data[a * d + f] - X.data[b * d + f]);
        const v = (i: number) => X.data[sorted[i] * d + f];
        if (v(0) === v(sorted.length - 1)) continue;
        visited++;
        let wl = 0;
        let wl1 = 0;
        for (let i = 0; i < sorted.length - 1; i++) {
          wl += w[sorted[i]];
          wl1 += w[sorted[i]] * y[sorted[i]];
          if (v(i) === v(i + 1)) continue;
          const wr = W - wl;
          const wr1 = W1 - wl1;
          const score = (wl1 * wl1 + (wl - wl1) ** 2) / wl + (wr1 * wr1 + (wr - wr1) ** 2) / wr;
          if (score > best.score + 1e-12 * W) best = { score, f, t: midpoint(v(i), v(i + 1)) };
        }
      }
      if (best.f < 0) return leaf;
      const L = rs.filter((i) => X.data[i * d + best.f] <= best.t);
      const R = rs.filter((i) => X.data[i * d + best.f] > best.t);
      return { f: best.f, t: best.t, l: grow(L, depth + 1), r: grow(R, depth + 1), p: leaf.p };
    };
    trees.push(grow(rows, 0));
  }
  return (row) => {
    let s = 0;
    for (const root of trees) {
      let nd = root;
      while (nd.f >= 0) nd = row[nd.f] <= nd.t ? nd.l! : nd.r!;
      s += nd.p;
    }
    return s / trees.length;
  };
}
