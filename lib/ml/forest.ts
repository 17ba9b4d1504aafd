/**
 * Random Forest classifier on typed arrays (CART trees, Gini impurity, bagging, random feature subsets).
 *
 * Speed comes from three choices: features are pre-binned once into <= 255 quantile bins (binning.ts), a
 * node's best split per feature is found from a class histogram over its rows (one pass + a bin scan, no
 * sort), and rows are partitioned in place inside one shared index array (no per-node allocation).
 * Semantics follow scikit-learn's RandomForestClassifier: bootstrap by sample counts, `min_samples_leaf`
 * counts distinct rows, `max_features` features are examined per node (more if none of them can split),
 * splits with zero gain are allowed in impure nodes (so XOR is learnable), probabilities are the mean of the
 * trees' leaf class fractions, importances are normalised mean impurity decrease.
 */
import { Rng } from '../core/rng.js';
import { ValidationError } from '../core/errors.js';
import { binMatrix, midpoint, type BinnedMatrix } from './binning.js';
import { assertFinite, checkLabels, type Matrix } from './matrix.js';
import { explainTrees, forestView, type Explanation, type TreeEnsembleView } from './tree-shap.js';

export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

export interface ForestParams {
  nEstimators: number;
  /** null = grow until pure or too small. */
  maxDepth: number | null;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** Features examined per split: 'sqrt', 'log2', 'all', a count >= 1, or a fraction in (0, 1). */
  maxFeatures: MaxFeatures;
  bootstrap: boolean;
  classWeight: 'balanced' | null;
  seed: number;
  /** Bins per feature for split search (2..255). */
  maxBins: number;
}

export const DEFAULT_FOREST_PARAMS: Readonly<ForestParams> = {
  nEstimators: 100,
  maxDepth: 10,
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  maxFeatures: 'sqrt',
  bootstrap: true,
  classWeight: null,
  seed: 42,
  maxBins: 255,
};

/** One fitted tree in flat arrays; feature[i] = -1 marks a leaf. */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** nodes x K class fractions (leaves are what predictions use). */
  value: Float64Array;
  /** Training weight reaching each node (bootstrap counts x class weights): TreeSHAP's cover. Absent in
   * models saved before explanations existed. */
  cover?: Float64Array;
}

export interface FitOptions {
  /** Called after each tree (progress bars). */
  onProgress?: (done: number, total: number) => void;
}

export function resolveMaxFeatures(mf: MaxFeatures, cols: number): number {
  let m: number;
  if (mf === 'sqrt') m = Math.floor(Math.sqrt(cols));
  else if (mf === 'log2') m = Math.floor(Math.log2(cols));
  else if (mf === 'all') m = cols;
  else if (typeof mf === 'number' && mf > 0 && mf < 1) m = Math.floor(mf * cols);
  else if (typeof mf === 'number' && Number.isInteger(mf) && mf >= 1) m = mf;
  else throw new ValidationError('forest.maxFeatures', "is not 'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1)", mf);
  return Math.max(1, Math.min(cols, m));
}

function checkParams(p: ForestParams): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new ValidationError(`forest.${name}`, `is not an integer >= ${min}`, v);
  };
  int('nEstimators', p.nEstimators, 1);
  if (p.maxDepth !== null) int('maxDepth', p.maxDepth, 0);
  int('minSamplesLeaf', p.minSamplesLeaf, 1);
  int('minSamplesSplit', p.minSamplesSplit, 2);
  int('seed', p.seed, -(2 ** 31));
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 255) throw new ValidationError('forest.maxBins', 'is not an integer in [2, 255]', p.maxBins);
  if (p.classWeight !== null && p.classWeight !== 'balanced') throw new ValidationError('forest.classWeight', "is not 'balanced' or null", p.classWeight);
}

/** Builds trees over one binned dataset, reusing its scratch buffers across nodes and trees. */
class TreeBuilder {
  private readonly idx: Int32Array;
  private readonly hist: Float64Array;
  private readonly cnt: Int32Array;
  private readonly totals: Float64Array;
  private readonly left: Float64Array;
  private readonly perm: Int32Array;
  readonly importance: Float64Array;
  // growing node storage for the current tree
  private nFeature: number[] = [];
  private nThreshold: number[] = [];
  private nLeft: number[] = [];
  private nRight: number[] = [];
  private nValue: number[] = [];
  private nCover: number[] = [];
  private rng!: Rng;
  private w!: Float64Array;

