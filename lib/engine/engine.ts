/**
 * The engine's one step: strategy -> sizing -> risk gate -> broker. The backtest driver calls step() in its
 * loop with the synchronous simulator; the live runner calls stepAsync() with any Broker. Both go through
 * plan(), so a decision made in a backtest is the decision the runner would make on the same inputs.
 */
import { dec, fullPrice, priceOf, type Decimal } from '../core/money.js';
import type { OrderRequest } from '../core/orders.js';
import type { Broker } from '../broker/broker.js';
import type { SimExecution, SubmitExtras } from '../broker/sim/execution.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { RiskDecision, RiskGate, RiskReason } from '../risk/gate.js';
import { targetQuantity, type SizingSpec } from '../risk/sizing.js';
import type { Intent, Strategy, StrategyContext } from '../strategy/types.js';

/** Orders the broker holds that are not yet filled, as signed quantities per symbol. */
export interface PendingView {
  pendingSigned(symbol: string): number;
}

export interface PlannedOrder {
  readonly request: OrderRequest;
  readonly extras: SubmitExtras;
  readonly intent: Intent;
  readonly risk: RiskDecision;
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
  /**
   * Decimal places of stop/limit prices (default: none, full precision like fills; a broker adapter rounds to
   * its own tick when it sends the order).
   */
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

export class Engine {
  readonly strategy: Strategy;
  readonly gate: RiskGate;
  readonly sizing: SizingSpec;
  readonly portfolio: Portfolio;
  readonly journal: JournalEntry[] = [];
  private readonly priceDp: number | undefined;
  private readonly journalLimit: number;
  private seq = 0;

  constructor(o: EngineOptions) {
    this.strategy = o.strategy;
    this.gate = o.gate;
    this.sizing = o.sizing;
    this.portfolio = o.portfolio;
    this.priceDp = o.priceDp;
    this.journalLimit = o.journalLimit ?? 100_000;
  }

  /** Synchronous step against the simulator (backtest, paper). Returns the number of orders submitted. */
  step(ctx: StrategyContext, m: MarketState, exec: SimExecution): number {
    const intents = this.strategy.onBar(ctx);
    if (intents.length === 0) return 0;
    let n = 0;
    for (const p of this.plan(ctx, intents, m, exec)) {
      const r = exec.submitQuick(p.request, ctx.time, p.extras);
      if (r.ok) n++;
      this.record(ctx.time, p, 'reason' in r ? r.reason : null);
    }
    return n;
  }

  /**
   * The same step against any Broker (the live runner). Sizing at the fill (all_in) is not part of the Broker
   * contract, so such orders go out with the quantity estimated at the latest close.
   */
  async stepAsync(ctx: StrategyContext, m: MarketState, broker: Broker, pending: PendingView): Promise<number> {
    const intents = this.strategy.onBar(ctx);
    if (intents.length === 0) return 0;
    let n = 0;
    for (const p of this.plan(ctx, intents, m, pending)) {
      const r = await broker.submit(p.request);
      if (r.ok) n++;
      this.record(ctx.time, p, 'reason' in r ? r.reason : null);
    }
    return n;
  }

  /** Intents -> sized, risk-checked order requests. Risk rejections are journalled here. */
  plan(ctx: StrategyContext, intents: readonly Intent[], m: MarketState, pending: PendingView): PlannedOrder[] {
    const pf = this.portfolio;
    const out: PlannedOrder[] = [];
    let allInPlanned = 0;
    for (const intent of intents) {
      const sym = intent.symbol;
      const slot = pf.slotOf(sym);
      const price = m.marks[slot];
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
            allIn = sized.allInFraction !== undefined || sized.sleeveCapital !== undefined;
            if (sized.allInFraction !== undefined) allInPlanned++;
            if (allIn && dir > 0) extras = sized.sleeveCapital !== undefined ? { sleeveCapital: sized.sleeveCapital } : { allInFraction: sized.allInFraction };
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
      if (!risk.approved) {
        this.push({ time: ctx.time, symbol: sym, action: 'rejected_by_risk', reason: intent.reason, qty: delta, risk: risk.reasons });
        continue;
      }
      const entry = risk.qty - risk.reduceQty;
      const legs: Array<[number, boolean]> = [];
      if (risk.reduceQty !== 0) legs.push([risk.reduceQty, false]);
      if (entry !== 0) legs.push([entry, true]);
      for (const [q, isEntry] of legs) {
        const base = {
          clientOrderId: `${this.strategy.name}:${sym}:${ctx.time}:${++this.seq}`,
          symbol: sym,
          side: q > 0 ? ('buy' as const) : ('sell' as const),
          qty: dec(Math.abs(q)),
          timeInForce: 'gtc' as const,
          tag: intent.reason,
        };
        let req: OrderRequest;
        if (intent.kind === 'order') {
          req = {
            ...base,
            type: intent.type,
            timeInForce: intent.timeInForce ?? 'gtc',
            ...(intent.limitPrice !== undefined ? { limitPrice: this.px(intent.limitPrice) } : {}),
            ...(intent.stopPrice !== undefined ? { stopPrice: this.px(intent.stopPrice) } : {}),
          };
        } else {
          req = { ...base, type: 'market' };
        }
        if (isEntry) {
          const sl = intent.kind === 'order' && intent.stopLoss !== undefined ? intent.stopLoss : risk.stopLoss;
          const tp = intent.kind === 'order' && intent.takeProfit !== undefined ? intent.takeProfit : risk.takeProfit;
          if (sl !== undefined || tp !== undefined) {
            req = {
              ...req,
              bracket: {
                ...(sl !== undefined ? { stopLoss: this.px(sl) } : {}),
                ...(tp !== undefined ? { takeProfit: this.px(tp) } : {}),
              },
            };
          }
        }
        out.push({ request: req, extras: isEntry && allIn ? extras : {}, intent, risk });
      }
    }
    return out;
  }

  private sizeFor(
    ctx: StrategyContext,
    slot: number,
    price: number,
    equity: number,
    confidence: number | undefined,
    pending: PendingView,
    allInPlanned: number,
  ): { qty: number; allInFraction?: number; sleeveCapital?: Decimal } {
    const pf = this.portfolio;
    if (this.sizing.method === 'sleeve') {
      // Each symbol owns initial cash / n and compounds only its own P&L; the simulator sizes exactly at the fill.
      const sleeveCapital = pf.initialCash.div(ctx.series.length);
      const sleeveCash = Math.min(sleeveCapital.plus(pf.netCashOf(ctx.series[slot].symbol)).toNumber(), pf.cashFloat);
      return { qty: Math.max(Math.floor(sleeveCash / price), 0), sleeveCapital };
    }
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

  private px(x: number): Decimal {
    return this.priceDp === undefined ? fullPrice(x) : priceOf(x, this.priceDp);
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
