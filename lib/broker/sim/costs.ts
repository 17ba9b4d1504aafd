/** Commission and slippage: how much a fill costs beyond the quoted price. Deterministic, exact. */
import { Decimal, ZERO, dec, roundMoney } from '../../core/money.js';
import type { Side } from '../../core/orders.js';
import { ValidationError } from '../../core/errors.js';

export interface CommissionSpec {
  /** Money per share. */
  readonly perShare?: number;
  /** Percent of the traded notional: 0.1 means 0.1 %. */
  readonly percent?: number;
  /** Floor per order (applied whenever an order fills). */
  readonly minimum?: number;
}

export class Commission {
  private readonly perShare: Decimal;
  private readonly rate: Decimal;
  private readonly minimum: Decimal;
  readonly isZero: boolean;

  constructor(spec: CommissionSpec = {}) {
    for (const k of ['perShare', 'percent', 'minimum'] as const) {
      const v = spec[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new ValidationError(`commission.${k}`, 'must be a number >= 0', v);
    }
    this.perShare = dec(spec.perShare ?? 0);
    this.rate = dec(spec.percent ?? 0).div(100);
    this.minimum = dec(spec.minimum ?? 0);
    this.isZero = this.perShare.isZero() && this.rate.isZero() && this.minimum.isZero();
  }

  /** Fee of one fill, rounded to cents (banker's rounding). */
  fee(qty: Decimal, price: Decimal): Decimal {
    if (this.isZero) return ZERO;
    const raw = this.perShare.times(qty).plus(this.rate.times(qty).times(price));
    return roundMoney(Decimal.max(raw, this.minimum));
  }
}

/**
 * Price after slippage of `bps` basis points against the trader, exact (no tick rounding: the product of a
 * full-precision price and 1 +/- bps/10,000 is a short decimal, so nothing is lost).
 */
export function slip(price: Decimal, side: Side, bps: number): Decimal {
  if (bps === 0) return price;
  const f = dec(bps).div(10_000);
  return side === 'buy' ? price.times(f.plus(1)) : price.times(dec(1).minus(f));
}
