/**
 * Gradient-boosted decision trees for binary classification, built the way LightGBM builds them:
 * binary log-loss, features pre-binned once (binning.ts, shared with the forest, with LightGBM's bin
 * boundaries), leaf-wise growth (always split the leaf with the largest gain, up to `numLeaves`), split search
 * on per-leaf gradient/hessian histograms with the subtraction trick (only the smaller child's histogram is
 * built; the larger one is parent - smaller), L1/L2-regularised leaf values, per-tree feature sampling, row
 * bagging, and early stopping on a validation block carved from the END of the training rows (on bar times
 * when given, with a purge gap), never from the test rows. Seeded: the same data, parameters and seed give
 * byte-identical JSON.
 *
 * LightGBM's numerics are followed where they decide near-ties (float32 gradients, the right-to-left
 * threshold scan, counts estimated from hessians for min_data_in_leaf, kEpsilon, the most-frequent-bin
 * histogram fix-up), so on the same data and settings it grows the same trees as LightGBM 4.x
 * (test/ml/gbdt-parity.test.ts). Missing values are refused in training; at prediction NaN goes right.
 *
 * Parameter names map to LightGBM's: nEstimators = num_iterations, numLeaves = num_leaves, maxDepth =
 * max_depth (null = -1), minDataInLeaf = min_data_in_leaf, minSumHessianInLeaf = min_sum_hessian_in_leaf,
 * lambdaL1/L2 = lambda_l1/l2, minGainToSplit = min_gain_to_split, featureFraction = feature_fraction,
 * baggingFraction/baggingFreq = bagging_fraction/bagging_freq, earlyStoppingRounds = early_stopping_round.
 */
import { Rng } from '../core/rng.js';
import { ValidationError } from '../core/errors.js';
import { binMatrix } from './binning.js';
import { assertFinite, checkLabels, type Matrix } from './matrix.js';
import type { ModelFitOptions } from './model.js';
import { explainTrees, type Explanation, type FlatTree, type TreeEnsembleView } from './tree-shap.js';

export interface GbdtParams {
  /** Boosting rounds (the most trees; early stopping may keep fewer). */
  nEstimators: number;
  learningRate: number;
  numLeaves: number;
  /** null = no depth limit (LightGBM's -1). */
  maxDepth: number | null;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  /** Fraction of features each tree may split on (sampled per tree). */
  featureFraction: number;
  /** Fraction of rows each bag holds; resampled every `baggingFreq` rounds (0 = no bagging). */
  baggingFraction: number;
  baggingFreq: number;
  /** Stop when the validation log loss has not improved for this many rounds (0 = off). */
  earlyStoppingRounds: number;
  /** Without an explicit validation set: the last fraction of the training rows (by time) is held out. */
  validationFraction: number;
  /** Bins per feature (2..255). */
  maxBins: number;
  seed: number;
}

export const DEFAULT_GBDT_PARAMS: Readonly<GbdtParams> = {
  nEstimators: 200,
  learningRate: 0.05,
  numLeaves: 31,
  maxDepth: null,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  featureFraction: 1,
  baggingFraction: 1,
  baggingFreq: 0,
  earlyStoppingRounds: 20,
  validationFraction: 0.15,
  maxBins: 255,
  seed: 42,
};

export interface GbdtFitOptions extends ModelFitOptions {
  /** Explicit early-stopping set (e.g. a later time block); otherwise the tail of the training rows, cut on
   * `time` (when given) with `purge` bars (default 1) dropped before it. */
  validation?: { X: Matrix; y: ArrayLike<number> };
}

export interface GbdtTreeJSON {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
  gain: number[];
}

export interface GbdtJSON {
  type: 'gbdt';
  format: 1;
  params: GbdtParams;
  nFeatures: number;
  featureNames: string[] | null;
  /** log(p / (1 - p)) of the training base rate: the score before any tree. */
  initScore: number;
  importances: number[];
  earlyStopping: { validationRows: number; bestIteration: number; bestLoss: number; losses: number[] } | null;
  trees: GbdtTreeJSON[];
}

interface GbdtTree extends FlatTree {
  gain: Float64Array;
}

