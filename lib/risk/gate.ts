/**
 * The one risk gate. The engine, the runner and the HTTP order API all pass every proposed trade through
 * check(); it splits the trade into the part that reduces the position (never blocked: exits must always be
 * possible) and the part that opens or grows one, and runs the entry rules on the latter. Every rejection or
 * resize comes back as a reason naming the rule, with the original and approved quantities.
 */
import type { RiskLimits } from './limits.js';
import { DEFAULT_LIMITS, validateLimits } from './limits.js';
import { ENTRY_RULES, type EntryRule, type RiskRule } from './rules.js';

export type { RiskRule } from './rules.js';

export interface Proposal {
  readonly symbol: string;
  /** Signed quantity change wanted (positive buys). */
  readonly delta: number;
  /** Price estimate for value checks (the latest close). */
  readonly price: number;
}

/** What the gate needs to know about the account now (floats: limits are not money movements). */
export interface RiskState {
  readonly equity: number;
  /** Signed current position of the proposal's symbol, including orders still pending. */
  readonly position: number;
  /** Sum of |position value| over all symbols, including pending orders. */
  readonly grossExposure: number;
  readonly openPositions: number;
}


export interface RiskReason {
  readonly rule: RiskRule;
  readonly message: string;
  readonly originalQty: number;
  readonly approvedQty: number;
}

export interface RiskDecision {
  /** Signed approved change (0 when nothing is approved). */
  readonly qty: number;
  /** Part of qty that reduces the current position (always approved). */
  readonly reduceQty: number;
  readonly approved: boolean;
  readonly reasons: readonly RiskReason[];
  /** Default bracket prices for the entry part, when configured. */
  readonly stopLoss?: number;
  readonly takeProfit?: number;
}

const DAY_MS = 86_400_000;

export class RiskGate {
  readonly limits: RiskLimits;
  private day = NaN;
  private dayStartEquity = NaN;
  private lastEquity = NaN;
  private haltedDay = NaN;

  /** `rules` replaces the entry rules (default ENTRY_RULES), e.g. to add a house rule. */
  constructor(
    limits: Partial<RiskLimits> = {},
    private readonly rules: readonly EntryRule[] = ENTRY_RULES,
  ) {
    this.limits = validateLimits({ ...DEFAULT_LIMITS, ...limits });
  }

  /**
   * Mark the account each bar (cheap; the engine calls it in its hot loop). The day's reference equity is the
   * last equity seen before the day's first bar, so for daily bars the reference is the previous close.
   */
  onBar(time: number, equity: number): void {
    const d = Math.floor(time / DAY_MS);
    if (d !== this.day) {
      this.day = d;
      this.dayStartEquity = Number.isNaN(this.lastEquity) ? equity : this.lastEquity;
    }
    this.lastEquity = equity;
    if (equity <= this.dayStartEquity * (1 - this.limits.maxDailyLoss) && this.haltedDay !== d) this.haltedDay = d;
  }

  /** True when the daily loss limit has halted new entries for the current day. */
  get halted(): boolean {
    return this.haltedDay === this.day;
  }

  check(p: Proposal, s: RiskState): RiskDecision {
    const L = this.limits;
    const reasons: RiskReason[] = [];
    if (!Number.isFinite(p.delta) || !(p.price > 0)) {
      return { qty: 0, reduceQty: 0, approved: false, reasons: [{ rule: 'invalid', message: `quantity ${p.delta} at price ${p.price} is not a valid proposal`, originalQty: p.delta, approvedQty: 0 }] };
    }
    const pos = s.position;
    const dir = Math.sign(p.delta);
    // The reducing part moves the position toward zero, at most to zero.
    const reduce = pos !== 0 && Math.sign(pos) !== dir ? dir * Math.min(Math.abs(p.delta), Math.abs(pos)) : 0;
    const wanted = p.delta - reduce;
    let entry = wanted;
    if (entry !== 0) {
      const base = pos + reduce; // 0 if flipping, else the current position
      for (const r of this.rules) {
        const v = r.apply({
          symbol: p.symbol,
          price: p.price,
          equity: s.equity,
          grossExposure: s.grossExposure,
          openPositions: s.openPositions,
          limits: L,
          base,
          reduce,
          entry,
          halted: this.halted,
          dayStartEquity: this.dayStartEquity,
        });
        if (v) {
          reasons.push({ rule: r.rule, message: v.message, originalQty: wanted, approvedQty: v.qty });
          entry = v.qty;
        }
        if (entry === 0) break;
      }
      if (entry !== 0 && L.wholeShares && !Number.isInteger(entry)) {
        const whole = Math.sign(entry) * Math.floor(Math.abs(entry) + 1e-9);
        if (reasons.length > 0) reasons.push({ rule: 'whole_shares', message: 'rounded down to whole shares', originalQty: entry, approvedQty: whole });
        entry = whole;
      }
    }
    const qty = reduce + entry;
    const decision: RiskDecision = { qty, reduceQty: reduce, approved: qty !== 0, reasons };
    return entry !== 0 ? { ...decision, ...this.brackets(p.price, entry > 0) } : decision;
  }

  /** The configured default stop-loss and take-profit prices around an entry at `price`. */
  brackets(price: number, long: boolean): { stopLoss?: number; takeProfit?: number } {
    const L = this.limits;
    return {
      ...(L.stopLoss > 0 ? { stopLoss: price * (long ? 1 - L.stopLoss : 1 + L.stopLoss) } : {}),
      ...(L.takeProfit > 0 ? { takeProfit: price * (long ? 1 + L.takeProfit : 1 - L.takeProfit) } : {}),
    };
  }
}
