/** Technical indicators: one streaming contract, a batch form per indicator, TA-Lib conventions. */
export * from './contract.js';
export * from './sma.js';
export * from './ema.js';
export * from './wma.js';
export * from './rsi.js';
export * from './macd.js';
export * from './bollinger.js';
export * from './atr.js';
export * from './adx.js';
export * from './stochastic.js';
export * from './change.js';
export * from './obv.js';
export * from './volatility.js';
export * from './vwap.js';
