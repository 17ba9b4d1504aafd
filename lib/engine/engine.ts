/**
 * The engine's one step: strategy -> plan (sizing -> risk gate -> order builder with brackets) -> broker.
 * `decide()` is that step up to the orders; the backtest driver submits them to the synchronous simulator
 * (`step()`), the runner journals them and submits them to any Broker, and a manual API order is one more
 * intent through the same `plan()`. Client order ids are deterministic (`source:symbol:bar-time:kind:leg`),
 * so the same decision gets the same id in a backtest, a replay and after a restart.
 */
import { isoTime } from '../core/bars.js';
import { dec, priceOf } from '../core/money.js';
import type { OrderRequest } from '../core/orders.js';
import type { SimExecution, SubmitExtras } from '../broker/sim/execution.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { RiskDecision, RiskGate, RiskReason } from '../risk/gate.js';
import { targetQuantity, type SizingSpec } from '../risk/sizing.js';
import type { Intent, Strategy, StrategyContext } from '../strategy/types.js';

/** Orders the broker holds that are not yet filled, as signed quantities per symbol. */
export interface PendingView {
  pendingSigned(symbol: string): number;
}

/** A deterministic client order id: the same decision after a restart (or in a backtest) gets the same id. */
export function clientOrderId(source: string, symbol: string, time: number, intent: Intent, leg: number): string {
  const kind = intent.kind === 'signal' ? intent.direction : intent.kind;
  const raw = `${source}:${symbol}:${isoTime(time)}:${kind}:${leg}`;
  return raw.replace(/[^A-Za-z0-9:._-]/g, '_').slice(0, 120);
}

export interface PlannedOrder {
  readonly request: OrderRequest;
  readonly extras: SubmitExtras;
  readonly intent: Intent;
  readonly risk: RiskDecision;
  /** True for the leg that opens or grows a position; false for the leg that reduces one. */
  readonly entry: boolean;
}

/** One risk decision per intent that asked for a change: what was asked, what the gate allowed and why. */
export interface RiskRecord {
  readonly time: number;
  readonly source: string;
  readonly symbol: string;
  readonly intent: Intent['kind'];
  readonly reason: string;
  /** Signed quantity asked for. */
  readonly requestedQty: number;
  /** Signed quantity the gate allowed (0 when refused). */
  readonly approvedQty: number;
  readonly approved: boolean;
  readonly rules: readonly RiskReason[];
  readonly clientOrderIds: readonly string[];
}

export interface Plan {
  readonly orders: readonly PlannedOrder[];
  readonly decisions: readonly RiskRecord[];
}

export interface PlanOptions {
  /** Prefix of the client order ids (default: the strategy's name; "manual" for API orders). */
  readonly source?: string;
  /** Client order id of the first leg (a caller-chosen id); later legs get ":2", ":3". */
  readonly clientOrderId?: string;
}

export interface Decision extends Plan {
  readonly intents: readonly Intent[];
}

export interface JournalEntry {
  readonly time: number;
  readonly symbol: string;
  readonly action: 'submitted' | 'resized' | 'rejected_by_risk' | 'rejected_by_broker';
  readonly reason: string;
  readonly qty: number;
  readonly risk: readonly RiskReason[];
  readonly brokerReason?: string;
}

export interface EngineOptions {
  readonly strategy: Strategy;
  readonly gate: RiskGate;
  readonly sizing: SizingSpec;
  readonly portfolio: Portfolio;
  /** Decimal places of stop/limit prices derived from percentages (default 4). */
  readonly priceDp?: number;
  /** Keep at most this many journal entries (oldest dropped; default 100,000). */
  readonly journalLimit?: number;
}

/** Market state the step needs besides the strategy context (floats, refreshed by the caller every bar). */
export interface MarketState {
  /** Latest close per slot (slot = series index = portfolio slot). */
  readonly marks: ArrayLike<number>;
  readonly equity: number;
}

const NO_PLAN: Decision = Object.freeze({ intents: [], orders: [], decisions: [] });

export class Engine {
  readonly strategy: Strategy;
  readonly gate: RiskGate;
  readonly sizing: SizingSpec;
  readonly portfolio: Portfolio;
  readonly journal: JournalEntry[] = [];
  private readonly priceDp: number;
  private readonly journalLimit: number;

  constructor(o: EngineOptions) {
    this.strategy = o.strategy;
    this.gate = o.gate;
    this.sizing = o.sizing;
    this.portfolio = o.portfolio;
    this.priceDp = o.priceDp ?? 4;
    this.journalLimit = o.journalLimit ?? 100_000;
  }