  constructor(
    private readonly X: BinnedMatrix,
    private readonly y: Int32Array,
    private readonly K: number,
    private readonly p: ForestParams,
    private readonly mtry: number,
  ) {
    this.idx = new Int32Array(X.rows);
    this.hist = new Float64Array(256 * K);
    this.cnt = new Int32Array(256);
    this.totals = new Float64Array(K);
    this.left = new Float64Array(K);
    this.perm = new Int32Array(X.cols);
    this.importance = new Float64Array(X.cols);
  }

  build(w: Float64Array, rng: Rng): Tree {
    this.w = w;
    this.rng = rng;
    for (let j = 0; j < this.X.cols; j++) this.perm[j] = j;
    let n = 0;
    for (let i = 0; i < w.length; i++) if (w[i] > 0) this.idx[n++] = i;
    this.nFeature = [];
    this.nThreshold = [];
    this.nLeft = [];
    this.nRight = [];
    this.nValue = [];
    this.nCover = [];
    this.importance.fill(0);
    this.grow(0, n, 0);
    const tree: Tree = {
      feature: Int32Array.from(this.nFeature),
      threshold: Float64Array.from(this.nThreshold),
      left: Int32Array.from(this.nLeft),
      right: Int32Array.from(this.nRight),
      value: Float64Array.from(this.nValue),
      cover: Float64Array.from(this.nCover),
    };
    return tree;
  }

  private grow(start: number, end: number, depth: number): number {
    const { K, p, X, y, w, idx, totals } = this;
    const node = this.nFeature.length;
    this.nFeature.push(-1);
    this.nThreshold.push(0);
    this.nLeft.push(-1);
    this.nRight.push(-1);
    totals.fill(0);
    for (let i = start; i < end; i++) totals[y[idx[i]]] += w[idx[i]];
    let W = 0;
    let sq = 0;
    let nonzero = 0;
    for (let k = 0; k < K; k++) {
      W += totals[k];
      sq += totals[k] * totals[k];
      if (totals[k] > 0) nonzero++;
    }
    for (let k = 0; k < K; k++) this.nValue.push(W > 0 ? totals[k] / W : 1 / K);
    this.nCover.push(W);
    const count = end - start;
    if (nonzero <= 1 || (p.maxDepth !== null && depth >= p.maxDepth) || count < p.minSamplesSplit || count < 2 * p.minSamplesLeaf) return node;

    const split = this.bestSplit(start, end, W);
    if (split.feature < 0) return node;
    const gain = split.score - sq / W;
    this.importance[split.feature] += gain > 0 ? gain : 0;
    // Partition idx[start, end) so rows with bin <= split.bin come first.
    const base = split.feature * X.rows;
    const bins = X.bins;
    let a = start;
    let b = end - 1;
    while (a <= b) {
      if (bins[base + idx[a]] <= split.bin) a++;
      else {
        const t = idx[a];
        idx[a] = idx[b];
        idx[b] = t;
        b--;
      }
    }
    this.nFeature[node] = split.feature;
    this.nThreshold[node] = split.threshold;
    const l = this.grow(start, a, depth + 1);
    this.nLeft[node] = l;
    const r = this.grow(a, end, depth + 1);
    this.nRight[node] = r;
    return node;
  }

