export * from './engine.js';
export * from './timeline.js';
export * from './backtest.js';
export * from './from-config.js';
export * from './fill-log.js';
