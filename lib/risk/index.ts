export * from './limits.js';
export * from './sizing.js';
export * from './rules.js';
export * from './gate.js';
