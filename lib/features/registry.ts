/**
 * The named features models learn from. Each is documented, has a warm-up (lookback) and a version derived
 * from its definition, so a model trained on one definition can refuse data built from another.
 *
 * A feature is a formula over "sources" (see sources.ts). The same `compute` runs in the batch matrix and in
 * FeatureStream, so both give identical numbers. Every source at bar t reads only bars <= t, so no feature
 * looks ahead (tests perturb and drop later bars to prove it). Labels live in labels.ts, never here.
 */
import { ValidationError } from '../core/errors.js';
import { LABEL_NAMES } from './labels.js';
import { source } from './sources.js';

export interface FeatureDef {
  readonly name: string;
  readonly description: string;
  /** The exact definition; it feeds the version hash, so edit it (and `revision`) whenever the maths changes. */
  readonly formula: string;
  readonly revision: number;
  /** Source keys, passed to compute in this order. */
  readonly inputs: readonly string[];
  /** Called only when every input is a number (not NaN). */
  readonly compute: (a: number, b: number, c: number) => number;
}

const id = (a: number): number => a;
const ratio = (a: number, b: number): number => a / b;
const change = (a: number, b: number): number => a / b - 1;

const DEFS: readonly FeatureDef[] = [
  { name: 'return_1d', description: 'one-bar simple return', formula: 'close[t]/close[t-1] - 1', revision: 1, inputs: ['close', 'close_lag_1'], compute: change },
  { name: 'return_5d', description: 'five-bar simple return', formula: 'close[t]/close[t-5] - 1', revision: 1, inputs: ['close', 'close_lag_5'], compute: change },
  { name: 'return_20d', description: 'twenty-bar simple return', formula: 'close[t]/close[t-20] - 1', revision: 1, inputs: ['close', 'close_lag_20'], compute: change },
  { name: 'sma_5_ratio', description: 'close over its 5-bar SMA (1 = on the average)', formula: 'close / SMA(close, 5)', revision: 1, inputs: ['close', 'sma_5'], compute: ratio },
  { name: 'sma_10_ratio', description: 'close over its 10-bar SMA', formula: 'close / SMA(close, 10)', revision: 1, inputs: ['close', 'sma_10'], compute: ratio },
  { name: 'sma_20_ratio', description: 'close over its 20-bar SMA', formula: 'close / SMA(close, 20)', revision: 1, inputs: ['close', 'sma_20'], compute: ratio },
  { name: 'sma_50_ratio', description: 'close over its 50-bar SMA', formula: 'close / SMA(close, 50)', revision: 1, inputs: ['close', 'sma_50'], compute: ratio },
  { name: 'ema_12_ratio', description: 'close over its 12-bar EMA', formula: 'close / EMA(close, 12) (TA-Lib seeding)', revision: 1, inputs: ['close', 'ema_12'], compute: ratio },
  { name: 'ema_26_ratio', description: 'close over its 26-bar EMA', formula: 'close / EMA(close, 26) (TA-Lib seeding)', revision: 1, inputs: ['close', 'ema_26'], compute: ratio },
  { name: 'rsi_14', description: "Wilder's RSI, 0..100", formula: 'RSI(close, 14), TA-Lib', revision: 1, inputs: ['rsi_14'], compute: id },
  { name: 'macd', description: 'MACD line in price units', formula: 'MACD(close, 12, 26, 9).macd, TA-Lib', revision: 1, inputs: ['macd'], compute: id },
  { name: 'macd_signal', description: 'MACD signal line in price units', formula: 'MACD(close, 12, 26, 9).signal, TA-Lib', revision: 1, inputs: ['macd_signal'], compute: id },
  { name: 'macd_hist', description: 'MACD histogram (line - signal) in price units', formula: 'MACD(close, 12, 26, 9).hist, TA-Lib', revision: 1, inputs: ['macd_hist'], compute: id },
  { name: 'macd_hist_ratio', description: 'MACD histogram relative to the close (comparable across symbols)', formula: 'MACD(close, 12, 26, 9).hist / close', revision: 1, inputs: ['macd_hist', 'close'], compute: ratio },
  { name: 'bb_position', description: 'Bollinger %B: 0 at the lower band, 1 at the upper (0.5 in a flat window)', formula: '(close - lower)/(upper - lower), BBANDS(close, 20, 2) population sd', revision: 1, inputs: ['bb_percent_b'], compute: id },
  { name: 'bb_width', description: 'Bollinger band width relative to the middle band', formula: '(upper - lower)/middle, BBANDS(close, 20, 2)', revision: 1, inputs: ['bb_width'], compute: id },
  { name: 'volatility_20', description: 'sample standard deviation of the last 20 one-bar returns (not annualised)', formula: 'std(ddof=1) of close[i]/close[i-1]-1, i in t-19..t', revision: 1, inputs: ['volatility_20'], compute: id },
  { name: 'volume_ratio', description: 'volume over its 20-bar average (1 when the average is 0)', formula: 'volume / SMA(volume, 20)', revision: 1, inputs: ['volume', 'volume_sma_20'], compute: (v, m) => (m > 0 ? v / m : 1) },
  { name: 'volume_norm', description: 'volume z-score over 20 bars (0 when volume did not vary)', formula: '(volume - SMA(volume, 20)) / std(ddof=0)(volume, 20)', revision: 1, inputs: ['volume', 'volume_sma_20', 'volume_std_20'], compute: (v, m, sd) => (sd > 0 ? (v - m) / sd : 0) },
  { name: 'momentum_10', description: 'ten-bar momentum as a fraction (ROC/100)', formula: 'close[t]/close[t-10] - 1', revision: 1, inputs: ['close', 'close_lag_10'], compute: change },
  { name: 'atr_14_ratio', description: "Wilder's ATR relative to the close", formula: 'ATR(14) / close, TA-Lib', revision: 1, inputs: ['atr_14', 'close'], compute: ratio },
  { name: 'adx_14', description: 'trend strength, 0..100', formula: 'ADX(14), TA-Lib', revision: 1, inputs: ['adx_14'], compute: id },
  { name: 'stoch_k', description: 'slow stochastic %K, 0..100', formula: 'STOCH(5, 3, 3, SMA).k, TA-Lib', revision: 1, inputs: ['stoch_k'], compute: id },
  { name: 'stoch_d', description: 'slow stochastic %D, 0..100', formula: 'STOCH(5, 3, 3, SMA).d, TA-Lib', revision: 1, inputs: ['stoch_d'], compute: id },
];

