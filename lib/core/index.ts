export * from './bars.js';
export * from './clock.js';
export * from './money.js';
export * from './errors.js';
export * from './rng.js';
export * from './orders.js';
