/**
 * The simulated fill model, synchronous so the backtest can call it in its hot loop; SimBroker wraps it in
 * the async Broker contract for the paper broker and the runner.
 *
 * Rules (all deterministic):
 * - Orders submitted while bar t is current are first eligible on bar t+1 (a bar is known at its close).
 *   With fillAt 'close', market orders instead fill at once at the close of the current bar.
 * - Market: the open of the next bar, plus slippage against the trader.
 * - Limit: if the open is already through the limit (gap), at the open; else at the limit if the bar's range
 *   touches it. No slippage: a limit is a price guarantee.
 * - Stop: if the open is already through the stop (gap), at the open; else at the stop if the range touches it;
 *   plus slippage.
 * - Stop-limit: triggers like a stop, then fills in the same bar only if the trigger price satisfies the
 *   limit; otherwise it rests as a limit order from the next bar.
 * - Bracket: when the entry fills, a stop-loss (stop) and a take-profit (limit) child for the filled quantity
 *   become active from the NEXT bar (we cannot know the order of prices inside the entry bar). They are
 *   one-cancels-other. When both could trigger in one bar, the stop-loss is assumed to have come first
 *   (the conservative choice). When the position goes flat by another order, the children are cancelled.
 * - Time in force 'day': an order not filled on its first eligible bar expires.
 * - Buys must be paid for in cash (no margin) unless cashCheck is off; shorts are refused unless allowShort.
 */
import { Decimal, ZERO, dec, priceOf } from '../../core/money.js';
import type { Bar } from '../../core/bars.js';
import type { Fill, Order, OrderRequest, OrderStatus, Side } from '../../core/orders.js';
import type { SubmitResult } from '../broker.js';
import type { Portfolio, ClosedTrade } from '../../portfolio/portfolio.js';
import { Commission, slip, type CommissionSpec } from './costs.js';

export type FillAt = 'next_open' | 'close';

export interface SimOptions {
  readonly fillAt?: FillAt;
  readonly commission?: CommissionSpec | Commission;
  readonly slippageBps?: number;
  readonly allowShort?: boolean;
  /** Refuse buys that cost more than the cash on hand (default true). */
  readonly cashCheck?: boolean;
  /** Prefix of generated order and fill ids. */
  readonly idPrefix?: string;
}

export interface SubmitExtras {
  /**
   * Size a buy at the fill: the largest whole quantity whose cost plus fee fits in cash x fraction at the fill
   * price (the `--size all` of the CLI). The request's qty is then only an estimate.
   */
  readonly allInFraction?: number;
}

interface SimOrder {
  readonly id: string;
  req: OrderRequest;
  readonly slot: number;
  status: OrderStatus;
  filledQty: Decimal;
  avgFillPrice: Decimal | null;
  readonly submittedAt: number;
  updatedAt: number;
  rejectReason?: string;
  readonly parentId?: string;
  /** Eligible only on bars with time > activeAfter. */
  activeAfter: number;
  triggered: boolean;
  readonly limitF: number;
  readonly stopF: number;
  readonly allIn?: number;
  oco?: SimOrder;
}

export interface SubmitRejection {
  readonly ok: false;
  readonly reason: string;
  readonly code: 'rejected' | 'insufficient_funds' | 'invalid' | 'duplicate';
}
export type QuickSubmitResult = { readonly ok: true; readonly id: string } | SubmitRejection;

const NO_FILLS: readonly Fill[] = Object.freeze([]);

export class SimExecution {
  readonly fillAt: FillAt;
  readonly commission: Commission;
  readonly slippageBps: number;
  readonly allowShort: boolean;
  readonly cashCheck: boolean;
  private readonly prefix: string;
  private readonly bySlot: SimOrder[][] = [];
  private readonly byId = new Map<string, SimOrder>();
  private readonly byClientId = new Map<string, SimOrder>();
  private readonly lastClose: number[] = [];
  private readonly lastTime: number[] = [];
  private orderSeq = 0;
  private fillSeq = 0;
  private openTotal = 0;
  readonly fills: Fill[] = [];
  /** Trades closed by fills, in order (the portfolio keeps them too). */
  readonly closedTrades: ClosedTrade[] = [];
  /** Orders rejected or expired at fill time (submit-time rejections are returned from submit). */
  readonly lateRejections: Order[] = [];

