/**
 * The entry rules, one small function each. A rule sees the part of a trade that opens or grows a position
 * (never the part that reduces one) and returns the quantity it allows with a message, or null when it has
 * no objection. The gate applies them in order, each to what the previous ones allowed.
 */
import type { RiskLimits } from './limits.js';

export type RiskRule = 'short_disabled' | 'daily_loss' | 'max_open_positions' | 'max_position_size' | 'max_gross_exposure' | 'whole_shares' | 'invalid';

export interface EntryCheck {
  readonly symbol: string;
  readonly price: number;
  readonly equity: number;
  readonly grossExposure: number;
  readonly openPositions: number;
  readonly limits: RiskLimits;
  /** The position once the reducing part has filled (0 when the trade flips the position). */
  readonly base: number;
  /** Signed size of the reducing part. */
  readonly reduce: number;
  /** Signed entry quantity still allowed by the rules applied so far. */
  readonly entry: number;
  readonly halted: boolean;
  readonly dayStartEquity: number;
}

export interface RuleVerdict {
  readonly qty: number;
  readonly message: string;
}

export interface EntryRule {
  readonly rule: RiskRule;
  apply(c: EntryCheck): RuleVerdict | null;
}

export const shortDisabled: EntryRule = {
  rule: 'short_disabled',
  apply: (c) => (c.base + c.entry < 0 && !c.limits.allowShort ? { qty: 0, message: `short selling is disabled: ${c.symbol} would go to ${c.base + c.entry}` } : null),
};

export const dailyLoss: EntryRule = {
  rule: 'daily_loss',
  apply: (c) =>
    c.halted
      ? {
          qty: 0,
          message: `daily loss limit ${(c.limits.maxDailyLoss * 100).toFixed(2)}% reached: equity ${c.equity.toFixed(2)} vs ${c.dayStartEquity.toFixed(2)} at the day's start; no new entries today`,
        }
      : null,
};

export const maxOpenPositions: EntryRule = {
  rule: 'max_open_positions',
  apply: (c) =>
    c.base === 0 && c.openPositions >= c.limits.maxOpenPositions ? { qty: 0, message: `already ${c.openPositions} open positions (max ${c.limits.maxOpenPositions})` } : null,
};

export const maxPositionSize: EntryRule = {
  rule: 'max_position_size',
  apply: (c) => {
    const f = c.limits.maxPositionFraction;
    if (!Number.isFinite(f)) return null;
    const room = Math.max((f * Math.max(c.equity, 0)) / c.price - Math.abs(c.base), 0);
    return Math.abs(c.entry) > room
      ? { qty: Math.sign(c.entry) * room, message: `${c.symbol} position value capped at ${(f * 100).toFixed(2)}% of equity ${c.equity.toFixed(2)}` }
      : null;
  },
};

export const maxGrossExposure: EntryRule = {
  rule: 'max_gross_exposure',
  apply: (c) => {
    const x = c.limits.maxGrossExposure;
    if (!Number.isFinite(x)) return null;
    const grossAfterReduce = c.grossExposure - Math.abs(c.reduce) * c.price;
    const room = Math.max((x * Math.max(c.equity, 0) - grossAfterReduce) / c.price, 0);
    return Math.abs(c.entry) > room ? { qty: Math.sign(c.entry) * room, message: `gross exposure capped at ${x}x equity ${c.equity.toFixed(2)}` } : null;
  },
};

/** In the order the gate applies them: outright refusals first, then caps. */
export const ENTRY_RULES: readonly EntryRule[] = [shortDisabled, dailyLoss, maxOpenPositions, maxPositionSize, maxGrossExposure];
