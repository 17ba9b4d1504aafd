/** Named features (batch matrix and streaming), their versions, and labels (kept apart: labels look ahead). */
export { FEATURES, FEATURE_NAMES, DEFAULT_FEATURES, resolveFeatureNames, featureDef, featureLookback, type FeatureDef } from './registry.js';
export { featureMatrix, featureColumns, type FeatureMatrix } from './matrix.js';
export { FeatureStream } from './stream.js';
export { featureSpec, featureVersion, compareFeatureSpec, featureDocs, type FeatureSpecEntry, type FeatureDoc } from './spec.js';
export { featureTable, indicatorColumns, INDICATOR_COLUMNS, type FeatureTable } from './table.js';
export {
  LABEL_NAMES,
  forwardReturn,
  nextReturnLabel,
  tripleBarrier,
  tripleBarrierLabel,
  type NextReturnOptions,
  type TripleBarrierOptions,
  type TripleBarrierResult,
} from './labels.js';