function checkParams(p: GbdtParams): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new ValidationError(`gbdt.${name}`, `is not an integer >= ${min}`, v);
  };
  const num = (name: string, v: number, ok: boolean, what: string) => {
    if (typeof v !== 'number' || !ok) throw new ValidationError(`gbdt.${name}`, what, v);
  };
  int('nEstimators', p.nEstimators, 1);
  num('learningRate', p.learningRate, p.learningRate > 0 && p.learningRate <= 1, 'is not in (0, 1]');
  int('numLeaves', p.numLeaves, 2);
  if (p.maxDepth !== null) int('maxDepth', p.maxDepth, 1);
  int('minDataInLeaf', p.minDataInLeaf, 1);
  num('minSumHessianInLeaf', p.minSumHessianInLeaf, p.minSumHessianInLeaf >= 0, 'is not a number >= 0');
  num('lambdaL1', p.lambdaL1, p.lambdaL1 >= 0, 'is not a number >= 0');
  num('lambdaL2', p.lambdaL2, p.lambdaL2 >= 0, 'is not a number >= 0');
  num('minGainToSplit', p.minGainToSplit, p.minGainToSplit >= 0, 'is not a number >= 0');
  num('featureFraction', p.featureFraction, p.featureFraction > 0 && p.featureFraction <= 1, 'is not in (0, 1]');
  num('baggingFraction', p.baggingFraction, p.baggingFraction > 0 && p.baggingFraction <= 1, 'is not in (0, 1]');
  int('baggingFreq', p.baggingFreq, 0);
  int('earlyStoppingRounds', p.earlyStoppingRounds, 0);
  num('validationFraction', p.validationFraction, p.validationFraction > 0 && p.validationFraction < 1, 'is not in (0, 1)');
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 255) throw new ValidationError('gbdt.maxBins', 'is not an integer in [2, 255]', p.maxBins);
  int('seed', p.seed, -(2 ** 31));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** LightGBM's kEpsilon (1e-15 as a float): keeps hessian sums off zero. */
const K_EPSILON = Math.fround(1e-15);

/** Rows [0, n) split into fitted rows and a held-out tail for early stopping. */
function carveValidation(rows: number, frac: number, time: ArrayLike<number> | undefined, purge: number): { fitEnd: number; valStart: number } {
  if (!time) {
    const valStart = rows - Math.max(1, Math.round(rows * frac));
    return { fitEnd: valStart, valStart };
  }
  if (time.length !== rows) throw new ValidationError('fit.time', `has ${time.length} values, X has ${rows} rows`);
  for (let i = 1; i < rows; i++) if (time[i] < time[i - 1]) throw new ValidationError(`fit.time[${i}]`, 'is earlier than the row before: rows must be in time order to hold out the latest block');
  const distinct: number[] = [];
  for (let i = 0; i < rows; i++) if (i === 0 || time[i] !== time[i - 1]) distinct.push(time[i]);
  const k = Math.max(1, Math.round(distinct.length * frac));
  const valFrom = distinct[distinct.length - k];
  const fitBefore = distinct[Math.max(0, distinct.length - k - purge)];
  let valStart = 0;
  while (valStart < rows && time[valStart] < valFrom) valStart++;
  let fitEnd = 0;
  while (fitEnd < rows && time[fitEnd] < fitBefore) fitEnd++;
  return { fitEnd, valStart };
}

function logLoss(score: Float64Array, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < score.length; i++) {
    // log(1 + e^-|z|) form: stable for large scores
    const z = y[i] === 1 ? score[i] : -score[i];
    s += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
  }
  return s / score.length;
}

/**
 * Grows one tree at a time over a binned training set, reusing its buffers across trees. Histograms hold
 * (sum gradient, sum hessian, count) per bin, features laid end to end.
 */
