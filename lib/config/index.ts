export * from './schema.js';
export * from './env.js';
export * from './load.js';
export * from './describe.js';
