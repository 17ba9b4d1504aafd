/**
 * The indicator-and-feature table `npm run features` writes: classic indicator columns (for charts and manual
 * checks against other tools) followed by features, one row per bar.
 */
import type { BarSeries } from '../core/bars.js';
import * as I from '../indicators/index.js';
import { featureColumns } from './matrix.js';
import { DEFAULT_FEATURES, resolveFeatureNames } from './registry.js';

/**
 * Indicator columns always written, in this order: every indicator in lib/indicators at its customary
 * parameters, in price units (the features are the scale-free forms of several of them).
 */
export const INDICATOR_COLUMNS: readonly string[] = [
  'sma_10',
  'sma_30',
  'ema_12',
  'ema_26',
  'wma_10',
  'wma_30',
  'rsi_14',
  'macd',
  'macd_signal',
  'macd_hist',
  'bb_upper',
  'bb_middle',
  'bb_lower',
  'true_range',
  'atr_14',
  'adx_14',
  'stoch_k',
  'stoch_d',
  'roc_10',
  'mom_10',
  'stddev_20',
  'obv',
  'vwap',
];

export interface FeatureTable {
  readonly columns: readonly string[];
  readonly values: readonly Float64Array[];
  readonly time: Float64Array;
}

export function indicatorColumns(s: BarSeries): Record<string, Float64Array> {
  const m = I.macd(s.close);
  const bb = I.bollinger(s.close, { period: 20, k: 2 });
  const st = I.stochastic(s.high, s.low, s.close);
  return {
    sma_10: I.sma(s.close, 10),
    sma_30: I.sma(s.close, 30),
    ema_12: I.ema(s.close, 12),
    ema_26: I.ema(s.close, 26),
    wma_10: I.wma(s.close, 10),
    wma_30: I.wma(s.close, 30),
    rsi_14: I.rsi(s.close, 14),
    macd: m.macd,
    macd_signal: m.signal,
    macd_hist: m.hist,
    bb_upper: bb.upper,
    bb_middle: bb.middle,
    bb_lower: bb.lower,
    true_range: I.trueRange(s.high, s.low, s.close),
    atr_14: I.atr(s.high, s.low, s.close, 14),
    adx_14: I.adx(s.high, s.low, s.close, 14),
    stoch_k: st.k,
    stoch_d: st.d,
    roc_10: I.roc(s.close, 10),
    mom_10: I.momentum(s.close, 10),
    stddev_20: I.rollingStd(s.close, 20, 0),
    obv: I.obv(s.close, s.volume),
    vwap: I.vwap(s.time, s.high, s.low, s.close, s.volume),
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