class Booster {
  readonly n: number;
  readonly F: number;
  /** Row-major bins for OOB scoring. */
  private readonly binsRM: Uint8Array;
  /** Row-major histogram slots (histOff[j] + 2 * bin): one pass over a leaf's rows fills every feature. */
  private readonly slotRM: Uint16Array | Int32Array;
  /** Column-major bins for partitioning a leaf on one feature. */
  private readonly binsCM: Uint8Array;
  readonly edges: Float64Array[];
  private readonly nBins: Int32Array;
  /** Per feature: the bin holding the most training rows (LightGBM's most_freq_bin). */
  private readonly mfb: Int32Array;
  private readonly histOff: Int32Array;
  private readonly histLen: number;
  private readonly hists: Float64Array[];
  /** Rows of the current bag, ascending; each tree starts from a fresh copy so histograms read rows in order. */
  private readonly bagRows: Int32Array;
  private readonly idx: Int32Array;
  private readonly scratch: Int32Array;
  private readonly inBag: Uint8Array;
  /** Per-row gradients and hessians stored as float32, as LightGBM stores them (score_t = float): half the
   * memory traffic in histogram building, and the same rounding as LightGBM. Sums are double. */
  readonly grad: Float32Array;
  readonly hess: Float32Array;
  private readonly feats: Int32Array;
  private nFeats: number;
  // per-leaf state (leaf ids 0..numLeaves-1)
  private readonly lStart: Int32Array;
  private readonly lEnd: Int32Array;
  private readonly lG: Float64Array;
  private readonly lH: Float64Array;
  private readonly lDepth: Int32Array;
  private readonly lNode: Int32Array;
  private readonly lHist: Int32Array;
  private readonly cGain: Float64Array;
  private readonly cFeat: Int32Array;
  private readonly cBin: Int32Array;
  private readonly cGL: Float64Array;
  private readonly cHL: Float64Array;

  constructor(
    X: Matrix,
    rows: number,
    private readonly p: GbdtParams,
  ) {
    const F = X.cols;
    this.n = rows;
    this.F = F;
    // LightGBM's bin boundaries, so the same data offers the same candidate thresholds as LightGBM
    const binned = binMatrix(X.data.subarray(0, rows * F), rows, F, p.maxBins, 'lightgbm');
    this.binsCM = binned.bins;
    this.edges = binned.edges;
    this.nBins = new Int32Array(F);
    this.histOff = new Int32Array(F);
    let off = 0;
    for (let j = 0; j < F; j++) {
      this.nBins[j] = binned.edges[j].length + 1;
      this.histOff[j] = off;
      off += this.nBins[j] * 2;
    }
    this.mfb = new Int32Array(F);
    const cnt = new Int32Array(256);
    for (let j = 0; j < F; j++) {
      cnt.fill(0);
      for (let i = 0; i < rows; i++) cnt[binned.bins[j * rows + i]]++;
      let best = 0;
      for (let b = 1; b < this.nBins[j]; b++) if (cnt[b] > cnt[best]) best = b;
      this.mfb[j] = best;
    }
    this.binsRM = new Uint8Array(rows * F);
    // 2-byte slots while they fit (up to ~85 features): a quarter of the memory traffic of Int32
    this.slotRM = off <= 65535 ? new Uint16Array(rows * F) : new Int32Array(rows * F);
    for (let j = 0; j < F; j++) {
      const base = j * rows;
      for (let i = 0; i < rows; i++) {
        this.binsRM[i * F + j] = binned.bins[base + i];
        this.slotRM[i * F + j] = this.histOff[j] + 2 * binned.bins[base + i];
      }
    }
    this.histLen = off;
    const L = p.numLeaves;
    this.hists = Array.from({ length: L }, () => new Float64Array(off));
    this.bagRows = new Int32Array(rows);
    this.idx = new Int32Array(rows);
    this.scratch = new Int32Array(rows);
    this.inBag = new Uint8Array(rows);
    this.grad = new Float32Array(rows);
    this.hess = new Float32Array(rows);
    this.feats = new Int32Array(F);
    this.nFeats = F;
    this.lStart = new Int32Array(L);
    this.lEnd = new Int32Array(L);
    this.lG = new Float64Array(L);
    this.lH = new Float64Array(L);
    this.lDepth = new Int32Array(L);
    this.lNode = new Int32Array(L);
    this.lHist = new Int32Array(L);
    this.cGain = new Float64Array(L);
    this.cFeat = new Int32Array(L);
    this.cBin = new Int32Array(L);
    this.cGL = new Float64Array(L);
    this.cHL = new Float64Array(L);
  }

  /** L1-thresholded gradient sum (LightGBM's ThresholdL1). */
  private t1(g: number): number {
    const l1 = this.p.lambdaL1;
    if (l1 === 0) return g;
    const a = Math.abs(g) - l1;
    return a > 0 ? Math.sign(g) * a : 0;
  }

  private leafGain(g: number, h: number): number {
    const t = this.t1(g);
    return (t * t) / (h + this.p.lambdaL2);
  }

  leafOutput(g: number, h: number): number {
    return -this.t1(g) / (h + this.p.lambdaL2);
  }

