export * from './types.js';
export * from './buy-and-hold/index.js';
export * from './sma-crossover/index.js';
