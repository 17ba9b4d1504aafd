/**
 * The indicator-and-feature table `npm run features` writes: classic indicator columns (for charts and manual
 * checks against other tools) followed by features, one row per bar.
 */
import type { BarSeries } from '../core/bars.js';
import * as I from '../indicators/index.js';
import { featureColumns } from './matrix.js';
import { DEFAULT_FEATURES, resolveFeatureNames } from './registry.js';

/** Indicator columns always written, in this order. */
export const INDICATOR_COLUMNS: readonly string[] = ['sma_10', 'sma_30', 'ema_12', 'ema_26', 'rsi_14', 'macd', 'macd_signal', 'macd_hist', 'bb_upper', 'bb_middle', 'bb_lower'];

export interface FeatureTable {
  readonly columns: readonly string[];
  readonly values: readonly Float64Array[];
  readonly time: Float64Array;
}

export function indicatorColumns(s: BarSeries): Record<string, Float64Array> {
  const m = I.macd(s.close);
  const bb = I.bollinger(s.close, { period: 20, k: 2 });
  return {
    sma_10: I.sma(s.close, 10),
    sma_30: I.sma(s.close, 30),
    ema_12: I.ema(s.close, 12),
    ema_26: I.ema(s.close, 26),
    rsi_14: I.rsi(s.close, 14),
    macd: m.macd,
    macd_signal: m.signal,
    macd_hist: m.hist,
    bb_upper: bb.upper,
    bb_middle: bb.middle,
    bb_lower: bb.lower,
  };
}

/** Indicator columns, then the given features (default set) not already present under the same name. */
export function featureTable(s: BarSeries, features: readonly string[] = DEFAULT_FEATURES): FeatureTable {
  const names = resolveFeatureNames(features);
  const ind = indicatorColumns(s);
  const feats = featureColumns(s, names);
  const columns = [...INDICATOR_COLUMNS, ...names.filter((n) => !(n in ind))];
  return { columns, values: columns.map((c) => ind[c] ?? feats[c]), time: s.time };
}
