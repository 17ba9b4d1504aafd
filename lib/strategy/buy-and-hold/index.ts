export * from './buy-and-hold.js';
