/**
 * Position sizing: how many shares a "go long/short" signal means. Sizing proposes; the risk gate may still
 * shrink the result.
 */
import type { SizingConfig } from '../config/schema.js';
import { ValidationError } from '../core/errors.js';

export type SizingSpec =
  | { readonly method: 'fixed_fraction'; readonly fraction: number }
  | { readonly method: 'fixed_quantity'; readonly quantity: number }
  /** Position volatility = target: fraction of equity = target / realised annual volatility (capped at maxFraction). */
  | { readonly method: 'volatility_target'; readonly targetVolatility: number; readonly lookback?: number; readonly periodsPerYear?: number; readonly maxFraction?: number }
  /** All available cash at the fill price (split evenly across symbols not yet held); sized by the broker at the fill. */
  | { readonly method: 'all_in' }
  /**
   * Sleeves: each symbol owns an equal share of the starting capital (initial cash / number of symbols) and
   * compounds only its own P&L: an entry invests the sleeve's cash (its share + its realised P&L - its fees)
   * at the fill price, like all_in. The run equals the sum of single-symbol all_in runs on each share.
   */
  | { readonly method: 'sleeve' };

export interface SizingInput {
  readonly equity: number;
  readonly cash: number;
  readonly price: number;
  /** Closes up to and including the current bar (for volatility_target). */
  readonly closes?: ArrayLike<number>;
  /** Index of the current bar in closes. */
  readonly index?: number;
  /** Signal confidence in [0, 1]; sizes scale with it only for fractions (1 = full size). */
  readonly confidence?: number;
}

/** Absolute quantity to hold (not rounded; the gate rounds). NaN when it cannot be computed (e.g. not enough history). */
export function targetQuantity(spec: SizingSpec, x: SizingInput): number {
  if (!(x.price > 0)) return NaN;
  switch (spec.method) {
    case 'fixed_quantity':
      return spec.quantity;
    case 'fixed_fraction':
      return (x.equity * spec.fraction) / x.price;
    case 'all_in':
    case 'sleeve': // the caller passes the sleeve's cash
      return x.cash / x.price;
    case 'volatility_target': {
      if (!x.closes || x.index === undefined) return NaN;
      const vol = realizedVolatility(x.closes, x.index, spec.lookback ?? 20, spec.periodsPerYear ?? 252);
      if (!(vol > 0)) return NaN;
      const frac = Math.min(spec.targetVolatility / vol, spec.maxFraction ?? 1);
      return (x.equity * frac) / x.price;
    }
  }
}

/** Annualised standard deviation (sample) of log returns over the `lookback` returns ending at `index`. */
export function realizedVolatility(closes: ArrayLike<number>, index: number, lookback: number, periodsPerYear = 252): number {
  if (index - lookback < 0 || lookback < 2) return NaN;
  let sum = 0;
  let sum2 = 0;
  for (let i = index - lookback + 1; i <= index; i++) {
    const r = Math.log(closes[i] / closes[i - 1]);
    sum += r;
    sum2 += r * r;
  }
  const mean = sum / lookback;
  const v = (sum2 - lookback * mean * mean) / (lookback - 1);
  return Math.sqrt(Math.max(v, 0) * periodsPerYear);
}

/** The `portfolio.sizing` section of config.yaml. */
export function sizingFromConfig(c: SizingConfig): SizingSpec {
  switch (c.method) {
    case 'fixed_fraction':
      return { method: 'fixed_fraction', fraction: c.fraction };
    case 'fixed_quantity':
      return { method: 'fixed_quantity', quantity: c.quantity };
    case 'volatility_target':
      return { method: 'volatility_target', targetVolatility: c.target_volatility };
    case 'all_in':
      return { method: 'all_in' };
    case 'sleeve':
      return { method: 'sleeve' };
    default:
      throw new ValidationError('portfolio.sizing.method', 'is not one of fixed_fraction, fixed_quantity, volatility_target, all_in, sleeve', (c as { method: unknown }).method);
  }
}
