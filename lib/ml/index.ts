/** Models (Random Forest, MLP), datasets, chronological validation, calibration, the registry and training. */
export * from './matrix.js';
export * from './binning.js';
export * from './model.js';
export * from './forest.js';
export * from './mlp.js';
export { ensureBackend, tfjs } from './tf-backend.js';
export * from './calibration.js';
export * from './splits.js';
export * from './cpcv.js';
export * from './walkforward.js';
export * from './evaluate.js';
export * from './gate.js';
export * from './dataset.js';
export * from './registry.js';
export * from './progress.js';
export * from './train.js';