export const FEATURES: ReadonlyMap<string, FeatureDef> = new Map(DEFS.map((d) => [d.name, d]));

/** Every feature name, in registry order. */
export const FEATURE_NAMES: readonly string[] = DEFS.map((d) => d.name);

/** The 13 features of the original research (the set REFERENCES.md measured models on). */
export const DEFAULT_FEATURES: readonly string[] = [
  'return_1d',
  'return_5d',
  'sma_5_ratio',
  'sma_10_ratio',
  'sma_20_ratio',
  'rsi_14',
  'macd',
  'macd_signal',
  'bb_position',
  'volatility_20',
  'volume_ratio',
  'volume_norm',
  'momentum_10',
];

/**
 * Validates a list of feature names (e.g. `strategy.ml.features` from config); empty or missing means the
 * default set. Unknown or repeated names throw, listing the valid ones.
 */
export function resolveFeatureNames(names?: readonly string[] | null, field = 'features'): readonly string[] {
  if (!names || names.length === 0) return DEFAULT_FEATURES;
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (LABEL_NAMES.includes(n)) throw new ValidationError(`${field}[${i}]`, 'is a label (it looks ahead), not a feature', n);
    if (!FEATURES.has(n)) {
      throw new ValidationError(`${field}[${i}]`, `is not a feature; valid names: ${FEATURE_NAMES.join(', ')}`, n);
    }
    if (seen.has(n)) throw new ValidationError(`${field}[${i}]`, 'is listed twice', n);
    seen.add(n);
  });
  return [...names];
}

export function featureDef(name: string): FeatureDef {
  const d = FEATURES.get(name);
  if (!d) throw new ValidationError('feature', `is not a feature; valid names: ${FEATURE_NAMES.join(', ')}`, name);
  return d;
}

/** Bars consumed before the feature's first value. */
export function featureLookback(name: string): number {
  return Math.max(...featureDef(name).inputs.map((k) => source(k).lookback));
}