  private bestSplit(start: number, end: number, W: number): { feature: number; bin: number; score: number; threshold: number } {
    const { K, X, y, w, idx, hist, cnt, totals, left, perm, rng, mtry } = this;
    const minLeaf = this.p.minSamplesLeaf;
    const cols = X.cols;
    const count = end - start;
    let bestF = -1;
    let bestBin = 0;
    let bestScore = -Infinity;
    let bestThreshold = 0;
    let visited = 0;
    for (let t = 0; t < cols; t++) {
      if (visited >= mtry && bestF >= 0) break;
      const r = t + rng.int(cols - t);
      const f = perm[r];
      perm[r] = perm[t];
      perm[t] = f;
      const base = f * X.rows;
      const bins = X.bins;
      let minB = 255;
      let maxB = 0;
      for (let i = start; i < end; i++) {
        const row = idx[i];
        const b = bins[base + row];
        if (b < minB) minB = b;
        if (b > maxB) maxB = b;
      }
      if (minB === maxB) continue; // constant in this node: does not count toward max_features
      visited++;
      hist.fill(0, minB * K, (maxB + 1) * K);
      cnt.fill(0, minB, maxB + 1);
      if (K === 2) {
        // binary fast path: class index is 0/1, so the slot is 2b + y
        for (let i = start; i < end; i++) {
          const row = idx[i];
          const b = bins[base + row];
          hist[(b << 1) + y[row]] += w[row];
          cnt[b]++;
        }
      } else {
        for (let i = start; i < end; i++) {
          const row = idx[i];
          const b = bins[base + row];
          hist[b * K + y[row]] += w[row];
          cnt[b]++;
        }
      }
      left.fill(0);
      let nl = 0;
      for (let b = minB; b < maxB; b++) {
        const c = cnt[b];
        if (c === 0) continue;
        nl += c;
        let sql = 0;
        let sqr = 0;
        let wl = 0;
        for (let k = 0; k < K; k++) {
          const v = (left[k] += hist[b * K + k]);
          wl += v;
          sql += v * v;
          const rv = totals[k] - v;
          sqr += rv * rv;
        }
        if (nl < minLeaf) continue;
        if (count - nl < minLeaf) break;
        const wr = W - wl;
        if (wl <= 0 || wr <= 0) continue;
        const score = sql / wl + sqr / wr;
        if (score > bestScore + 1e-12 * W) {
          bestScore = score;
          bestF = f;
          bestBin = b;
          // Midway between the largest value going left and the smallest going right in this node.
          let b2 = b + 1;
          while (cnt[b2] === 0) b2++;
          bestThreshold = midpoint(X.binMax[f][b], X.binMin[f][b2]);
        }
      }
    }
    return { feature: bestF, bin: bestBin, score: bestScore, threshold: bestThreshold };
  }
}

export interface ForestJSON {
  type: 'random-forest';
  format: 1;
  params: ForestParams;
  nClasses: number;
  nFeatures: number;
  featureNames: string[] | null;
  importances: number[];
  trees: Array<{ feature: number[]; threshold: number[]; left: number[]; right: number[]; value: number[]; cover?: number[] }>;
}

export class RandomForestClassifier {
  readonly kind = 'rf' as const;
  readonly params: ForestParams;
  private trees: Tree[] = [];
  private nClasses = 0;
  private nFeatures = 0;
  private featureNames: string[] | null = null;
  private importances: Float64Array = new Float64Array(0);

  constructor(params: Partial<ForestParams> = {}) {
    this.params = { ...DEFAULT_FOREST_PARAMS, ...params };
    checkParams(this.params);
  }

  get fitted(): boolean {
    return this.trees.length > 0;
  }
  get classes(): number {
    return this.nClasses;
  }
  get features(): readonly string[] | null {
    return this.featureNames;
  }
  get treeCount(): number {
    return this.trees.length;
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): this {
    assertFinite(X);
    const K = checkLabels(y, X.rows);
    if (X.rows === 0) throw new ValidationError('X', 'has no rows');
    const p = this.params;
    const yi = Int32Array.from(y);
    const binned = binMatrix(X.data, X.rows, X.cols, p.maxBins);
    const classW = new Float64Array(K).fill(1);
    if (p.classWeight === 'balanced') {
      const counts = new Float64Array(K);
      for (let i = 0; i < yi.length; i++) counts[yi[i]]++;
      let present = 0;
      for (let k = 0; k < K; k++) if (counts[k] > 0) present++;
      for (let k = 0; k < K; k++) classW[k] = counts[k] > 0 ? X.rows / (present * counts[k]) : 0;
    }
    const mtry = resolveMaxFeatures(p.maxFeatures, X.cols);
    const builder = new TreeBuilder(binned, yi, K, p, mtry);
    const rng = new Rng(p.seed);
    const w = new Float64Array(X.rows);
    const imp = new Float64Array(X.cols);
    this.trees = [];
    this.packedCache = null;
    for (let t = 0; t < p.nEstimators; t++) {
      const treeRng = rng.fork();
      if (p.bootstrap) {
        w.fill(0);
        for (let i = 0; i < X.rows; i++) w[treeRng.int(X.rows)] += 1;
        for (let i = 0; i < X.rows; i++) w[i] *= classW[yi[i]];
      } else {
        for (let i = 0; i < X.rows; i++) w[i] = classW[yi[i]];
      }
      this.trees.push(builder.build(w, treeRng));
      let s = 0;
      for (let j = 0; j < X.cols; j++) s += builder.importance[j];
      if (s > 0) for (let j = 0; j < X.cols; j++) imp[j] += builder.importance[j] / s;
      opts.onProgress?.(t + 1, p.nEstimators);
    }
    let s = 0;
    for (let j = 0; j < X.cols; j++) s += imp[j];
    this.importances = s > 0 ? imp.map((v) => v / s) : imp;
    this.nClasses = K;
    this.nFeatures = X.cols;
    this.featureNames = X.columns ? [...X.columns] : null;
    return this;
  }