  /** The strategy's decision at this bar: its intents and the orders the plan makes of them. */
  decide(ctx: StrategyContext, m: MarketState, pending: PendingView): Decision {
    const intents = this.strategy.onBar(ctx);
    if (intents.length === 0) return NO_PLAN;
    return { intents, ...this.plan(ctx, intents, m, pending) };
  }

  /** The backtest's step: decide, then submit to the simulator. Returns the number of orders accepted. */
  step(ctx: StrategyContext, m: MarketState, exec: SimExecution): number {
    const d = this.decide(ctx, m, exec);
    for (const r of d.decisions) if (!r.approved) this.push({ time: r.time, symbol: r.symbol, action: 'rejected_by_risk', reason: r.reason, qty: r.requestedQty, risk: r.rules });
    let n = 0;
    for (const p of d.orders) {
      const r = exec.submitQuick(p.request, ctx.time, p.extras);
      if (r.ok) n++;
      this.record(ctx.time, p, 'reason' in r ? r.reason : null);
    }
    return n;
  }

  /**
   * Intents -> sized, risk-checked order requests with brackets, and one risk record per intent. Pure: the
   * caller journals the records and submits the orders.
   */
  plan(ctx: StrategyContext, intents: readonly Intent[], m: MarketState, pending: PendingView, o: PlanOptions = {}): Plan {
    const pf = this.portfolio;
    const source = o.source ?? this.strategy.name;
    const out: PlannedOrder[] = [];
    const decisions: RiskRecord[] = [];
    const legsOf = new Map<string, number>();
    let allInPlanned = 0;
    for (const intent of intents) {
      const sym = intent.symbol;
      const slot = pf.slotOf(sym);
      const mark = m.marks[slot];
      // An order's value is judged at the worse of the last price and its own prices: a buy limit far below
      // the market must not reserve (almost) nothing, nor block every other entry by its notional.
      const price = intent.kind === 'order' ? Math.max(mark, intent.limitPrice ?? 0, intent.stopPrice ?? 0) : mark;
      const pos = pf.qtyAt(slot) + pending.pendingSigned(sym);
      let delta: number;
      let extras: SubmitExtras = {};
      let allIn = false;
      switch (intent.kind) {
        case 'signal': {
          const dir = intent.direction === 'long' ? 1 : intent.direction === 'short' ? -1 : 0;
          if (dir !== 0 && Math.sign(pos) === dir) continue; // already on that side
          let target = 0;
          if (dir !== 0) {
            const sized = this.sizeFor(ctx, slot, price, m.equity, intent.confidence, pending, allInPlanned);
            target = dir * sized.qty;
            allIn = sized.allInFraction !== undefined;
            if (allIn) allInPlanned++;
            if (allIn && dir > 0) extras = { allInFraction: sized.allInFraction };
          }
          delta = target - pos;
          break;
        }
        case 'target_qty':
          delta = intent.qty - pos;
          break;
        case 'target_weight':
          delta = (intent.weight * m.equity) / price - pos;
          break;
        case 'order':
          delta = intent.side === 'buy' ? intent.qty : -intent.qty;
          break;
      }
      if (!Number.isFinite(delta) || Math.abs(delta) < 1e-9) continue;
      const risk = this.gate.check(
        { symbol: sym, delta, price },
        { equity: m.equity, position: pos, grossExposure: this.grossExposure(m.marks, pending), openPositions: pf.openPositionCount() },
      );
      let rules = risk.reasons;
      if (intent.kind === 'order' && Math.abs(Math.abs(risk.qty) - Math.abs(delta)) > 1e-9 && rules.length === 0) {
        // An explicit quantity that is changed at all gets a reason (fractional shares rounded down).
        rules = [{ rule: 'whole_shares', message: 'rounded down to whole shares', originalQty: delta, approvedQty: risk.qty }];
      }
      const ids: string[] = [];
      if (risk.approved) {
        const entryQty = risk.qty - risk.reduceQty;
        const legs: Array<[number, boolean]> = [];
        if (risk.reduceQty !== 0) legs.push([risk.reduceQty, false]);
        if (entryQty !== 0) legs.push([entryQty, true]);
        for (const [q, isEntry] of legs) {
          const leg = legsOf.get(sym) ?? 0;
          legsOf.set(sym, leg + 1);
          const cid = o.clientOrderId !== undefined ? (out.length === 0 ? o.clientOrderId : `${o.clientOrderId}:${out.length + 1}`) : clientOrderId(source, sym, ctx.time, intent, leg);
          ids.push(cid);
          const req = this.buildOrder(cid, sym, q, intent, isEntry ? risk : null, mark);
          out.push({ request: req, extras: isEntry && allIn ? extras : {}, intent, risk, entry: isEntry });
        }
      }
      decisions.push({ time: ctx.time, source, symbol: sym, intent: intent.kind, reason: intent.reason, requestedQty: delta, approvedQty: risk.qty, approved: risk.approved, rules, clientOrderIds: ids });
    }
    return { orders: out, decisions };
  }

