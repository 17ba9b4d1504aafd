export * from './regime.js';