  constructor(
    readonly portfolio: Portfolio,
    opts: SimOptions = {},
  ) {
    this.fillAt = opts.fillAt ?? 'next_open';
    this.commission = opts.commission instanceof Commission ? opts.commission : new Commission(opts.commission);
    this.slippageBps = opts.slippageBps ?? 0;
    if (!(Number.isFinite(this.slippageBps) && this.slippageBps >= 0)) throw new Error(`slippageBps must be >= 0, got ${this.slippageBps}`);
    this.allowShort = opts.allowShort ?? false;
    this.cashCheck = opts.cashCheck ?? true;
    this.prefix = opts.idPrefix ?? 'sim-';
  }

  /** Number of open orders (all symbols). */
  get openCount(): number {
    return this.openTotal;
  }

  hasOpenOrders(slot: number): boolean {
    const l = this.bySlot[slot];
    return l !== undefined && l.length > 0;
  }

  submit(req: OrderRequest, now: number, extras: SubmitExtras = {}): SubmitResult {
    const r = this.submitQuick(req, now, extras);
    // `in` narrowing: tslab compiles without strictNullChecks, where `ok: true/false` does not narrow.
    return 'id' in r ? { ok: true, order: toOrder(this.byId.get(r.id)!) } : r;
  }

  /** submit() without building the Order snapshot: the backtest's form. */
  submitQuick(req: OrderRequest, now: number, extras: SubmitExtras = {}): QuickSubmitResult {
    if (this.byClientId.has(req.clientOrderId)) {
      return { ok: false, code: 'duplicate', reason: `clientOrderId ${req.clientOrderId} was already submitted` };
    }
    const invalid = this.validate(req, extras);
    if (invalid) return { ok: false, code: 'invalid', reason: invalid };
    const slot = this.portfolio.slotOf(req.symbol);
    if (!this.allowShort && req.side === 'sell') {
      const pos = this.portfolio.qty(req.symbol);
      const pendingSells = this.pendingQty(slot, 'sell');
      if (req.qty.plus(pendingSells).gt(pos)) {
        return {
          ok: false,
          code: 'rejected',
          reason: `short selling is disabled: sell ${req.qty} ${req.symbol} with ${pendingSells} already pending exceeds the position ${pos}`,
        };
      }
    }
    const o = this.newOrder(req, slot, now, undefined, extras.allInFraction);
    if (this.fillAt === 'close' && req.type === 'market' && this.lastTime[slot] !== undefined) {
      this.tryFill(o, barPrice(this.lastClose[slot]), this.lastTime[slot]);
    }
    return { ok: true, id: o.id };
  }

  cancel(orderId: string): boolean {
    const o = this.byId.get(orderId);
    if (!o || !isOpen(o.status)) return false;
    this.close(o, 'canceled', o.updatedAt);
    return true;
  }

  order(orderId: string): Order | null {
    const o = this.byId.get(orderId);
    return o ? toOrder(o) : null;
  }
  orderByClientId(clientOrderId: string): Order | null {
    const o = this.byClientId.get(clientOrderId);
    return o ? toOrder(o) : null;
  }
  openOrders(): Order[] {
    const out: Order[] = [];
    for (const l of this.bySlot) if (l) for (const o of l) if (isOpen(o.status)) out.push(toOrder(o));
    return out;
  }
  /** Signed quantity still to fill on open non-child orders of a symbol (what the strategy's targets must net out). */
  pendingSigned(symbol: string): number {
    const l = this.bySlot[this.portfolio.slotOf(symbol)];
    if (!l) return 0;
    let q = 0;
    for (const o of l) {
      if (!isOpen(o.status) || o.parentId) continue;
      const rest = o.req.qty.minus(o.filledQty).toNumber();
      q += o.req.side === 'buy' ? rest : -rest;
    }
    return q;
  }