  /** Draw this round's bag (Bernoulli per row, or every row without rng); returns its size. */
  bag(rng: Rng | null): number {
    let m = 0;
    if (!rng) {
      for (let i = 0; i < this.n; i++) this.bagRows[i] = i;
      this.inBag.fill(1);
      return this.n;
    }
    const f = this.p.baggingFraction;
    for (let i = 0; i < this.n; i++) {
      const keep = rng.next() < f;
      this.inBag[i] = keep ? 1 : 0;
      if (keep) this.bagRows[m++] = i;
    }
    return m;
  }

  sampleFeatures(rng: Rng): void {
    const F = this.F;
    for (let j = 0; j < F; j++) this.feats[j] = j;
    if (this.p.featureFraction >= 1) {
      this.nFeats = F;
      return;
    }
    const k = Math.max(1, Math.floor(this.p.featureFraction * F + 1e-9));
    for (let t = 0; t < k; t++) {
      const r = t + rng.int(F - t);
      const x = this.feats[r];
      this.feats[r] = this.feats[t];
      this.feats[t] = x;
    }
    this.feats.subarray(0, k).sort();
    this.nFeats = k;
  }

  private buildHist(h: Float64Array, start: number, end: number): void {
    h.fill(0);
    const { idx, grad, hess, slotRM, F, feats, nFeats } = this;
    if (nFeats === F) {
      // unrolled by four features: the loop body is tiny, so its own overhead is a large share of the time
      const F4 = F & ~3;
      for (let k = start; k < end; k++) {
        const r = idx[k];
        const g = grad[r];
        const hs = hess[r];
        const ro = r * F;
        const e4 = ro + F4;
        let j = ro;
        for (; j < e4; j += 4) {
          const q0 = slotRM[j];
          const q1 = slotRM[j + 1];
          const q2 = slotRM[j + 2];
          const q3 = slotRM[j + 3];
          h[q0] += g;
          h[q0 + 1] += hs;
          h[q1] += g;
          h[q1 + 1] += hs;
          h[q2] += g;
          h[q2 + 1] += hs;
          h[q3] += g;
          h[q3 + 1] += hs;
        }
        for (const e = ro + F; j < e; j++) {
          const q = slotRM[j];
          h[q] += g;
          h[q + 1] += hs;
        }
      }
    } else {
      for (let k = start; k < end; k++) {
        const r = idx[k];
        const g = grad[r];
        const hs = hess[r];
        const ro = r * F;
        for (let t = 0; t < nFeats; t++) {
          const q = slotRM[ro + feats[t]];
          h[q] += g;
          h[q + 1] += hs;
        }
      }
    }
  }

  /**
   * LightGBM does not accumulate the most frequent bin of a feature; it sets it to the leaf's sums minus all
   * other bins (Dataset::FixHistogram). Doing the same reproduces its rounding, which decides near-ties.
   */
  private fixHistogram(h: Float64Array, G: number, H: number): void {
    for (let t = 0; t < this.nFeats; t++) {
      const j = this.feats[t];
      const m = this.mfb[j];
      if (m === 0) continue;
      const o = this.histOff[j];
      let g = G;
      let hs = H;
      for (let b = 0; b < this.nBins[j]; b++) {
        if (b === m) continue;
        g -= h[o + b * 2];
        hs -= h[o + b * 2 + 1];
      }
      h[o + m * 2] = g;
      h[o + m * 2 + 1] = hs;
    }
  }

