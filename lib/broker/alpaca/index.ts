export * from './alpaca-broker.js';
export * from './alpaca-bars.js';
