/**
 * One view of a fitted tree ensemble (our forest, our GBDT, a loaded LightGBM model) for raw-score
 * prediction and exact TreeSHAP explanations.
 *
 * TreeSHAP is Lundberg, Erion & Lee (2018), "Consistent individualized feature attribution for tree
 * ensembles", algorithm 2 (path-dependent): per row, the Shapley value of each feature for the tree's output,
 * with the expectation over "missing" features taken along the training cover of each branch. The
 * contributions plus the expected value sum to the model's raw output for the row (tested to 1e-9), and
 * the implementation follows LightGBM's `pred_contrib` step by step so loaded LightGBM models agree with
 * LightGBM's own contributions.
 */
import { ValidationError } from '../core/errors.js';
import type { Matrix } from './matrix.js';

/** How a split treats a missing (NaN) or zero value: LightGBM's decision_type bits 2-3. */
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;
/** LightGBM's kZeroThreshold (1e-35 as a float): |x| <= it counts as zero for MissingType::Zero. */
const ZERO_THRESHOLD = Math.fround(1e-35);

/** One tree in flat arrays: node i is a leaf when feature[i] < 0. */
export interface FlatTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf outputs in raw-score units (internal nodes ignored). */
  value: Float64Array;
  /** Training rows (or weight) reaching each node: the path-dependent expectation's weights. */
  cover: Float64Array;
  /** Per node: 1 = a missing value goes left. Absent: missing goes right. */
  defaultLeft?: Uint8Array;
  /** Per node: MISSING_NONE (NaN is read as 0), MISSING_ZERO or MISSING_NAN. Absent: MISSING_NAN. */
  missingType?: Uint8Array;
}

/** raw(x) = base + sum over trees of the leaf value x reaches. */
export interface TreeEnsembleView {
  trees: readonly FlatTree[];
  nFeatures: number;
  base: number;
  featureNames: readonly string[] | null;
}

/** LightGBM's NumericalDecision: does x go to the left child of `node`? */
export function goesLeft(t: FlatTree, node: number, x: number): boolean {
  const mt = t.missingType ? t.missingType[node] : MISSING_NAN;
  if (mt !== MISSING_NAN && x !== x) x = 0;
  if ((mt === MISSING_ZERO && x > -ZERO_THRESHOLD && x <= ZERO_THRESHOLD) || (mt === MISSING_NAN && x !== x)) {
    return t.defaultLeft ? t.defaultLeft[node] === 1 : false;
  }
  return x <= t.threshold[node];
}

/** Leaf reached by row `off` of `data`. */
export function leafOf(t: FlatTree, data: ArrayLike<number>, off: number): number {
  let node = 0;
  while (t.feature[node] >= 0) node = goesLeft(t, node, data[off + t.feature[node]]) ? t.left[node] : t.right[node];
  return node;
}

/** Raw score per row: base + sum of leaf values. */
export function predictRaw(view: TreeEnsembleView, X: Matrix): Float64Array {
  checkCols(view, X);
  const out = new Float64Array(X.rows).fill(view.base);
  for (const t of view.trees) {
    for (let i = 0; i < X.rows; i++) out[i] += t.value[leafOf(t, X.data, i * X.cols)];
  }
  return out;
}

function checkCols(view: TreeEnsembleView, X: Matrix): void {
  if (X.cols !== view.nFeatures) throw new ValidationError('X.cols', `is ${X.cols}, the model takes ${view.nFeatures} features`, X.cols);
}

/** A tree's output averaged over its training cover (LightGBM's Tree::ExpectedValue). */
export function treeExpectedValue(t: FlatTree): number {
  if (t.feature[0] < 0) return t.value[0];
  const total = t.cover[0];
  let s = 0;
  for (let i = 0; i < t.feature.length; i++) if (t.feature[i] < 0) s += (t.cover[i] / total) * t.value[i];
  return s;
}

