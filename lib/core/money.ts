/**
 * Exact money. Cash, prices, quantities, fees and P&L are decimals (decimal.js), never floats; they
 * serialise as strings. Floats stay in indicators, features, models and statistics.
 */
import { Decimal as DecimalJs } from 'decimal.js';

/** A Decimal constructor private to this toolkit: 40 significant digits, banker's rounding. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalLike = Decimal | string | number;

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

/**
 * A decimal from a string, a Decimal, or a float. Floats go through their shortest round-trip string
 * (0.1 -> "0.1"), so a price read as 101.23 becomes exactly 101.23, not 101.2299999999999897.
 */
export function dec(x: DecimalLike): Decimal {
  if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return x instanceof Decimal ? x : new Decimal(x);
}

/**
 * A float market price at full precision: the shortest decimal that reads back as the same float (at most 17
 * significant digits, what JavaScript and Python print). It carries all of the float's information and
 * differs from its binary value by under half an ulp (1.1e-16 relative). The ledger then computes on it
 * exactly: a price has at most ~20 decimals for prices above 1e-3, so qty x price and cash sums stay within
 * the 40 significant digits of Decimal up to 1e19 of cash and no arithmetic rounding happens at all.
 * Adjusted prices are not tradable quotes, so nothing here snaps to a tick; a broker adapter that needs one
 * (Alpaca: 0.01 at or above $1, 0.0001 below) rounds when it builds its order (lib/broker/alpaca toTick).
 */
export function fullPrice(x: number): Decimal {
  if (!Number.isFinite(x)) throw new Error(`not a finite price: ${x}`);
  return new Decimal(x);
}

/** A float market price as an exact decimal on a tick grid of `dp` decimal places (for broker adapters). */
export function priceOf(x: number, dp = 6): Decimal {
  if (!Number.isFinite(x)) throw new Error(`not a finite price: ${x}`);
  return new Decimal(x).toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN);
}

/** Round money to cents (or `dp` places) with banker's rounding. */
export function roundMoney(x: Decimal, dp = 2): Decimal {
  return x.toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN);
}

export function isDecimalString(s: string): boolean {
  return /^-?(\d+)(\.\d+)?$/.test(s);
}
