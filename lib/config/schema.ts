/**
 * The schema of config.yaml. Every field has a default, so an empty file is a valid paper-trading config on
 * the offline synthetic data. Secrets are not part of it: they come from the environment (see env.ts).
 */
import { z } from 'zod';
import { INTERVALS, type Interval } from '../core/bars.js';

const fraction = (msg = 'is not in (0, 1]') => z.number().gt(0, { message: msg }).max(1, { message: msg });
const nonNegFraction = (msg = 'is not in [0, 1]') => z.number().min(0, { message: msg }).max(1, { message: msg });
const positive = (msg = 'must be > 0') => z.number().gt(0, { message: msg });
const nonNeg = (msg = 'must be >= 0') => z.number().min(0, { message: msg });
const posInt = (msg = 'must be a whole number >= 1') => z.number().int({ message: msg }).min(1, { message: msg });
// A calendar date: the round trip refuses 2020-02-30, which Date.parse would take as March 1.
const date = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(Date.parse(`${s}T00:00:00Z`) || 0).toISOString().slice(0, 10) === s, { message: 'must be a date YYYY-MM-DD' });
const interval = z.enum(INTERVALS as [Interval, ...Interval[]]);

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const commissionSchema = z.strictObject({
  per_share: nonNeg().default(0),
  percent: nonNeg().default(0),
  minimum: nonNeg().default(0),
});

export const brokerSchema = z.strictObject({
  /** paper: the simulator fed by live or replayed bars; alpaca: Alpaca's API (paper endpoint unless live is true). */
  provider: z.enum(['paper', 'alpaca']).default('paper'),
  /** Trade real money: only with provider alpaca, this set to true, and ALPACA_PAPER=false in the environment. */
  live: z.boolean().default(false),
  commission: commissionSchema.default({ per_share: 0, percent: 0, minimum: 0 }),
  slippage_bps: nonNeg().default(1),
  fill_at: z.enum(['next_open', 'close']).default('next_open'),
  /** Longest Retry-After (seconds) the Alpaca adapter waits out; a longer one fails the call and the loop retries on its next step. */
  retry_after_cap_seconds: positive().default(60),
});

export const labelSchema = z.strictObject({
  horizon: posInt().default(1),
  threshold: z.number().default(0.005),
});

export const gateSchema = z.strictObject({
  /** One-sided level of the binomial test "accuracy > majority base rate". */
  level: fraction('is not in (0, 1)').refine((v) => v < 1, { message: 'is not in (0, 1)' }).default(0.05),
  /** One-sided level of the Mann-Whitney test "AUC > 0.5". */
  auc_level: fraction('is not in (0, 1)').refine((v) => v < 1, { message: 'is not in (0, 1)' }).default(0.05),
  /** Minimum deflated Sharpe ratio (a probability) of the out-of-sample backtest after costs. */
  min_deflated_sharpe: nonNegFraction().default(0.95),
  /** Fewest out-of-sample rows a verdict may rest on. */
  min_rows: posInt().default(100),
  /** Candidates tried before settling on this configuration (by hand or by a sweep); deflates the Sharpe. */
  trials: posInt().default(1),
});

export const mlStrategySchema = z.strictObject({
  /** Registry folder of the promoted model. */
  model: z.string().min(1).default('models/rf-synthetic'),
  model_type: z.enum(['rf', 'gbdt', 'mlp']).default('rf'),
  confidence_threshold: z.number().min(0.5, { message: 'is not in [0.5, 1]' }).max(1, { message: 'is not in [0.5, 1]' }).default(0.6),
  /** Bars (per symbol) of resolved labels each live retrain fits on. */
  lookback: posInt().default(252),
  /** Refuse to trade a model whose out-of-sample accuracy is below this (a floor on top of the gate). */
  min_accuracy: nonNegFraction().default(0.55),
  /** The ML strategy retrains every N bars in replay and live (5 = weekly on daily bars); 0 = never. */
  retrain_every: z.number().int().min(0).default(5),
  /** The promotion gate (lib/ml/gate.ts): what an out-of-sample record must show before the runner trades it. */
  gate: gateSchema.default(gateSchema.parse({})),
  /** Feature names; empty = the default set. */
  features: z.array(z.string()).default([]),
  label: labelSchema.default({ horizon: 1, threshold: 0.005 }),
  seed: z.number().int().default(42),
});

export const smaSchema = z
  .strictObject({ fast: posInt().default(10), slow: posInt().default(30) })
  .refine((s) => s.fast < s.slow, { message: 'must be less than sma_crossover.slow', path: ['fast'] });

export const regimeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  trend_sma: posInt().default(200),
  vol_lookback: posInt().default(20),
  /** Realised-vol percentile above which the regime is "high volatility". */
  high_vol_percentile: fraction().default(0.8),
  /** Size multiplier in high volatility. */
  high_vol_size: nonNegFraction().default(0.5),
});

const STRATEGY_NAMES = ['ml', 'sma-crossover', 'buy-and-hold'] as const;

/**
 * The one strategy the runner trades. Written `active: ml`; the older one-entry list `active: [ml]` is still
 * read, a longer list is refused (the runner trades one strategy; backtest the others side by side).
 */
const activeStrategy = z.preprocess(
  (v) => (Array.isArray(v) && v.length === 1 ? v[0] : v),
  z.enum(STRATEGY_NAMES, { message: `must be one strategy: one of ${STRATEGY_NAMES.join(', ')} (the runner trades one)` }),
);