  /** Best split of leaf `l` from its histogram into the candidate arrays (gain -Infinity = none). */
  private findSplit(l: number): void {
    const p = this.p;
    this.cGain[l] = -Infinity;
    const count = this.lEnd[l] - this.lStart[l];
    if (count < 2 * p.minDataInLeaf || (p.maxDepth !== null && this.lDepth[l] >= p.maxDepth)) return;
    const h = this.hists[this.lHist[l]];
    const G = this.lG[l];
    const H = this.lH[l];
    const minData = p.minDataInLeaf;
    const minHess = p.minSumHessianInLeaf;
    // LightGBM's FindBestThresholdSequentially, reverse direction: accumulate the right side from the top bin
    // down, counts estimated from hessians (hess x count / sum hess, rounded per bin), hessian sums carrying
    // LightGBM's kEpsilon; the first best found (highest threshold, lowest feature) wins ties.
    const Hs = H + 2 * K_EPSILON;
    const cntFactor = count / Hs;
    const shift = this.leafGain(G, Hs) + p.minGainToSplit;
    let best = -Infinity;
    let bestF = -1;
    let bestBin = 0;
    let bestGL = 0;
    let bestHL = 0;
    for (let t = 0; t < this.nFeats; t++) {
      const j = this.feats[t];
      const nb = this.nBins[j];
      const o = this.histOff[j];
      let gr = 0;
      let hr = K_EPSILON;
      let cr = 0;
      for (let b = nb - 1; b >= 1; b--) {
        const q = o + b * 2;
        const hb = h[q + 1];
        const gb = h[q];
        // a bin empty in this leaf changes nothing: same checks, same gain as the bin before (never > best)
        if (hb === 0 && gb === 0) continue;
        gr += gb;
        hr += hb;
        cr += Math.floor(hb * cntFactor + 0.5);
        if (cr < minData || hr < minHess) continue;
        const cl = count - cr;
        if (cl < minData) break;
        const hl = Hs - hr;
        if (hl < minHess) break;
        const gl = G - gr;
        const gain = this.leafGain(gl, hl) + this.leafGain(gr, hr);
        if (gain <= shift) continue;
        if (gain > best) {
          best = gain;
          bestF = j;
          bestBin = b - 1;
          bestGL = gl;
          bestHL = hl - K_EPSILON;
        }
      }
    }
    if (bestF < 0) return;
    this.cGain[l] = best - shift;
    this.cFeat[l] = bestF;
    this.cBin[l] = bestBin;
    this.cGL[l] = bestGL;
    this.cHL[l] = bestHL;
  }

  /** Grows one tree on the bag's first m rows; returns it with leaf values already scaled by the learning rate. */
  grow(m: number): { tree: GbdtTree; nodeBin: Int32Array; leaves: number } {
    const p = this.p;
    this.idx.set(this.bagRows.subarray(0, m));
    const L = p.numLeaves;
    const maxNodes = 2 * L - 1;
    const feature = new Int32Array(maxNodes).fill(-1);
    const threshold = new Float64Array(maxNodes);
    const left = new Int32Array(maxNodes).fill(-1);
    const right = new Int32Array(maxNodes).fill(-1);
    const value = new Float64Array(maxNodes);
    const cover = new Float64Array(maxNodes);
    const gain = new Float64Array(maxNodes);
    const nodeBin = new Int32Array(maxNodes);
    let nodes = 1;

    let G = 0;
    let H = 0;
    for (let k = 0; k < m; k++) {
      G += this.grad[this.idx[k]];
      H += this.hess[this.idx[k]];
    }
    this.lStart[0] = 0;
    this.lEnd[0] = m;
    this.lG[0] = G;
    this.lH[0] = H;
    this.lDepth[0] = 0;
    this.lNode[0] = 0;
    this.lHist[0] = 0;
    cover[0] = m;
    this.buildHist(this.hists[0], 0, m);
    this.fixHistogram(this.hists[0], G, H);
    this.findSplit(0);
    let leaves = 1;
    while (leaves < L) {
      let bl = -1;
      let bg = 0;
      for (let l = 0; l < leaves; l++) {
        if (this.cGain[l] > bg) {
          bg = this.cGain[l];
          bl = l;
        }
      }
      if (bl < 0) break;
      const f = this.cFeat[bl];
      const bin = this.cBin[bl];
      const start = this.lStart[bl];
      const end = this.lEnd[bl];
      // stable partition: rows with bin <= split bin first, both sides keep ascending row order
      const { idx, scratch, binsCM, n } = this;
      const base = f * n;
      let a = start;
      let r = 0;
      for (let k = start; k < end; k++) {
        const row = idx[k];
        if (binsCM[base + row] <= bin) idx[a++] = row;
        else scratch[r++] = row;
      }
      idx.set(scratch.subarray(0, r), a);
      const mid = a;
      const nl = leaves;
      const node = this.lNode[bl];
      feature[node] = f;
      threshold[node] = this.edges[f][bin];
      nodeBin[node] = bin;
      gain[node] = this.cGain[bl];
      const ln = nodes++;
      const rn = nodes++;
      left[node] = ln;
      right[node] = rn;
      const GL = this.cGL[bl];
      const HL = this.cHL[bl];
      const depth = this.lDepth[bl] + 1;
      const Gp = this.lG[bl];
      const Hp = this.lH[bl];
      // left child keeps leaf id bl, right child becomes leaf nl
      this.lStart[nl] = mid;
      this.lEnd[nl] = end;
      this.lEnd[bl] = mid;
      this.lG[bl] = GL;
      this.lH[bl] = HL;
      this.lG[nl] = Gp - GL;
      this.lH[nl] = Hp - HL;
      this.lDepth[bl] = depth;
      this.lDepth[nl] = depth;
      this.lNode[bl] = ln;
      this.lNode[nl] = rn;
      cover[ln] = mid - start;
      cover[rn] = end - mid;
      // histogram subtraction: build the smaller child, the larger is parent - smaller (in the parent's buffer)
      const parentHist = this.lHist[bl];
      const smallIsLeft = mid - start <= end - mid;
      const small = smallIsLeft ? bl : nl;
      const large = smallIsLeft ? nl : bl;
      this.lHist[large] = parentHist;
      this.lHist[small] = nl; // leaves 0..nl-1 hold buffers 0..nl-1, so buffer nl is free
      leaves++;
      // Histograms only for children that may still split (not after the last split, not below 2 x min data
      // or at max depth); the larger child's is needed only if it may split itself.
      const splittable = (l: number) => leaves < L && this.lEnd[l] - this.lStart[l] >= 2 * p.minDataInLeaf && (p.maxDepth === null || depth < p.maxDepth);
      const smallOk = splittable(small);
      const largeOk = splittable(large);
      this.cGain[bl] = -Infinity;
      this.cGain[nl] = -Infinity;
      if (!smallOk && !largeOk) continue;
      const hs = this.hists[nl];
      this.buildHist(hs, this.lStart[small], this.lEnd[small]);
      this.fixHistogram(hs, this.lG[small], this.lH[small]);
      if (largeOk) {
        const hp = this.hists[parentHist];
        const len = this.histLen; // even: (gradient, hessian) pairs
        for (let q = 0; q < len; q += 2) {
          hp[q] -= hs[q];
          hp[q + 1] -= hs[q + 1];
        }
        this.findSplit(large);
      }
      if (smallOk) this.findSplit(small);
    }
    // leaf values
    for (let l = 0; l < leaves; l++) {
      const node = this.lNode[l];
      value[node] = this.leafOutput(this.lG[l], this.lH[l]) * p.learningRate;
    }
    const tree: GbdtTree = {
      feature: feature.slice(0, nodes),
      threshold: threshold.slice(0, nodes),
      left: left.slice(0, nodes),
      right: right.slice(0, nodes),
      value: value.slice(0, nodes),
      cover: cover.slice(0, nodes),
      gain: gain.slice(0, nodes),
    };
    return { tree, nodeBin, leaves };
  }

