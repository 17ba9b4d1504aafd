/**
 * The model contract shared by the forest, the GBDT, loaded LightGBM models and the MLP: fit on a matrix of features and 0/1 labels, then
 * give the probability of the positive class per row. Fitting may be asynchronous (tfjs).
 */
import type { Matrix } from './matrix.js';
import type { Explanation } from './tree-shap.js';

export type ModelKind = 'rf' | 'mlp' | 'gbdt' | 'lightgbm';

/** Every model type, for messages and schema enums. */
export const MODEL_KINDS: readonly ModelKind[] = ['rf', 'mlp', 'gbdt', 'lightgbm'];

export interface ModelFitOptions {
  onProgress?: (done: number, total: number) => void;
  /** Bar time per training row, for models that hold out their own latest rows (GBDT early stopping). */
  time?: ArrayLike<number>;
  /** Bars to drop between such a held-out block and the rows fitted on (the label horizon). */
  purge?: number;
}

export interface BinaryClassifier {
  readonly kind: ModelKind;
  fit(X: Matrix, y: ArrayLike<number>, opts?: ModelFitOptions): unknown;
  /** P(class 1) per row. */
  predictPositive(X: Matrix): Float64Array;
  /** Free native memory (tfjs tensors); a no-op for plain-JS models. */
  dispose?(): void;
  /** Exact per-feature contributions to the model's raw score (tree models: TreeSHAP). */
  explain?(X: Matrix): Explanation;
}

/** Tree models explain their predictions; the MLP does not. */
export function isExplainable(m: BinaryClassifier): m is BinaryClassifier & { explain(X: Matrix): Explanation } {
  return typeof m.explain === 'function';
}

/** Makes a fresh, unfitted model (walk-forward refits one per fold). */
export type ModelFactory = () => BinaryClassifier;