function treeDepth(t: FlatTree): number {
  const d = new Int32Array(t.feature.length);
  let best = 0;
  // children always come after their parent in our layouts, but LightGBM order is arbitrary: walk a stack
  const stack = [0];
  while (stack.length) {
    const n = stack.pop()!;
    if (t.feature[n] < 0) continue;
    for (const c of [t.left[n], t.right[n]]) {
      d[c] = d[n] + 1;
      if (d[c] > best) best = d[c];
      stack.push(c);
    }
  }
  return best;
}

export interface Explanation {
  rows: number;
  cols: number;
  /** contributions[i * cols + j]: feature j's push on row i's raw score. */
  contributions: Float64Array;
  /** The expected raw score (the same for every row): contributions + expected = raw. */
  expected: number;
  /** The model's raw score per row. */
  raw: Float64Array;
}

/** Path state of one recursion level: the "unique path" of algorithm 2, in typed arrays. */
class PathBuffer {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly pweight: Float64Array;
  constructor(maxDepth: number) {
    const n = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.feature = new Int32Array(n);
    this.zero = new Float64Array(n);
    this.one = new Float64Array(n);
    this.pweight = new Float64Array(n);
  }
}

function extendPath(p: PathBuffer, at: number, depth: number, zeroFraction: number, oneFraction: number, feature: number): void {
  const { zero, one, pweight } = p;
  p.feature[at + depth] = feature;
  zero[at + depth] = zeroFraction;
  one[at + depth] = oneFraction;
  pweight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    pweight[at + i + 1] += (oneFraction * pweight[at + i] * (i + 1)) / (depth + 1);
    pweight[at + i] = (zeroFraction * pweight[at + i] * (depth - i)) / (depth + 1);
  }
}

