export * from './ml-strategy.js';
export * from './load.js';
export * from './promote.js';