  /** Feed a bar for a symbol (the paper broker's entry point). */
  onBarOf(symbol: string, bar: Bar): readonly Fill[] {
    return this.onBar(this.portfolio.slotOf(symbol), bar.time, bar.open, bar.high, bar.low, bar.close);
  }

  /** Process open orders of one slot against its new bar; the hot-path form (no allocation when nothing fills). */
  onBar(slot: number, time: number, open: number, high: number, low: number, close: number): readonly Fill[] {
    this.lastClose[slot] = close;
    this.lastTime[slot] = time;
    const list = this.bySlot[slot];
    if (list === undefined || list.length === 0) return NO_FILLS;
    const before = this.fills.length;
    let dirty = false;
    // Children created during this loop have activeAfter = time and are skipped.
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      if (!isOpen(o.status)) {
        dirty = true;
        continue;
      }
      if (time <= o.activeAfter) continue;
      const px = this.fillPrice(o, open, high, low, time);
      if (px !== null) this.tryFill(o, px, time);
      else if (o.req.timeInForce === 'day' && !o.triggered) {
        this.close(o, 'expired', time);
        this.lateRejections.push(toOrder(o));
      }
      if (!isOpen(o.status)) dirty = true;
    }
    if (dirty) this.bySlot[slot] = list.filter((o) => isOpen(o.status));
    return this.fills.length === before ? NO_FILLS : this.fills.slice(before);
  }

  fillsSince(sinceMs: number): Fill[] {
    return this.fills.filter((f) => f.time >= sinceMs);
  }

  // ---- internals ----

  private validate(req: OrderRequest, extras: SubmitExtras): string | null {
    if (!req.symbol) return 'symbol is empty';
    if (!isPos(req.qty)) return `qty ${req.qty} must be > 0`;
    const needLimit = req.type === 'limit' || req.type === 'stop_limit';
    const needStop = req.type === 'stop' || req.type === 'stop_limit';
    if (needLimit && !(req.limitPrice && isPos(req.limitPrice))) return `${req.type} order needs limitPrice > 0`;
    if (needStop && !(req.stopPrice && isPos(req.stopPrice))) return `${req.type} order needs stopPrice > 0`;
    if (extras.allInFraction !== undefined && !(extras.allInFraction > 0 && extras.allInFraction <= 1 && req.side === 'buy')) {
      return `allInFraction ${extras.allInFraction} must be in (0, 1] and only on buys`;
    }
    const b = req.bracket;
    if (b) {
      const long = req.side === 'buy';
      if (b.stopLoss && !isPos(b.stopLoss)) return `bracket.stopLoss ${b.stopLoss} must be > 0`;
      if (b.takeProfit && !isPos(b.takeProfit)) return `bracket.takeProfit ${b.takeProfit} must be > 0`;
      if (b.stopLoss && b.takeProfit && (long ? !b.stopLoss.lt(b.takeProfit) : !b.stopLoss.gt(b.takeProfit))) {
        return `bracket stopLoss ${b.stopLoss} must be ${long ? 'below' : 'above'} takeProfit ${b.takeProfit} for a ${long ? 'long' : 'short'} entry`;
      }
    }
    return null;
  }

  private pendingQty(slot: number, side: Side): Decimal {
    let q = ZERO;
    const l = this.bySlot[slot];
    if (l) for (const o of l) if (isOpen(o.status) && !o.parentId && o.req.side === side) q = q.plus(o.req.qty.minus(o.filledQty));
    return q;
  }

  private newOrder(req: OrderRequest, slot: number, now: number, parentId?: string, allIn?: number): SimOrder {
    const o: SimOrder = {
      id: `${this.prefix}o${++this.orderSeq}`,
      req,
      slot,
      status: 'accepted',
      filledQty: ZERO,
      avgFillPrice: null,
      submittedAt: now,
      updatedAt: now,
      parentId,
      activeAfter: this.lastTime[slot] ?? -Infinity,
      triggered: false,
      limitF: req.limitPrice ? req.limitPrice.toNumber() : NaN,
      stopF: req.stopPrice ? req.stopPrice.toNumber() : NaN,
      allIn,
    };
    this.byId.set(o.id, o);
    this.byClientId.set(req.clientOrderId, o);
    (this.bySlot[slot] ??= []).push(o);
    this.openTotal++;
    return o;
  }

  /** The price this order fills at on this bar, or null. Stop-limits may change state (triggered). */
  private fillPrice(o: SimOrder, open: number, high: number, low: number, time: number): Decimal | null {
    const buy = o.req.side === 'buy';
    switch (o.req.type) {
      case 'market':
        return slip(barPrice(open), o.req.side, this.slippageBps);
      case 'limit':
        return limitPrice(o, buy, open, high, low);
      case 'stop': {
        const s = o.stopF;
        if (buy ? open >= s : open <= s) return slip(barPrice(open), o.req.side, this.slippageBps);
        if (buy ? high >= s : low <= s) return slip(o.req.stopPrice!, o.req.side, this.slippageBps);
        return null;
      }
      case 'stop_limit': {
        if (o.triggered) return limitPrice(o, buy, open, high, low);
        const s = o.stopF;
        let trig: number;
        if (buy ? open >= s : open <= s) trig = open;
        else if (buy ? high >= s : low <= s) trig = s;
        else return null;
        o.triggered = true;
        o.updatedAt = time;
        if (buy ? trig <= o.limitF : trig >= o.limitF) return trig === open ? barPrice(open) : o.req.stopPrice!;
        o.activeAfter = time; // rests as a limit from the next bar
        return null;
      }
    }
  }

  private tryFill(o: SimOrder, price: Decimal, time: number): void {
    const pf = this.portfolio;
    const req = o.req;
    let qty = o.filledQty.isZero() ? req.qty : req.qty.minus(o.filledQty);
    let fee: Decimal;
    if (o.allIn !== undefined) {
      const budget = o.allIn === 1 ? pf.cash : pf.cash.times(o.allIn);
      // Float estimate, then made exact: the largest whole qty with qty x price (+ fee) <= budget.
      qty = dec(Math.max(Math.floor(budget.toNumber() / price.toNumber()), 0));
      const left = budget.minus(qty.times(price));
      if (left.isNegative()) qty = qty.minus(1);
      else if (left.gte(price)) qty = qty.plus(1);
      fee = this.commission.fee(qty, price);
      if (!fee.isZero()) {
        while (isPos(qty) && qty.times(price).plus(fee).gt(budget)) {
          qty = qty.minus(1);
          fee = this.commission.fee(qty, price);
        }
      }
      if (!isPos(qty)) return this.reject(o, time, `insufficient cash ${pf.cash} for one share at ${price}`);
    } else {
      const pos = pf.qty(req.symbol);
      if (req.side === 'sell' && !this.allowShort && qty.gt(pos)) {
        if (o.parentId && isPos(pos)) qty = pos; // a child exit never opens a short
        else return this.reject(o, time, `short selling is disabled: sell ${qty} ${req.symbol} exceeds the position ${pos}`);
      }
      fee = this.commission.fee(qty, price);
      if (req.side === 'buy' && this.cashCheck && !pos.isNegative()) {
        const cost = qty.times(price).plus(fee);
        if (cost.gt(pf.cash)) return this.reject(o, time, `insufficient cash: buy ${qty} ${req.symbol} at ${price} costs ${cost}, cash is ${pf.cash}`);
      }
    }
    const fill: Fill = {
      id: `${this.prefix}f${++this.fillSeq}`,
      orderId: o.id,
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      qty,
      price,
      fee,
      time,
    };
    const trade = pf.applyFill(fill);
    if (trade) this.closedTrades.push(trade);
    this.fills.push(fill);
    o.avgFillPrice = price;
    o.filledQty = o.filledQty.isZero() ? qty : o.filledQty.plus(qty);
    if (o.allIn !== undefined) o.req = { ...req, qty };
    this.close(o, 'filled', time);
    if (o.oco && isOpen(o.oco.status)) this.close(o.oco, 'canceled', time);
    if (req.bracket) this.attachBracket(o, qty, price, time);
    if (pf.qty(req.symbol).isZero()) this.cancelChildren(o.slot, time);
  }

  private attachBracket(parent: SimOrder, qty: Decimal, fillPrice: Decimal, time: number): void {
    const given = parent.req.bracket!;
    // Levels computed from a reference price move with the fill: same distance from the actual entry price.
    const reprice = (level: Decimal | undefined): Decimal | undefined =>
      level && given.reference && given.reference.gt(0) ? level.times(fillPrice).div(given.reference).toDecimalPlaces(Math.max(level.decimalPlaces(), 4)) : level;
    const b = { stopLoss: reprice(given.stopLoss), takeProfit: reprice(given.takeProfit) };
    const exitSide: Side = parent.req.side === 'buy' ? 'sell' : 'buy';
    const base = { symbol: parent.req.symbol, side: exitSide, qty, timeInForce: 'gtc' as const, tag: parent.req.tag };
    let sl: SimOrder | undefined;
    let tp: SimOrder | undefined;
    // Stop-loss first: when both could trigger in one bar, the loop meets it first (conservative).
    if (b.stopLoss) {
      sl = this.newOrder({ ...base, clientOrderId: `${parent.req.clientOrderId}-sl`, type: 'stop', stopPrice: b.stopLoss }, parent.slot, time, parent.id);
    }
    if (b.takeProfit) {
      tp = this.newOrder({ ...base, clientOrderId: `${parent.req.clientOrderId}-tp`, type: 'limit', limitPrice: b.takeProfit }, parent.slot, time, parent.id);
    }
    for (const c of [sl, tp]) if (c) c.activeAfter = time;
    if (sl && tp) {
      sl.oco = tp;
      tp.oco = sl;
    }
  }

  private cancelChildren(slot: number, time: number): void {
    const l = this.bySlot[slot];
    if (l) for (const o of l) if (o.parentId && isOpen(o.status)) this.close(o, 'canceled', time);
  }

  private reject(o: SimOrder, time: number, reason: string): void {
    o.rejectReason = reason;
    this.close(o, 'rejected', time);
    this.lateRejections.push(toOrder(o));
  }

  private close(o: SimOrder, status: OrderStatus, time: number): void {
    if (isOpen(o.status)) this.openTotal--;
    o.status = status;
    o.updatedAt = time;
  }
}

