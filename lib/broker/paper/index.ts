export * from './event-log.js';
export * from './paper-broker.js';
