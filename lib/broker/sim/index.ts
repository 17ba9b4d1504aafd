export * from './costs.js';
export * from './execution.js';
export * from './sim-broker.js';
