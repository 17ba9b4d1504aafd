/**
 * The model contract shared by the forest and the MLP: fit on a matrix of features and 0/1 labels, then
 * give the probability of the positive class per row. Fitting may be asynchronous (tfjs).
 */
import type { Matrix } from './matrix.js';

export type ModelKind = 'rf' | 'mlp';

export interface ModelFitOptions {
  onProgress?: (done: number, total: number) => void;
}

export interface BinaryClassifier {
  readonly kind: ModelKind;
  fit(X: Matrix, y: ArrayLike<number>, opts?: ModelFitOptions): unknown;
  /** P(class 1) per row. */
  predictPositive(X: Matrix): Float64Array;
  /** Free native memory (tfjs tensors); a no-op for plain-JS models. */
  dispose?(): void;
}

/** Makes a fresh, unfitted model (walk-forward refits one per fold). */
export type ModelFactory = () => BinaryClassifier;