  private checkInput(X: Matrix): void {
    if (!this.fitted) throw new Error('RandomForestClassifier: predict before fit');
    if (X.cols !== this.nFeatures) throw new ValidationError('X.cols', `is ${X.cols}, the model was fitted on ${this.nFeatures} features`, X.cols);
  }

  /** rows x K class probabilities, row-major. A NaN feature sends the row right at that split. */
  predictProba(X: Matrix): Float64Array {
    this.checkInput(X);
    const K = this.nClasses;
    const out = new Float64Array(X.rows * K);
    const data = X.data;
    const cols = X.cols;
    const inv = 1 / this.trees.length;
    if (K === 2) {
      // Binary fast path over the packed layout: P(class 1) per row, P(class 0) = 1 - P(class 1). Tree-outer,
      // rows inner: one tree's nodes (tens of KB) stay in cache while every row walks it, instead of each row
      // touching all trees (megabytes) in turn. Four rows walk in lock-step while all four are inside the
      // tree, so their dependent loads overlap (about 2x over one row at a time); stragglers finish alone.
      // `+!(x <= t)` is 0 (left) or 1 (right, also for NaN) without a branch.
      const { node: nd, thr, roots } = this.packed();
      const rows = X.rows;
      const sum = new Float64Array(rows);
      for (let t = 0; t < roots.length; t++) {
        const r = roots[t];
        let i = 0;
        for (; i + 3 < rows; i += 4) {
          let a = r;
          let b = r;
          let c = r;
          let d = r;
          let fa = nd[2 * r];
          let fb = fa;
          let fc = fa;
          let fd = fa;
          const oa = i * cols;
          const ob = oa + cols;
          const oc = ob + cols;
          const od = oc + cols;
          while (fa >= 0 && fb >= 0 && fc >= 0 && fd >= 0) {
            a = nd[2 * a + 1] + +!(data[oa + fa] <= thr[a]);
            b = nd[2 * b + 1] + +!(data[ob + fb] <= thr[b]);
            c = nd[2 * c + 1] + +!(data[oc + fc] <= thr[c]);
            d = nd[2 * d + 1] + +!(data[od + fd] <= thr[d]);
            fa = nd[2 * a];
            fb = nd[2 * b];
            fc = nd[2 * c];
            fd = nd[2 * d];
          }
          while (fa >= 0) {
            a = nd[2 * a + 1] + +!(data[oa + fa] <= thr[a]);
            fa = nd[2 * a];
          }
          while (fb >= 0) {
            b = nd[2 * b + 1] + +!(data[ob + fb] <= thr[b]);
            fb = nd[2 * b];
          }
          while (fc >= 0) {
            c = nd[2 * c + 1] + +!(data[oc + fc] <= thr[c]);
            fc = nd[2 * c];
          }
          while (fd >= 0) {
            d = nd[2 * d + 1] + +!(data[od + fd] <= thr[d]);
            fd = nd[2 * d];
          }
          sum[i] += thr[a];
          sum[i + 1] += thr[b];
          sum[i + 2] += thr[c];
          sum[i + 3] += thr[d];
        }
        for (; i < rows; i++) {
          let a = r;
          let fa = nd[2 * a];
          const oa = i * cols;
          while (fa >= 0) {
            a = nd[2 * a + 1] + +!(data[oa + fa] <= thr[a]);
            fa = nd[2 * a];
          }
          sum[i] += thr[a];
        }
      }
      for (let i = 0; i < rows; i++) {
        const p1 = sum[i] * inv;
        out[i * 2 + 1] = p1;
        out[i * 2] = 1 - p1;
      }
      return out;
    }
    for (const tree of this.trees) {
      const { feature, threshold, left, right, value } = tree;
      for (let i = 0; i < X.rows; i++) {
        let node = 0;
        let f = feature[0];
        const off = i * cols;
        while (f >= 0) {
          node = data[off + f] <= threshold[node] ? left[node] : right[node];
          f = feature[node];
        }
        for (let k = 0; k < K; k++) out[i * K + k] += value[node * K + k];
      }
    }
    for (let i = 0; i < out.length; i++) out[i] *= inv;
    return out;
  }

