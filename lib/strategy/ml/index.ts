export * from './ml-strategy.js';
export * from './load.js';
