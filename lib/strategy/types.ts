/**
 * The one strategy contract, shared by the backtest and the live runner.
 *
 * A strategy is synchronous and pure given its inputs: at each step it sees the bars up to now and a
 * read-only portfolio, and returns intents. It never reads the clock, never does I/O and never looks at a
 * bar after ctx.index[s]. Intents say what the strategy wants; sizing, the risk gate and the broker decide
 * what actually happens.
 */
import type { BarSeries } from '../core/bars.js';
import type { OrderType, TimeInForce } from '../core/orders.js';
import type { PortfolioView } from '../portfolio/portfolio.js';

export interface StrategyContext {
  /** Start time (epoch ms) of the current step's bars; they are closed and known. */
  readonly time: number;
  /** One series per symbol, in a fixed order (symbol s = series[s]). May hold bars after index: never read them. */
  readonly series: readonly BarSeries[];
  /** Index of each symbol's latest known bar (-1 before its first bar). */
  readonly index: Int32Array;
  /** 1 where the symbol has a new bar at this step, else 0. */
  readonly updated: Uint8Array;
  readonly portfolio: PortfolioView;
}

export type Direction = 'long' | 'flat' | 'short';

interface IntentBase {
  readonly symbol: string;
  /** In [0, 1]; how sure the strategy is (sizing may scale with it). */
  readonly confidence?: number;
  /** Human-readable why, carried into the journal and the order's tag. */
  readonly reason: string;
  /** The model version that made this decision (ML strategies), carried into the journal. */
  readonly modelVersion?: string;
}

/** Be long / flat / short; sizing decides how much. Repeating a direction already held changes nothing. */
export interface SignalIntent extends IntentBase {
  readonly kind: 'signal';
  readonly direction: Direction;
}
/** Hold exactly this signed quantity. */
export interface TargetQtyIntent extends IntentBase {
  readonly kind: 'target_qty';
  readonly qty: number;
}
/** Hold this signed fraction of equity. */
export interface TargetWeightIntent extends IntentBase {
  readonly kind: 'target_weight';
  readonly weight: number;
}
/** An explicit order (still subject to the risk gate). */
export interface OrderIntent extends IntentBase {
  readonly kind: 'order';
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce?: TimeInForce;
  readonly stopLoss?: number;
  readonly takeProfit?: number;
}

export type Intent = SignalIntent | TargetQtyIntent | TargetWeightIntent | OrderIntent;

export interface Strategy {
  readonly name: string;
  /**
   * Optional precomputation over the series (indicators). It may see the whole series, so everything it
   * computes for bar t must depend on bars <= t only (the prefix test checks this). Called again by the
   * runner when the series grow.
   */
  init?(series: readonly BarSeries[]): void;
  /** Decide at this step. Return NO_INTENTS (not a new empty array) when there is nothing to do. */
  onBar(ctx: StrategyContext): readonly Intent[];
}

export const NO_INTENTS: readonly Intent[] = Object.freeze([]);
