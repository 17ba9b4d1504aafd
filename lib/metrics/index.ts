/** lib/metrics: performance statistics of a backtest or live equity curve. */
export * from './types.js';
export { computeMetrics, metricsToJSON, DEFAULT_PERIODS_PER_YEAR } from './compute.js';
export { periodicReturns, validateCurve, alignCurve, DAY_MS, YEAR_MS } from './returns.js';
export { drawdownSeries, drawdownStats, type DrawdownStats } from './drawdown.js';
export { tradeStats, type TradeStats } from './trades.js';
export { monthlyReturns, type MonthlyReturns } from './monthly.js';
export { buyAndHoldCurve, alphaBeta, type AlphaBeta } from './benchmark.js';
export { mean, sampleStd, sampleCov } from './stats.js';
export { periodsPerYearFor, TRADING_DAYS_PER_YEAR } from './periods.js';
export * from './overfitting.js';
export { normalCdf, normalQuantile, normalPdf, binomialUpperTail, erfc, logGamma } from './distributions.js';