function unwindPath(p: PathBuffer, at: number, depth: number, index: number): void {
  const { zero, one, pweight, feature } = p;
  const oneFraction = one[at + index];
  const zeroFraction = zero[at + index];
  let nextOne = pweight[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (oneFraction !== 0) {
      const tmp = pweight[at + i];
      pweight[at + i] = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
      nextOne = tmp - (pweight[at + i] * zeroFraction * (depth - i)) / (depth + 1);
    } else {
      pweight[at + i] = (pweight[at + i] * (depth + 1)) / (zeroFraction * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    feature[at + i] = feature[at + i + 1];
    zero[at + i] = zero[at + i + 1];
    one[at + i] = one[at + i + 1];
  }
}

function unwoundPathSum(p: PathBuffer, at: number, depth: number, index: number): number {
  const { zero, one, pweight } = p;
  const oneFraction = one[at + index];
  const zeroFraction = zero[at + index];
  let nextOne = pweight[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (oneFraction !== 0) {
      const tmp = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
      total += tmp;
      nextOne = pweight[at + i] - tmp * zeroFraction * ((depth - i) / (depth + 1));
    } else {
      total += pweight[at + i] / zeroFraction / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function treeShap(
  t: FlatTree,
  data: ArrayLike<number>,
  off: number,
  phi: Float64Array,
  phiOff: number,
  node: number,
  depth: number,
  p: PathBuffer,
  parentAt: number,
  parentZero: number,
  parentOne: number,
  parentFeature: number,
): void {
  // This level's copy of the path starts right after the parent's (LightGBM's parent_unique_path + depth).
  const at = parentAt + depth;
  if (depth > 0) {
    p.feature.copyWithin(at, parentAt, parentAt + depth);
    p.zero.copyWithin(at, parentAt, parentAt + depth);
    p.one.copyWithin(at, parentAt, parentAt + depth);
    p.pweight.copyWithin(at, parentAt, parentAt + depth);
  }
  extendPath(p, at, depth, parentZero, parentOne, parentFeature);
  const f = t.feature[node];
  if (f < 0) {
    const v = t.value[node];
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(p, at, depth, i);
      phi[phiOff + p.feature[at + i]] += w * (p.one[at + i] - p.zero[at + i]) * v;
    }
    return;
  }
  const hot = goesLeft(t, node, data[off + f]) ? t.left[node] : t.right[node];
  const cold = hot === t.left[node] ? t.right[node] : t.left[node];
  const w = t.cover[node];
  const hotZero = t.cover[hot] / w;
  const coldZero = t.cover[cold] / w;
  let inZero = 1;
  let inOne = 1;
  // A feature already on the path is undone here and redone with this node's split.
  let k = 0;
  for (; k <= depth; k++) if (p.feature[at + k] === f) break;
  if (k !== depth + 1) {
    inZero = p.zero[at + k];
    inOne = p.one[at + k];
    unwindPath(p, at, depth, k);
    depth -= 1;
  }
  treeShap(t, data, off, phi, phiOff, hot, depth + 1, p, at, hotZero * inZero, inOne, f);
  treeShap(t, data, off, phi, phiOff, cold, depth + 1, p, at, coldZero * inZero, 0, f);
}

/** Exact path-dependent TreeSHAP contributions for every row of X. */
export function explainTrees(view: TreeEnsembleView, X: Matrix): Explanation {
  checkCols(view, X);
  const cols = X.cols;
  const contributions = new Float64Array(X.rows * cols);
  let expected = view.base;
  let maxDepth = 0;
  for (const t of view.trees) {
    if (t.feature[0] >= 0 && !(t.cover[0] > 0)) throw new ValidationError('model.cover', 'is missing or zero: this model file predates explanations; retrain it');
    expected += treeExpectedValue(t);
    maxDepth = Math.max(maxDepth, treeDepth(t));
  }
  // Each recursion level copies the path: levels 0..maxDepth+1 need sum(1..maxDepth+2) slots.
  const p = new PathBuffer(maxDepth + 1);
  // -1 never matches a feature, so the root's dummy path element is never unwound.
  for (let i = 0; i < X.rows; i++) {
    for (const t of view.trees) {
      if (t.feature[0] < 0) continue; // a single leaf contributes only to the expected value
      treeShap(t, X.data, i * cols, contributions, i * cols, 0, 0, p, 0, 1, 1, -1);
    }
  }
  return { rows: X.rows, cols, contributions, expected, raw: predictRaw(view, X) };
}

/**
 * A short reason naming the features that pushed a row hardest, e.g. "rsi_14 +0.080, volume_ratio +0.031":
 * the `top` largest contributions by size, signs kept, skipping those below `minAbs`.
 */
export function topContributions(e: Explanation, row: number, names: readonly string[], top = 3, minAbs = 0): Array<{ feature: string; contribution: number }> {
  const items: Array<{ feature: string; contribution: number }> = [];
  for (let j = 0; j < e.cols; j++) {
    const c = e.contributions[row * e.cols + j];
    if (Math.abs(c) > minAbs) items.push({ feature: names[j] ?? `f${j}`, contribution: c });
  }
  items.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1));
  return items.slice(0, top);
}

/** "rsi_14 +0.080, volume_ratio -0.031" */
export function formatContributions(items: ReadonlyArray<{ feature: string; contribution: number }>, digits = 3): string {
  return items.map((x) => `${x.feature} ${x.contribution >= 0 ? '+' : ''}${x.contribution.toFixed(digits)}`).join(', ');
}

/** A fitted forest's trees as an ensemble view on P(class 1) (binary forests only). */
export function forestView(
  trees: ReadonlyArray<{ feature: Int32Array; threshold: Float64Array; left: Int32Array; right: Int32Array; value: Float64Array; cover?: Float64Array }>,
  nClasses: number,
  nFeatures: number,
  featureNames: readonly string[] | null,
): TreeEnsembleView {
  if (trees.length === 0) throw new Error('RandomForestClassifier: explain before fit');
  if (nClasses !== 2) throw new ValidationError('model.classes', `is ${nClasses}: explanations cover binary forests only`, nClasses);
  const inv = 1 / trees.length;
  return {
    nFeatures,
    featureNames,
    base: 0,
    trees: trees.map((t) => {
      if (!t.cover) throw new ValidationError('model.cover', 'is missing: this forest was saved before explanations existed; retrain it');
      const value = new Float64Array(t.feature.length);
      for (let i = 0; i < value.length; i++) value[i] = t.value[i * 2 + 1] * inv;
      return { feature: t.feature, threshold: t.threshold, left: t.left, right: t.right, value, cover: t.cover };
    }),
  };
}