  /** Score of each in-bag row via the leaf ranges of the tree just grown (leaves 0..leaves-1). */
  addLeafValues(score: Float64Array, tree: GbdtTree, leaves: number): void {
    for (let l = 0; l < leaves; l++) {
      const v = tree.value[this.lNode[l]];
      for (let k = this.lStart[l]; k < this.lEnd[l]; k++) score[this.idx[k]] += v;
    }
  }

  /** Out-of-bag rows walk the tree on their bins. */
  addOutOfBag(score: Float64Array, tree: GbdtTree, nodeBin: Int32Array): void {
    const { F, binsRM, inBag } = this;
    for (let i = 0; i < this.n; i++) {
      if (inBag[i]) continue;
      let node = 0;
      while (tree.feature[node] >= 0) node = binsRM[i * F + tree.feature[node]] <= nodeBin[node] ? tree.left[node] : tree.right[node];
      score[i] += tree.value[node];
    }
  }
}

export class GbdtClassifier {
  readonly kind = 'gbdt' as const;
  readonly params: GbdtParams;
  private trees: GbdtTree[] = [];
  private nFeatures = 0;
  private featureNames: string[] | null = null;
  private initScore = 0;
  private importances: Float64Array = new Float64Array(0);
  private stopping: GbdtJSON['earlyStopping'] = null;
  private isFitted = false;

  constructor(params: Partial<GbdtParams> = {}) {
    this.params = { ...DEFAULT_GBDT_PARAMS, ...params };
    checkParams(this.params);
  }

