export * from './nyse.js';