export const strategySchema = z.strictObject({
  active: activeStrategy.default('ml'),
  ml: mlStrategySchema.default(mlStrategySchema.parse({})),
  sma_crossover: smaSchema.default({ fast: 10, slow: 30 }),
  regime_filter: regimeSchema.default(regimeSchema.parse({})),
});

export const sizingSchema = z.strictObject({
  /**
   * all_in: the cash on hand at the fill, split evenly over symbols not held; sleeve: each symbol owns
   * initial_cash / number of symbols and compounds only its own P&L (README: Sizing on multi-symbol runs).
   */
  method: z.enum(['fixed_fraction', 'fixed_quantity', 'volatility_target', 'all_in', 'sleeve']).default('fixed_fraction'),
  fraction: fraction().default(0.1),
  quantity: positive().default(100),
  /** Annualised volatility target per position for volatility_target sizing. */
  target_volatility: positive().default(0.15),
});

export const portfolioSchema = z.strictObject({
  initial_cash: positive().default(100_000),
  max_position_size: fraction().default(0.1),
  max_daily_loss: fraction().default(0.02),
  stop_loss: nonNegFraction().default(0.05),
  take_profit: nonNeg().default(0.1),
  /** Gross exposure / equity. */
  max_exposure: z.number().gt(0, { message: 'is not in (0, 10]' }).max(10, { message: 'is not in (0, 10]' }).default(1),
  max_open_positions: posInt().default(10),
  allow_short: z.boolean().default(false),
  sizing: sizingSchema.default(sizingSchema.parse({})),
});

export const validationSchema = z.strictObject({
  unsorted: z.enum(['error', 'sort']).default('sort'),
  duplicates: z.enum(['error', 'keep-last']).default('error'),
  bad_price: z.enum(['error', 'drop']).default('error'),
  ohlc_inconsistent: z.enum(['error', 'repair', 'drop']).default('repair'),
  zero_volume_run: z.number().int().min(0).default(5),
  max_gap_days: nonNeg().default(5),
});

export const dataSchema = z.strictObject({
  /** alpaca: Alpaca market data, for the runner with broker.provider alpaca (it uses the broker's credentials). */
  provider: z.enum(['synthetic', 'yahoo', 'csv', 'alpaca']).default('synthetic'),
  symbols: z.array(z.string().regex(/^[A-Za-z0-9.^=_-]{1,20}$/, { message: 'is not a symbol' })).min(1).default(['SYNA', 'SYNB', 'SYNC', 'SYND', 'SYNE']),
  interval: interval.default('1d'),
  start: date.default('2015-01-02'),
  end: date.optional(),
  adjust: z.boolean().default(true),
  cache_dir: z.string().default('.cache/bars'),
  csv_dir: z.string().default('data'),
  /**
   * Exchange time zone of timestamps that carry none (intraday CSV rows such as "2024-03-11 09:30"): they are
   * read as wall-clock time there and converted to UTC. Daily bars stay dated by their trading day.
   */
  timezone: z
    .string()
    .refine(isTimeZone, { message: 'is not an IANA time zone such as America/New_York' })
    .default('America/New_York'),
  /** oversold_bounce: the synthetic market's planted effect (log return after an RSI(14) < 35 close); 0 = no edge. */
  synthetic: z
    .strictObject({ seed: z.number().int().default(42), oversold_bounce: z.number().min(0, { message: 'must be >= 0' }).max(0.1, { message: 'is not in [0, 0.1]' }).default(0.025) })
    .default({ seed: 42, oversold_bounce: 0.025 }),
  validation: validationSchema.default(validationSchema.parse({})),
});

export const runnerSchema = z.strictObject({
  /** live: poll the data provider on the schedule; replay: run the loop over history at accelerated speed. */
  mode: z.enum(['live', 'replay']).default('replay'),
  /**
   * Seconds between live ticks. A tick asks the provider for bars only once a new one can be complete (a daily
   * bar after its session's close), so a short interval costs nothing between bars.
   */
  schedule_seconds: positive().default(60),
  market_hours_only: z.boolean().default(true),
  /** Replay pace in bars per second (0 = as fast as possible). */
  replay_speed: nonNeg().default(20),
  state_dir: z.string().default('state'),
  /** While the kill switch is on, orders that only reduce or close a position still go out (a person who hits the switch usually wants out). */
  kill_switch_allows_exits: z.boolean().default(true),
});

export const apiSchema = z.strictObject({
  enabled: z.boolean().default(true),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0, { message: 'is not a port (0-65535)' }).max(65535, { message: 'is not a port (0-65535)' }).default(8080),
});

export const loggingSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  dir: z.string().default('logs'),
});

export const configSchema = z.strictObject({
  broker: brokerSchema.default(brokerSchema.parse({})),
  strategy: strategySchema.default(strategySchema.parse({})),
  portfolio: portfolioSchema.default(portfolioSchema.parse({})),
  data: dataSchema.default(dataSchema.parse({})),
  runner: runnerSchema.default(runnerSchema.parse({})),
  api: apiSchema.default(apiSchema.parse({})),
  logging: loggingSchema.default(loggingSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type BrokerConfig = Config['broker'];
export type StrategyConfig = Config['strategy'];
export type PortfolioConfig = Config['portfolio'];
export type DataConfig = Config['data'];
export type RunnerConfig = Config['runner'];
export type ApiConfig = Config['api'];
export type SizingConfig = PortfolioConfig['sizing'];
export type RegimeFilterConfig = StrategyConfig['regime_filter'];
