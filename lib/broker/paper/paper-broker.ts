/**
 * The paper broker: the backtest's simulated broker (SimBroker, same fill model, same code) fed by live or
 * replayed bars, made durable by an event log. Each input is appended to the log before it is applied, and
 * a new PaperBroker over an existing log replays it, so after a crash it comes back with the same orders,
 * fills, ids and cash as before: a stand-in for a remote broker that outlives the runner.
 */
import type { Bar } from '../../core/bars.js';
import type { Clock } from '../../core/clock.js';
import { dec, type DecimalLike } from '../../core/money.js';
import type { AccountSnapshot, Fill, Order, OrderRequest, PositionSnapshot } from '../../core/orders.js';
import { Portfolio } from '../../portfolio/portfolio.js';
import type { Broker, SubmitResult } from '../broker.js';
import { SimBroker, type SimOptions } from '../sim/index.js';
import type { PaperEvent, PaperEventLog, SerializedRequest } from './event-log.js';

class SettableClock implements Clock {
  t = 0;
  nowMs(): number {
    return this.t;
  }
}

function serializeRequest(r: OrderRequest): SerializedRequest {
  return {
    clientOrderId: r.clientOrderId,
    symbol: r.symbol,
    side: r.side,
    qty: r.qty.toString(),
    type: r.type,
    ...(r.limitPrice ? { limitPrice: r.limitPrice.toString() } : {}),
    ...(r.stopPrice ? { stopPrice: r.stopPrice.toString() } : {}),
    timeInForce: r.timeInForce,
    ...(r.bracket?.takeProfit ? { takeProfit: r.bracket.takeProfit.toString() } : {}),
    ...(r.bracket?.stopLoss ? { stopLoss: r.bracket.stopLoss.toString() } : {}),
    ...(r.bracket?.reference ? { bracketReference: r.bracket.reference.toString() } : {}),
    ...(r.tag !== undefined ? { tag: r.tag } : {}),
  };
}

function deserializeRequest(s: SerializedRequest): OrderRequest {
  const bracket =
    s.takeProfit || s.stopLoss
      ? { ...(s.takeProfit ? { takeProfit: dec(s.takeProfit) } : {}), ...(s.stopLoss ? { stopLoss: dec(s.stopLoss) } : {}), ...(s.bracketReference ? { reference: dec(s.bracketReference) } : {}) }
      : undefined;
  return {
    clientOrderId: s.clientOrderId,
    symbol: s.symbol,
    side: s.side,
    qty: dec(s.qty),
    type: s.type,
    ...(s.limitPrice ? { limitPrice: dec(s.limitPrice) } : {}),
    ...(s.stopPrice ? { stopPrice: dec(s.stopPrice) } : {}),
    timeInForce: s.timeInForce,
    ...(bracket ? { bracket } : {}),
    ...(s.tag !== undefined ? { tag: s.tag } : {}),
  };
}

export interface PaperBrokerOptions extends SimOptions {
  readonly initialCash: DecimalLike;
  readonly symbols?: readonly string[];
}

export class PaperBroker implements Broker {
  readonly name = 'paper';
  private readonly clock = new SettableClock();
  private readonly sim: SimBroker;
  private readonly lastBar = new Map<string, number>();

  constructor(
    private readonly log: PaperEventLog,
    private readonly outerClock: Clock,
    opts: PaperBrokerOptions,
  ) {
    this.sim = new SimBroker(new Portfolio(opts.initialCash, opts.symbols ?? []), this.clock, { idPrefix: 'paper-', ...opts });
    for (const e of log.load()) this.apply(e);
  }

  private apply(e: PaperEvent): SubmitResult | readonly Fill[] | void {
    switch (e.kind) {
      case 'submit':
        this.clock.t = e.at;
        return this.sim.execution.submit(deserializeRequest(e.req), e.at);
      case 'cancel':
        this.clock.t = e.at;
        this.sim.execution.cancel(e.orderId);
        return;
      case 'bar':
        this.lastBar.set(e.symbol, e.bar.time);
        return this.sim.onBar(e.symbol, e.bar);
    }
  }

  /** Feed a bar. Bars at or before the last one seen for the symbol are ignored (safe to re-feed after a restart). */
  onBar(symbol: string, bar: Bar): readonly Fill[] {
    const last = this.lastBar.get(symbol);
    if (last !== undefined && bar.time <= last) return [];
    const e: PaperEvent = { kind: 'bar', symbol, bar: { time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume } };
    this.log.append(e);
    return this.apply(e) as readonly Fill[];
  }

  /** Feed the bars of one time step for several symbols with one durable write; returns all fills, in order. */
  onBars(bars: ReadonlyArray<{ readonly symbol: string; readonly bar: Bar }>): Fill[] {
    const events: PaperEvent[] = [];
    for (const { symbol, bar } of bars) {
      const last = this.lastBar.get(symbol);
      if (last !== undefined && bar.time <= last) continue;
      events.push({ kind: 'bar', symbol, bar: { time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume } });
    }
    if (events.length === 0) return [];
    this.log.appendAll(events);
    const out: Fill[] = [];
    for (const e of events) out.push(...(this.apply(e) as readonly Fill[]));
    return out;
  }

  lastBarTime(symbol: string): number | null {
    return this.lastBar.get(symbol) ?? null;
  }

  async submit(req: OrderRequest): Promise<SubmitResult> {
    const existing = this.sim.execution.orderByClientId(req.clientOrderId);
    if (existing) return { ok: false, code: 'duplicate', reason: `client order id ${req.clientOrderId} must be unique` };
    const e: PaperEvent = { kind: 'submit', at: this.outerClock.nowMs(), req: serializeRequest(req) };
    this.log.append(e);
    return this.apply(e) as SubmitResult;
  }

  async cancel(orderId: string): Promise<void> {
    const o = this.sim.execution.order(orderId);
    if (!o || !['new', 'accepted', 'partially_filled'].includes(o.status)) return;
    const e: PaperEvent = { kind: 'cancel', at: this.outerClock.nowMs(), orderId };
    this.log.append(e);
    this.apply(e);
  }

  account(): Promise<AccountSnapshot> {
    return this.sim.account();
  }
  positions(): Promise<PositionSnapshot[]> {
    return this.sim.positions();
  }
  openOrders(): Promise<Order[]> {
    return this.sim.openOrders();
  }
  orderByClientId(clientOrderId: string): Promise<Order | null> {
    return this.sim.orderByClientId(clientOrderId);
  }
  async order(orderId: string): Promise<Order | null> {
    return this.sim.execution.order(orderId);
  }
  fills(sinceMs: number): Promise<Fill[]> {
    return this.sim.fills(sinceMs);
  }
  close(): void {
    this.log.close();
  }
}