  /** One order leg: the intent's type and prices, and for an entry the stop-loss/take-profit bracket. */
  private buildOrder(cid: string, sym: string, q: number, intent: Intent, entryRisk: RiskDecision | null, mark: number): OrderRequest {
    const base = { clientOrderId: cid, symbol: sym, side: q > 0 ? ('buy' as const) : ('sell' as const), qty: dec(Math.abs(q)), timeInForce: 'gtc' as const, tag: intent.reason };
    let req: OrderRequest =
      intent.kind === 'order'
        ? {
            ...base,
            type: intent.type,
            timeInForce: intent.timeInForce ?? 'gtc',
            ...(intent.limitPrice !== undefined ? { limitPrice: priceOf(intent.limitPrice, this.priceDp) } : {}),
            ...(intent.stopPrice !== undefined ? { stopPrice: priceOf(intent.stopPrice, this.priceDp) } : {}),
          }
        : { ...base, type: 'market' };
    if (entryRisk === null) return req;
    let sl = entryRisk.stopLoss;
    let tp = entryRisk.takeProfit;
    // The price the default (percent) levels are computed from; null when a level is an explicit price.
    let reference: number | null = mark;
    if (intent.kind === 'order') {
      // Default brackets around the price the entry is expected to fill at: its limit, else the last price.
      const fillRef = intent.limitPrice ?? intent.stopPrice ?? mark;
      const d = this.gate.brackets(fillRef, q > 0);
      sl = intent.stopLoss ?? d.stopLoss;
      tp = intent.takeProfit ?? d.takeProfit;
      reference = intent.stopLoss === undefined && intent.takeProfit === undefined ? fillRef : null;
    }
    if (sl !== undefined || tp !== undefined) {
      req = {
        ...req,
        bracket: {
          ...(sl !== undefined ? { stopLoss: priceOf(sl, this.priceDp) } : {}),
          ...(tp !== undefined ? { takeProfit: priceOf(tp, this.priceDp) } : {}),
          // Percent levels are re-priced off the actual fill by the simulator (Bracket.reference).
          ...(reference !== null ? { reference: priceOf(reference, this.priceDp) } : {}),
        },
      };
    }
    return req;
  }

  private sizeFor(
    ctx: StrategyContext,
    slot: number,
    price: number,
    equity: number,
    confidence: number | undefined,
    pending: PendingView,
    allInPlanned: number,
  ): { qty: number; allInFraction?: number } {
    const pf = this.portfolio;
    if (this.sizing.method === 'all_in') {
      // Split the cash evenly over the symbols not yet held or being bought. Fills happen in slot order, so
      // the k-th planned entry takes 1/(free - k) of the cash left then: every symbol gets the same share.
      let free = 0;
      for (let s = 0; s < ctx.series.length; s++) if (pf.qtyAt(s) === 0 && pending.pendingSigned(ctx.series[s].symbol) <= 0) free++;
      const fraction = 1 / Math.max(free - allInPlanned, 1);
      return { qty: Math.floor((pf.cashFloat * fraction) / price), allInFraction: fraction };
    }
    const s = ctx.series[slot];
    const q = targetQuantity(this.sizing, { equity, cash: pf.cashFloat, price, closes: s.close, index: ctx.index[slot], confidence });
    const scaled = this.sizing.method === 'fixed_quantity' || confidence === undefined ? q : q * Math.min(Math.max(confidence, 0), 1);
    return { qty: scaled };
  }

  private grossExposure(marks: ArrayLike<number>, pending: PendingView): number {
    const pf = this.portfolio;
    let g = 0;
    for (let s = 0; s < pf.slotCount; s++) {
      const q = pf.qtyAt(s) + pending.pendingSigned(pf.symbolAt(s));
      if (q !== 0) g += Math.abs(q * (marks[s] ?? 0));
    }
    return g;
  }

  private record(time: number, p: PlannedOrder, brokerReason: string | null): void {
    const resized = p.risk.reasons.length > 0;
    if (brokerReason === null && !resized) return;
    this.push({
      time,
      symbol: p.request.symbol,
      action: brokerReason !== null ? 'rejected_by_broker' : 'resized',
      reason: p.intent.reason,
      qty: p.risk.qty,
      risk: p.risk.reasons,
      ...(brokerReason !== null ? { brokerReason } : {}),
    });
  }

  private push(e: JournalEntry): void {
    if (this.journal.length >= this.journalLimit) this.journal.shift();
    this.journal.push(e);
  }
}