  private packedCache: { node: Int32Array; thr: Float64Array; roots: Int32Array } | null = null;

  /**
   * All trees in one set of flat arrays for fast binary prediction: `node` interleaves [feature, first child]
   * per node (one cache line serves both), children sit side by side (right = left + 1, breadth-first
   * order), and `thr` holds the threshold, or P(class 1) at a leaf (feature -1).
   */
  private packed(): { node: Int32Array; thr: Float64Array; roots: Int32Array } {
    if (this.packedCache) return this.packedCache;
    const total = this.trees.reduce((k, t) => k + t.feature.length, 0);
    const feat = new Int32Array(total);
    const thr = new Float64Array(total);
    const child = new Int32Array(total);
    const roots = new Int32Array(this.trees.length);
    let next = 0;
    this.trees.forEach((t, ti) => {
      roots[ti] = next;
      // BFS: queue of original node ids; position in the queue = packed id - base.
      const base = next;
      const queue = [0];
      next++;
      for (let q = 0; q < queue.length; q++) {
        const n = queue[q];
        const id = base + q;
        feat[id] = t.feature[n];
        if (t.feature[n] >= 0) {
          thr[id] = t.threshold[n];
          child[id] = next;
          queue.push(t.left[n], t.right[n]);
          next += 2;
        } else {
          thr[id] = t.value[n * 2 + 1];
        }
      }
    });
    const node = new Int32Array(2 * total);
    for (let i = 0; i < total; i++) {
      node[2 * i] = feat[i];
      node[2 * i + 1] = child[i];
    }
    this.packedCache = { node, thr, roots };
    return this.packedCache;
  }

  /** Probability of class 1 per row (binary problems). */
  predictPositive(X: Matrix): Float64Array {
    const p = this.predictProba(X);
    const K = this.nClasses;
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) out[i] = p[i * K + 1];
    return out;
  }

  /** Most probable class per row (ties go to the lower class, as argmax does). */
  predict(X: Matrix): Int32Array {
    const p = this.predictProba(X);
    const K = this.nClasses;
    const out = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (p[i * K + k] > p[i * K + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  /** The trees as one ensemble whose raw score is P(class 1): each leaf holds its class-1 fraction / trees. */
  view(): TreeEnsembleView {
    return forestView(this.trees, this.nClasses, this.nFeatures, this.featureNames);
  }

  /** Exact TreeSHAP contributions to P(class 1) (contributions + expected = predicted probability). */
  explain(X: Matrix): Explanation {
    this.checkInput(X);
    return explainTrees(this.view(), X);
  }

  /** Normalised mean impurity decrease per feature (sums to 1 unless no tree ever split). */
  featureImportances(): Float64Array {
    return this.importances.slice();
  }

  /** Max depth over the trees (0 = every tree is a single leaf). */
  depth(): number {
    let best = 0;
    for (const t of this.trees) {
      const d = new Int32Array(t.feature.length);
      for (let i = 0; i < t.feature.length; i++) {
        if (t.feature[i] >= 0) {
          d[t.left[i]] = d[i] + 1;
          d[t.right[i]] = d[i] + 1;
          if (d[i] + 1 > best) best = d[i] + 1;
        }
      }
    }
    return best;
  }

  toJSON(): ForestJSON {
    if (!this.fitted) throw new Error('RandomForestClassifier: toJSON before fit');
    return {
      type: 'random-forest',
      format: 1,
      params: { ...this.params },
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      featureNames: this.featureNames,
      importances: Array.from(this.importances),
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
        ...(t.cover ? { cover: Array.from(t.cover) } : {}),
      })),
    };
  }

  static fromJSON(j: ForestJSON): RandomForestClassifier {
    if (j?.type !== 'random-forest' || j.format !== 1) throw new ValidationError('model.type', "is not a random-forest model of format 1", j?.type);
    const m = new RandomForestClassifier(j.params);
    m.nClasses = j.nClasses;
    m.nFeatures = j.nFeatures;
    m.featureNames = j.featureNames;
    m.importances = Float64Array.from(j.importances);
    m.trees = j.trees.map((t) => ({
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
      ...(t.cover ? { cover: Float64Array.from(t.cover) } : {}),
    }));
    return m;
  }
}
