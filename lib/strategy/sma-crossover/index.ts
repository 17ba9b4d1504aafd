export * from './sma-crossover.js';
