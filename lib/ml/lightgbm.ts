/**
 * LightGBM models as input: read the text format written by `Booster.save_model` (LightGBM 3.x / 4.x) and
 * predict with it exactly as LightGBM does (raw score = sum of the trees' leaf values in order; probability =
 * 1 / (1 + exp(-sigmoid * raw)); missing values per each split's decision_type), so a model trained in Python
 * can trade here. Binary objectives only; categorical splits and linear trees are refused with a clear error.
 *
 * Format: a header of `key=value` lines, then one block per tree:
 *   Tree=K / num_leaves / num_cat / split_feature / threshold / decision_type / left_child / right_child /
 *   leaf_value / leaf_count / internal_count / shrinkage ...
 * Children >= 0 are internal nodes, < 0 are leaves (~child = leaf index). decision_type bit 0 = categorical,
 * bit 1 = missing goes left, bits 2-3 = missing type (0 none: NaN reads as 0, 1 zero, 2 NaN).
 */
import { ValidationError } from '../core/errors.js';
import type { Matrix } from './matrix.js';
import { explainTrees, predictRaw, type Explanation, type FlatTree, type TreeEnsembleView } from './tree-shap.js';

export interface LightGbmInfo {
  version: string;
  objective: string;
  sigmoid: number;
  featureNames: string[];
  trees: number;
  averageOutput: boolean;
}

type Fields = Map<string, string>;

function parseBlock(lines: string[], from: number): { fields: Fields; next: number } {
  const fields: Fields = new Map();
  let i = from;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') break;
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
    else fields.set(line, '');
  }
  return { fields, next: i };
}

function numbers(where: string, f: Fields, key: string, count: number, required = true): Float64Array | null {
  const raw = f.get(key);
  if (raw === undefined) {
    if (required) throw new ValidationError(`${where}.${key}`, 'is missing');
    return null;
  }
  const parts = raw.trim() === '' ? [] : raw.trim().split(/\s+/);
  if (parts.length !== count) throw new ValidationError(`${where}.${key}`, `has ${parts.length} values, expected ${count}`);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    // LightGBM writes non-finite values as inf / -inf / nan
    const s = parts[k].toLowerCase();
    const v = s === 'inf' || s === '+inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(parts[k]);
    if (Number.isNaN(v) && s !== 'nan') throw new ValidationError(`${where}.${key}[${k}]`, 'is not a number', parts[k]);
    out[k] = v;
  }
  return out;
}

function intOf(where: string, f: Fields, key: string): number {
  const v = Number(f.get(key));
  if (!Number.isInteger(v)) throw new ValidationError(`${where}.${key}`, 'is missing or not an integer', f.get(key));
  return v;
}

/** One `Tree=K` block as a flat tree: internal nodes 0..L-2 keep their ids, leaf j becomes node L-1+j. */
function parseTree(where: string, f: Fields, nFeatures: number): FlatTree {
  const L = intOf(where, f, 'num_leaves');
  if (L < 1) throw new ValidationError(`${where}.num_leaves`, 'is below 1', L);
  if (f.get('is_linear') !== undefined && f.get('is_linear') !== '0') throw new ValidationError(`${where}.is_linear`, 'is set: linear trees (linear_tree=true) are not supported; retrain without linear_tree');
  const nCat = f.get('num_cat') === undefined ? 0 : intOf(where, f, 'num_cat');
  if (nCat > 0) throw new ValidationError(`${where}.num_cat`, `is ${nCat}: categorical splits are not supported; encode categories as numbers and retrain`, nCat);
  const leafValue = numbers(where, f, 'leaf_value', L)!;
  const leafCount = numbers(where, f, 'leaf_count', L, false);
  const nodes = 2 * L - 1;
  const feature = new Int32Array(nodes).fill(-1);
  const threshold = new Float64Array(nodes);
  const left = new Int32Array(nodes).fill(-1);
  const right = new Int32Array(nodes).fill(-1);
  const value = new Float64Array(nodes);
  const cover = new Float64Array(nodes);
  const defaultLeft = new Uint8Array(nodes);
  const missingType = new Uint8Array(nodes);
  for (let j = 0; j < L; j++) {
    value[L - 1 + j] = leafValue[j];
    cover[L - 1 + j] = leafCount ? leafCount[j] : 0;
  }
  if (L > 1) {
    const n = L - 1;
    const sf = numbers(where, f, 'split_feature', n)!;
    const th = numbers(where, f, 'threshold', n)!;
    const dt = numbers(where, f, 'decision_type', n)!;
    const lc = numbers(where, f, 'left_child', n)!;
    const rc = numbers(where, f, 'right_child', n)!;
    const ic = numbers(where, f, 'internal_count', n, false);
    const child = (c: number, k: number, side: string): number => {
      const id = c >= 0 ? c : L - 1 + ~c;
      if (!Number.isInteger(c) || id < 0 || id >= nodes || (c >= 0 && c >= n) || (c < 0 && ~c >= L)) throw new ValidationError(`${where}.${side}[${k}]`, `is ${c}: not a node of a ${L}-leaf tree`, c);
      return id;
    };
    for (let k = 0; k < n; k++) {
      const d = dt[k];
      if (d & 1) throw new ValidationError(`${where}.decision_type[${k}]`, 'marks a categorical split: categorical features are not supported; encode them as numbers and retrain', d);
      if (!Number.isInteger(sf[k]) || sf[k] < 0 || sf[k] >= nFeatures) throw new ValidationError(`${where}.split_feature[${k}]`, `is not a feature index below ${nFeatures}`, sf[k]);
      feature[k] = sf[k];
      threshold[k] = th[k];
      defaultLeft[k] = d & 2 ? 1 : 0;
      missingType[k] = (d >> 2) & 3;
      left[k] = child(lc[k], k, 'left_child');
      right[k] = child(rc[k], k, 'right_child');
      cover[k] = ic ? ic[k] : 0;
    }
  }
  return { feature, threshold, left, right, value, cover, defaultLeft, missingType };
}