function limitPrice(o: SimOrder, buy: boolean, open: number, high: number, low: number): Decimal | null {
  const l = o.limitF;
  if (buy ? open <= l : open >= l) return barPrice(open);
  if (buy ? low <= l : high >= l) return o.req.limitPrice!;
  return null;
}

/** A finite decimal > 0, without allocating (gt(0) would parse a 0). */
function isPos(d: Decimal): boolean {
  return d.isFinite() && d.isPositive() && !d.isZero();
}

/**
 * A bar's float price as an exact decimal on a 6-decimal grid (as core's priceOf), built from the scaled integer
 * so no decimal rounding runs per fill. Ties round half up in the float domain: deterministic either way.
 */
function barPrice(x: number): Decimal {
  const k = Math.round(x * 1e6);
  if (!Number.isSafeInteger(k) || k < 0) return priceOf(x);
  const digits = String(k).padStart(7, '0');
  return new Decimal(`${digits.slice(0, -6)}.${digits.slice(-6)}`);
}

function isOpen(s: OrderStatus): boolean {
  return s === 'accepted' || s === 'new' || s === 'partially_filled';
}

function toOrder(o: SimOrder): Order {
  return {
    ...o.req,
    id: o.id,
    status: o.status,
    filledQty: o.filledQty,
    avgFillPrice: o.avgFillPrice,
    submittedAt: o.submittedAt,
    updatedAt: o.updatedAt,
    ...(o.rejectReason ? { rejectReason: o.rejectReason } : {}),
    ...(o.parentId ? { parentId: o.parentId } : {}),
  };
}