  get fitted(): boolean {
    return this.isFitted;
  }
  get treeCount(): number {
    return this.trees.length;
  }
  get features(): readonly string[] | null {
    return this.featureNames;
  }
  /** Early-stopping outcome (null when off): the kept number of trees and the validation loss curve. */
  get earlyStopping(): GbdtJSON['earlyStopping'] {
    return this.stopping;
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: GbdtFitOptions = {}): this {
    assertFinite(X);
    const K = checkLabels(y, X.rows);
    if (K > 2) throw new ValidationError('y', 'has more than two classes: gbdt is a binary classifier (labels 0/1)', K);
    if (X.rows === 0) throw new ValidationError('X', 'has no rows');
    const p = this.params;
    const F = X.cols;
    // the fitted rows and the early-stopping block
    let fitRows = X.rows;
    let valX: Matrix | null = null;
    let valY: ArrayLike<number> | null = null;
    if (p.earlyStoppingRounds > 0) {
      if (opts.validation) {
        if (opts.validation.X.cols !== F) throw new ValidationError('validation.X.cols', `is ${opts.validation.X.cols}, X has ${F}`, opts.validation.X.cols);
        assertFinite(opts.validation.X, 'validation.X');
        checkLabels(opts.validation.y, opts.validation.X.rows, 'validation.y');
        valX = opts.validation.X;
        valY = opts.validation.y;
      } else {
        const purge = opts.purge ?? 1;
        if (!Number.isInteger(purge) || purge < 0) throw new ValidationError('fit.purge', 'is not an integer >= 0', purge);
        const { fitEnd, valStart } = carveValidation(X.rows, p.validationFraction, opts.time, purge);
        if (fitEnd < 2 || valStart >= X.rows) {
          throw new ValidationError('gbdt.validationFraction', `leaves no rows to fit or to validate on (${X.rows} rows); lower it or set earlyStoppingRounds 0`, p.validationFraction);
        }
        fitRows = fitEnd;
        valX = { rows: X.rows - valStart, cols: F, data: X.data.subarray(valStart * F), columns: X.columns };
        valY = Array.from({ length: X.rows - valStart }, (_, k) => y[valStart + k]);
      }
    }
    const booster = new Booster(X, fitRows, p);
    const n = fitRows;
    let pos = 0;
    for (let i = 0; i < n; i++) pos += y[i];
    const rate = pos / n;
    // LightGBM's boost_from_average: start from the base rate's log-odds (0 if one class only)
    this.initScore = rate > 0 && rate < 1 ? Math.log(rate / (1 - rate)) : 0;
    const score = new Float64Array(n).fill(this.initScore);
    const valScore = valX ? new Float64Array(valX.rows).fill(this.initScore) : null;
    const rng = new Rng(p.seed);
    const bagRng = rng.fork();
    const featRng = rng.fork();
    const bagging = p.baggingFreq > 0 && p.baggingFraction < 1;
    const trees: GbdtTree[] = [];
    const losses: number[] = [];
    let bestLoss = Infinity;
    let bestIter = 0;
    let m = booster.bag(null);
    const { grad, hess } = booster;
    // labels as LightGBM's {-1, +1}
    const sign = Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? 1 : -1));
    for (let it = 0; it < p.nEstimators; it++) {
      for (let i = 0; i < n; i++) {
        // LightGBM's binary log-loss gradient with labels in {-1, +1}: r = -l / (1 + e^(l s)) = p - y
        const l = sign[i];
        const r = -l / (1 + Math.exp(l * score[i]));
        const a = Math.abs(r);
        grad[i] = r;
        hess[i] = a * (1 - a);
      }
      if (bagging && it % p.baggingFreq === 0) m = booster.bag(bagRng);
      booster.sampleFeatures(featRng);
      const { tree, nodeBin, leaves } = booster.grow(m);
      booster.addLeafValues(score, tree, leaves);
      if (bagging) booster.addOutOfBag(score, tree, nodeBin);
      trees.push(tree);
      if (valX && valScore && valY) {
        for (let i = 0; i < valX.rows; i++) {
          const off = i * F;
          let node = 0;
          while (tree.feature[node] >= 0) node = valX.data[off + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
          valScore[i] += tree.value[node];
        }
        const loss = logLoss(valScore, valY);
        losses.push(loss);
        if (loss < bestLoss) {
          bestLoss = loss;
          bestIter = it + 1;
        } else if (it + 1 - bestIter >= p.earlyStoppingRounds) {
          opts.onProgress?.(p.nEstimators, p.nEstimators);
          break;
        }
      }
      opts.onProgress?.(it + 1, p.nEstimators);
    }
    this.trees = valX ? trees.slice(0, Math.max(1, bestIter)) : trees;
    this.stopping = valX ? { validationRows: valX.rows, bestIteration: Math.max(1, bestIter), bestLoss, losses } : null;
    // split-gain importances over the kept trees, normalised to sum 1
    const imp = new Float64Array(F);
    for (const t of this.trees) for (let k = 0; k < t.feature.length; k++) if (t.feature[k] >= 0) imp[t.feature[k]] += t.gain[k];
    let s = 0;
    for (const v of imp) s += v;
    this.importances = s > 0 ? imp.map((v) => v / s) : imp;
    this.nFeatures = F;
    this.featureNames = X.columns ? [...X.columns] : null;
    this.isFitted = true;
    return this;
  }

  private checkInput(X: Matrix): void {
    if (!this.isFitted) throw new Error('GbdtClassifier: predict before fit');
    if (X.cols !== this.nFeatures) throw new ValidationError('X.cols', `is ${X.cols}, the model was fitted on ${this.nFeatures} features`, X.cols);
  }

  /** The trees as one ensemble view (raw score = log-odds). */
  view(): TreeEnsembleView {
    if (!this.isFitted) throw new Error('GbdtClassifier: view before fit');
    return { trees: this.trees, nFeatures: this.nFeatures, base: this.initScore, featureNames: this.featureNames };
  }

  /** Log-odds per row. A NaN feature goes right at that split. */
  predictRaw(X: Matrix): Float64Array {
    this.checkInput(X);
    const out = new Float64Array(X.rows).fill(this.initScore);
    const data = X.data;
    const cols = X.cols;
    for (const t of this.trees) {
      const { feature, threshold, left, right, value } = t;
      for (let i = 0; i < X.rows; i++) {
        const off = i * cols;
        let node = 0;
        let f = feature[0];
        while (f >= 0) {
          node = data[off + f] <= threshold[node] ? left[node] : right[node];
          f = feature[node];
        }
        out[i] += value[node];
      }
    }
    return out;
  }

  /** P(class 1) per row. */
  predictPositive(X: Matrix): Float64Array {
    const raw = this.predictRaw(X);
    for (let i = 0; i < raw.length; i++) raw[i] = sigmoid(raw[i]);
    return raw;
  }

  /** Exact TreeSHAP contributions to the log-odds (contributions + expected = predictRaw). */
  explain(X: Matrix): Explanation {
    this.checkInput(X);
    return explainTrees(this.view(), X);
  }

  /** Normalised total split gain per feature. */
  featureImportances(): Float64Array {
    return this.importances.slice();
  }

  toJSON(): GbdtJSON {
    if (!this.isFitted) throw new Error('GbdtClassifier: toJSON before fit');
    return {
      type: 'gbdt',
      format: 1,
      params: { ...this.params },
      nFeatures: this.nFeatures,
      featureNames: this.featureNames,
      initScore: this.initScore,
      importances: Array.from(this.importances),
      earlyStopping: this.stopping,
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
        cover: Array.from(t.cover),
        gain: Array.from(t.gain),
      })),
    };
  }

  static fromJSON(j: GbdtJSON): GbdtClassifier {
    if (j?.type !== 'gbdt' || j.format !== 1) throw new ValidationError('model.type', 'is not a gbdt model of format 1', j?.type);
    const m = new GbdtClassifier(j.params);
    m.nFeatures = j.nFeatures;
    m.featureNames = j.featureNames;
    m.initScore = j.initScore;
    m.importances = Float64Array.from(j.importances);
    m.stopping = j.earlyStopping;
    m.trees = j.trees.map((t, k) => {
      const len = t.feature.length;
      for (const key of ['threshold', 'left', 'right', 'value', 'cover', 'gain'] as const) {
        if (!Array.isArray(t[key]) || t[key].length !== len) throw new ValidationError(`model.trees[${k}].${key}`, `is not a list of ${len} numbers`);
      }
      return {
        feature: Int32Array.from(t.feature),
        threshold: Float64Array.from(t.threshold),
        left: Int32Array.from(t.left),
        right: Int32Array.from(t.right),
        value: Float64Array.from(t.value),
        cover: Float64Array.from(t.cover),
        gain: Float64Array.from(t.gain),
      };
    });
    m.isFitted = true;
    return m;
  }
}