export class LightGbmModel {
  readonly kind = 'lightgbm' as const;
  readonly info: LightGbmInfo;
  /** Registry parameters: what the model is, not how to retrain it (that lives in the Python code). */
  readonly params: { objective: string; trees: number; sigmoid: number; seed: number };
  private readonly ens: TreeEnsembleView;
  private readonly scale: number;

  private constructor(
    readonly text: string,
    info: LightGbmInfo,
    trees: FlatTree[],
  ) {
    this.info = info;
    this.params = { objective: info.objective, trees: info.trees, sigmoid: info.sigmoid, seed: 0 };
    this.scale = info.averageOutput && trees.length ? 1 / trees.length : 1;
    if (this.scale !== 1) {
      // rf mode: raw = mean of the trees; scale the leaves so sums, predictions and SHAP all see the mean
      trees = trees.map((t) => ({ ...t, value: t.value.map((v) => v * this.scale) }));
    }
    this.ens = { trees, nFeatures: info.featureNames.length, base: 0, featureNames: info.featureNames };
  }

  /** Parse a model file's text (`booster.save_model(path)` or `model_to_string()`). */
  static fromText(text: string, source = 'lightgbm model'): LightGbmModel {
    const lines = text.split(/\r?\n/);
    if (lines[0]?.trim() !== 'tree') throw new ValidationError(source, 'is not a LightGBM text model (the first line is not "tree")', lines[0]?.slice(0, 40));
    const { fields: head, next } = parseBlock(lines, 0);
    const version = head.get('version') ?? 'unknown';
    const numClass = intOf(`${source}: header`, head, 'num_class');
    if (numClass !== 1) throw new ValidationError(`${source}: num_class`, `is ${numClass}: only binary models (num_class=1) are supported`, numClass);
    const perIter = head.get('num_tree_per_iteration');
    if (perIter !== undefined && perIter !== '1') throw new ValidationError(`${source}: num_tree_per_iteration`, 'is not 1: only binary models are supported', perIter);
    const objective = (head.get('objective') ?? '').trim();
    const objName = objective.split(/\s+/)[0];
    if (objName !== 'binary' && objName !== 'cross_entropy' && objName !== 'xentropy') {
      throw new ValidationError(`${source}: objective`, `is "${objective}": only binary classifiers (objective binary or cross_entropy) give P(up)`, objective);
    }
    let sigmoid = 1;
    const m = /sigmoid:([^\s]+)/.exec(objective);
    if (objName === 'binary' && m) sigmoid = Number(m[1]);
    if (!(sigmoid > 0)) throw new ValidationError(`${source}: objective sigmoid`, 'is not a positive number', m?.[1]);
    const maxFeature = intOf(`${source}: header`, head, 'max_feature_idx');
    const names = (head.get('feature_names') ?? '').trim().split(/\s+/).filter(Boolean);
    const featureNames = names.length === maxFeature + 1 ? names : Array.from({ length: maxFeature + 1 }, (_, j) => `Column_${j}`);
    const trees: FlatTree[] = [];
    let i = next;
    for (; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === 'end of trees') break;
      if (!line.startsWith('Tree=')) continue;
      const k = Number(line.slice(5));
      if (k !== trees.length) throw new ValidationError(`${source}: line ${i + 1}`, `is "${line}", expected Tree=${trees.length}`);
      const blk = parseBlock(lines, i + 1);
      trees.push(parseTree(`${source}: Tree=${k}`, blk.fields, maxFeature + 1));
      i = blk.next;
    }
    if (i >= lines.length) throw new ValidationError(source, 'has no "end of trees" line: the file is truncated');
    const info: LightGbmInfo = { version, objective, sigmoid, featureNames, trees: trees.length, averageOutput: head.has('average_output') };
    return new LightGbmModel(text, info, trees);
  }

  get features(): readonly string[] {
    return this.info.featureNames;
  }

  fit(): never {
    throw new Error('LightGbmModel: trained in Python; load a new model file instead of fitting');
  }

  view(): TreeEnsembleView {
    return this.ens;
  }

  /** Raw score per row (what LightGBM's predict(raw_score=True) returns). */
  predictRaw(X: Matrix): Float64Array {
    return predictRaw(this.ens, X);
  }

  /** P(class 1) per row (LightGBM's predict()). */
  predictPositive(X: Matrix): Float64Array {
    const raw = this.predictRaw(X);
    const s = this.info.sigmoid;
    for (let i = 0; i < raw.length; i++) raw[i] = 1 / (1 + Math.exp(-s * raw[i]));
    return raw;
  }

  /** Exact TreeSHAP contributions to the raw score (LightGBM's pred_contrib). */
  explain(X: Matrix): Explanation {
    return explainTrees(this.ens, X);
  }
}
