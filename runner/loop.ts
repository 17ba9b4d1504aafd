/**
 * The trading loop: per bar time, feed the paper broker, sync fills and order states from the broker into
 * the journal, mark equity, ask the strategy, pass its intents through the engine's plan (sizing + the same
 * risk gate as the backtest), journal the orders, then submit them. The order of effects makes every crash
 * point recoverable:
 *
 *   decide -> journal orders as pending_submit + mark bar decided (one transaction)
 *   submit -> the broker may now hold the order; the journal is updated after
 *   restart -> pending orders are looked up by client order id before anything is sent again,
 *              fills are re-read from the broker and inserted by fill id (exactly once),
 *              a bar already decided is never decided again.
 *
 * The state the strategy and gate need (portfolio, day-start equity, indicator state) is rebuilt from the
 * journal and the bars on start, so a restarted loop makes the decisions an uninterrupted one would.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isoTime, type BarSeries } from '../lib/core/bars.js';
import type { Clock } from '../lib/core/clock.js';
import { dec, type Decimal } from '../lib/core/money.js';
import type { Fill, Order, OrderRequest } from '../lib/core/orders.js';
import type { Broker } from '../lib/broker/broker.js';
import type { PaperBroker } from '../lib/broker/paper/index.js';
import type { Engine } from '../lib/engine/index.js';
import { Portfolio } from '../lib/portfolio/index.js';
import type { Intent, StrategyContext } from '../lib/strategy/index.js';
import type { JournalOrder, KillKind, Store } from './store.js';

export interface LoopLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: LoopLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface LoopOptions {
  readonly store: Store;
  readonly broker: Broker;
  /** Set when the broker is the paper broker: it is fed the bars. */
  readonly paper?: PaperBroker;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly symbols: readonly string[];
  readonly initialCash: Decimal;
  readonly logger?: LoopLogger;
  /** Engage the kill switch when the gate's daily loss limit trips (default true). */
  readonly killOnDailyLoss?: boolean;
  /** Test hook: called at named points inside a step (the crash test kills the process there). */
  readonly onPoint?: (point: string, time: number) => void;
}

/** A deterministic client order id: the same decision after a restart gets the same id. */
export function clientOrderId(strategy: string, symbol: string, time: number, intent: Intent, leg: number): string {
  const kind = intent.kind === 'signal' ? intent.direction : intent.kind;
  const raw = `${strategy}:${symbol}:${isoTime(time)}:${kind}:${leg}`;
  return raw.replace(/[^A-Za-z0-9:._-]/g, '_').slice(0, 120);
}

const OPEN = new Set(['new', 'accepted', 'partially_filled', 'pending_submit']);

/** A promise chain: steps, manual orders and kill/resume never interleave. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class TradingLoop {
  readonly events = new EventEmitter();
  readonly store: Store;
  readonly broker: Broker;
  readonly engine: Engine;
  readonly portfolio: Portfolio;
  readonly symbols: readonly string[];
  readonly marks: Float64Array;
  readonly mutex = new Mutex();
  private readonly log: LoopLogger;
  private readonly index: Int32Array;
  private readonly updated: Uint8Array;
  private series: BarSeries[];
  private lastTime: number | null = null;
  private stepsDone = 0;

  constructor(private readonly o: LoopOptions) {
    this.store = o.store;
    this.broker = o.broker;
    this.engine = o.engine;
    this.symbols = o.symbols;
    this.log = o.logger ?? silentLogger;
    this.portfolio = o.engine.portfolio;
    if (this.portfolio.fees.gt(0) || !this.portfolio.cash.eq(o.initialCash)) throw new Error('TradingLoop needs a fresh Portfolio (it is rebuilt from the journal)');
    this.symbols.forEach((s, i) => {
      if (this.portfolio.slotOf(s) !== i) throw new Error(`portfolio slot of ${s} is not ${i}: build the Portfolio with the loop's symbols`);
    });
    this.marks = new Float64Array(o.symbols.length);
    this.index = new Int32Array(o.symbols.length).fill(-1);
    this.updated = new Uint8Array(o.symbols.length);
    this.series = [];
    this.events.setMaxListeners(1000);
  }

  get lastBarTime(): number | null {
    return this.lastTime;
  }
  get barsProcessed(): number {
    return this.stepsDone;
  }
  get currentSeries(): readonly BarSeries[] {
    return this.series;
  }

  private point(name: string, time: number): void {
    this.o.onPoint?.(name, time);
  }

  /**
   * Rebuild in-memory state from the journal and reconcile with the broker. `series` must hold at least
   * the bars up to the last processed time (more is fine: they are not read).
   */
  async recover(series: readonly BarSeries[]): Promise<void> {
    this.setSeries(series);
    this.store.initCash(this.o.initialCash);
    const initial = this.store.initialCash();
    if (!initial.eq(this.o.initialCash)) {
      this.log.warn({ journal: initial.toString(), config: this.o.initialCash.toString() }, 'initial cash in the journal differs from the config; the journal wins');
    }
    for (const f of this.store.fills()) if (this.symbols.includes(f.symbol)) this.portfolio.applyFill(journalToFill(f));
    const last = this.store.lastProcessedTime();
    // Replay history through the strategy and the gate: indicator state and the day's reference equity.
    if (last !== null) {
      const eq = new Map(this.store.gateEquityHistory().map((p) => [p.time, p.gateEquity]));
      for (const t of this.timeline()) {
        if (t > last) break;
        this.advanceCursor(t);
        const e = eq.get(t);
        if (e !== undefined) this.engine.gate.onBar(t, e);
        this.engine.strategy.onBar(this.context(t));
      }
      this.lastTime = last;
      this.stepsDone = eq.size;
    }
    await this.reconcile();
  }

  /** Bring the journal in line with the broker: unsent orders, order states, missed fills, positions. */
  async reconcile(): Promise<void> {
    await this.submitPending();
    await this.syncOrders();
    await this.syncFills();
    const all = await this.broker.positions();
    const foreign = all.filter((p) => !this.symbols.includes(p.symbol));
    if (foreign.length > 0) this.log.warn({ positions: foreign.map((p) => `${p.symbol} ${p.qty}`) }, 'the account holds symbols this runner does not trade; leaving them alone');
    const theirs = new Map(all.filter((p) => this.symbols.includes(p.symbol)).map((p) => [p.symbol, p.qty.toString()]));
    const ours = new Map(this.portfolio.positions().map((p) => [p.symbol, p.qty.toString()]));
    const mismatches: string[] = [];
    for (const s of new Set([...theirs.keys(), ...ours.keys()])) {
      if ((theirs.get(s) ?? '0') !== (ours.get(s) ?? '0')) mismatches.push(`${s}: broker ${theirs.get(s) ?? '0'}, journal ${ours.get(s) ?? '0'}`);
    }
    if (mismatches.length > 0) {
      this.log.error({ mismatches }, 'positions differ between broker and journal: kill switch engaged until checked');
      this.setKill(true, `position mismatch after reconciliation: ${mismatches.join('; ')}`, 'reconcile');
    } else {
      this.log.info({ positions: Object.fromEntries(ours), openOrders: this.store.openOrders().length }, 'reconciled with broker');
    }
  }

  setSeries(series: readonly BarSeries[]): void {
    const bySym = new Map(series.map((s) => [s.symbol, s]));
    this.series = this.symbols.map((sym) => {
      const s = bySym.get(sym);
      if (!s) throw new Error(`no bars for ${sym}`);
      return s;
    });
    this.engine.strategy.init?.(this.series);
  }

  /** Every distinct bar time of the current series, ascending. */
  timeline(): number[] {
    const set = new Set<number>();
    for (const s of this.series) for (let i = 0; i < s.length; i++) set.add(s.time[i]);
    return [...set].sort((a, b) => a - b);
  }

  private advanceCursor(t: number): void {
    for (let s = 0; s < this.series.length; s++) {
      const ser = this.series[s];
      const j = this.index[s] + 1;
      if (j < ser.length && ser.time[j] === t) {
        this.index[s] = j;
        this.updated[s] = 1;
        this.marks[s] = ser.close[j];
      } else this.updated[s] = 0;
    }
  }

  private context(t: number): StrategyContext {
    return { time: t, series: this.series, index: this.index, updated: this.updated, portfolio: this.portfolio };
  }

  /** Process one bar time. Bars at or before the last processed time are skipped. */
  step(t: number): Promise<void> {
    return this.mutex.run(() => this.stepLocked(t));
  }

  private async stepLocked(t: number): Promise<void> {
    if (this.lastTime !== null && t <= this.lastTime) return;
    this.advanceCursor(t);
    // 1. Bars reach the paper broker (durable in its own log; re-feeding is ignored).
    if (this.o.paper) {
      const bars = [];
      for (let s = 0; s < this.series.length; s++) {
        if (this.updated[s] !== 1) continue;
        const ser = this.series[s];
        const j = this.index[s];
        bars.push({ symbol: ser.symbol, bar: { time: t, open: ser.open[j], high: ser.high[j], low: ser.low[j], close: ser.close[j], volume: ser.volume[j] } });
      }
      this.o.paper.onBars(bars);
    }
    this.point('after-feed', t);
    // 2. What happened at the broker: fills and order states.
    await this.syncFills();
    await this.syncOrders();
    this.point('after-sync', t);
    // 3. Mark to market; the gate learns the day's equity.
    const equity = this.portfolio.equityFloat(this.marks);
    this.engine.gate.onBar(t, equity);
    const ks = this.store.killSwitch();
    if (this.engine.gate.halted && (this.o.killOnDailyLoss ?? true) && !ks.active) {
      this.setKill(true, `daily loss limit ${(this.engine.gate.limits.maxDailyLoss * 100).toFixed(2)}% reached at ${isoTime(t)} (equity ${equity.toFixed(2)}); entries blocked for the day`, 'daily_loss');
    } else if (!this.engine.gate.halted && ks.active && ks.kind === 'daily_loss') {
      this.setKill(false, null);
    }
    // 4. Decide once per bar time. The strategy sees every bar even when the decision is already journaled
    // (a restart inside a step): its state must move exactly as in an uninterrupted run.
    const ctx = this.context(t);
    const intents = this.engine.strategy.onBar(ctx);
    // Nothing to decide leaves nothing to protect: a restart re-derives the same empty decision.
    if (intents.length > 0 && !this.store.decided(t)) {
      const k = this.store.killSwitch();
      // The daily-loss switch leaves exits to the gate (it blocks entries itself); the others stop trading.
      const killed = k.active && k.kind !== 'daily_loss';
      const planned = intents.length > 0 && !killed ? this.engine.plan(ctx, intents, { marks: this.marks, equity }, this.pendingView()) : [];
      const legs = new Map<string, number>();
      this.store.tx(() => {
        for (const it of intents) {
          const value = it.kind === 'signal' ? (it.direction === 'long' ? 1 : it.direction === 'short' ? -1 : 0) : it.kind === 'target_weight' ? it.weight : it.qty;
          this.store.recordSignal({ time: t, strategy: this.engine.strategy.name, symbol: it.symbol, value, detail: JSON.stringify({ kind: it.kind, reason: it.reason, confidence: it.confidence ?? null, model_version: it.modelVersion, blocked: killed || undefined }) });
        }
        for (const p of planned) {
          const leg = legs.get(p.request.symbol) ?? 0;
          legs.set(p.request.symbol, leg + 1);
          const req: OrderRequest = { ...p.request, clientOrderId: clientOrderId(this.engine.strategy.name, p.request.symbol, t, p.intent, leg) };
          this.store.insertPendingOrder(req, t, 'strategy', this.o.clock.nowMs());
        }
        this.store.markDecided(t);
      });
      for (const it of intents) this.emit('signal', { time: isoTime(t), symbol: it.symbol, intent: it, blocked: killed });
      if (killed && intents.length > 0) this.log.warn({ time: isoTime(t), intents: intents.length }, 'kill switch active: strategy intents recorded, not traded');
    }
    this.point('after-decide', t);
    // 5. Send what is journaled but not yet at the broker.
    await this.submitPending();
    this.point('after-submit', t);
    await this.syncFills(); // orders that fill at once (fill_at: close, a live market order) count in this bar's equity
    // 6. Close the step: equity and progress, together.
    const snap = this.portfolio.snapshot((sym) => this.marks[this.symbols.indexOf(sym)]);
    this.store.tx(() => {
      this.store.recordEquity(t, snap.cash, snap.equity, equity);
      for (let s = 0; s < this.series.length; s++) if (this.index[s] >= 0) this.store.setLastBar(this.symbols[s], t);
    });
    this.lastTime = t;
    this.stepsDone++;
    this.emit('status', { time: isoTime(t), equity: snap.equity.toString(), cash: snap.cash.toString() });
    this.point('after-step', t);
  }

  private pendingView(): { pendingSigned(symbol: string): number } {
    const pending = new Map<string, number>();
    for (const o of this.store.openOrders()) {
      const rest = dec(o.qty).minus(o.filledQty).toNumber();
      pending.set(o.symbol, (pending.get(o.symbol) ?? 0) + (o.side === 'buy' ? rest : -rest));
    }
    return { pendingSigned: (s) => pending.get(s) ?? 0 };
  }

  /** Submit every journaled order the broker has not acknowledged, looking each up first. */
  private async submitPending(): Promise<void> {
    for (const o of this.store.pendingSubmits()) {
      const existing = await this.broker.orderByClientId(o.clientOrderId);
      if (existing) {
        this.store.updateFromBroker(existing, this.o.clock.nowMs());
        this.log.info({ clientOrderId: o.clientOrderId, status: existing.status }, 'order already at the broker (recovered)');
        continue;
      }
      const req = journalToRequest(o);
      const r = await this.broker.submit(req);
      this.point('after-broker-submit', o.barTime ?? 0);
      if (r.ok) {
        this.store.updateFromBroker(r.order, this.o.clock.nowMs());
        this.log.info({ clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: o.qty, tag: o.tag }, 'order submitted');
        this.emit('order', this.store.order(o.clientOrderId));
      } else if (r.code === 'duplicate') {
        const again = await this.broker.orderByClientId(o.clientOrderId);
        if (again) this.store.updateFromBroker(again, this.o.clock.nowMs());
        else this.store.markRejected(o.clientOrderId, r.reason, this.o.clock.nowMs());
      } else {
        this.store.markRejected(o.clientOrderId, `${r.code}: ${r.reason}`, this.o.clock.nowMs());
        this.log.warn({ clientOrderId: o.clientOrderId, code: r.code, reason: r.reason }, 'order rejected by broker');
        this.emit('order', this.store.order(o.clientOrderId));
      }
    }
  }

  private async syncOrders(): Promise<void> {
    for (const o of this.store.openOrders()) {
      if (o.status === 'pending_submit') continue;
      const b = await this.broker.orderByClientId(o.clientOrderId);
      if (b && (b.status !== o.status || b.filledQty.toString() !== o.filledQty)) {
        this.store.updateFromBroker(b, this.o.clock.nowMs());
        this.emit('order', this.store.order(o.clientOrderId));
      }
    }
  }

  private async syncFills(): Promise<void> {
    const since = this.store.lastFillTime();
    for (const f of await this.broker.fills(since)) {
      if (this.store.applyFill(f)) {
        // Fills in symbols this runner does not trade (hand trades in the same account) stay in the journal only.
        if (this.symbols.includes(f.symbol)) this.portfolio.applyFill(f);
        this.log.info({ symbol: f.symbol, side: f.side, qty: f.qty.toString(), price: f.price.toString(), fee: f.fee.toString(), clientOrderId: f.clientOrderId }, 'fill');
        this.emit('fill', fillToJson(f));
      }
    }
  }

  // ---- control actions (serialized with steps) ----

  setKill(active: boolean, reason: string | null, kind: KillKind = 'manual'): void {
    this.store.setKillSwitch(active, reason, this.o.clock.nowMs(), kind);
    this.log.warn({ active, reason }, active ? 'kill switch engaged' : 'kill switch released');
    this.emit('status', { killSwitch: this.store.killSwitch() });
  }

  /**
   * Engage the kill switch and cancel the open orders the runner placed. Bracket exits (stop-loss and
   * take-profit children) stay: stopping new trading must not leave open positions unprotected.
   */
  kill(reason: string): Promise<void> {
    return this.mutex.run(async () => {
      this.setKill(true, reason);
      for (const o of await this.broker.openOrders()) {
        if (!o.parentId) await this.broker.cancel(o.id);
      }
      await this.syncOrders();
    });
  }

  resume(): Promise<void> {
    return this.mutex.run(async () => this.setKill(false, null));
  }

  /** A manual order through the same risk gate: journal, then submit, like the strategy's orders. */
  manualOrder(req: Omit<OrderRequest, 'clientOrderId'> & { clientOrderId?: string }): Promise<
    { ok: true; order: JournalOrder; reasons: string[] } | { ok: false; status: 403 | 409 | 422; error: string; reasons: string[] }
  > {
    return this.mutex.run(async () => {
      if (this.store.killSwitch().active && this.store.killSwitch().kind !== 'daily_loss') return { ok: false as const, status: 403 as const, error: `kill switch is active (${this.store.killSwitch().reason}); POST /api/resume first`, reasons: [] };
      const slot = this.symbols.indexOf(req.symbol);
      if (slot < 0) return { ok: false as const, status: 422 as const, error: `symbol ${req.symbol} is not traded by this runner (${this.symbols.join(', ')})`, reasons: [] };
      const price = this.marks[slot];
      if (!(price > 0)) return { ok: false as const, status: 422 as const, error: `no price for ${req.symbol} yet`, reasons: [] };
      const cid = req.clientOrderId ?? `manual:${req.symbol}:${randomBytes(6).toString('hex')}`;
      if (this.store.order(cid)) return { ok: false as const, status: 409 as const, error: `client order id ${cid} already exists`, reasons: [] };
      const pending = this.pendingView();
      const pos = this.portfolio.qtyAt(slot) + pending.pendingSigned(req.symbol);
      const delta = (req.side === 'buy' ? 1 : -1) * req.qty.toNumber();
      let gross = 0;
      for (let s = 0; s < this.symbols.length; s++) gross += Math.abs((this.portfolio.qtyAt(s) + pending.pendingSigned(this.symbols[s])) * this.marks[s]);
      const risk = this.engine.gate.check(
        { symbol: req.symbol, delta, price: req.limitPrice ? req.limitPrice.toNumber() : price },
        { equity: this.portfolio.equityFloat(this.marks), position: pos, grossExposure: gross, openPositions: this.portfolio.openPositionCount() },
      );
      const reasons = risk.reasons.map((r) => `${r.rule}: ${r.message}`);
      if (!risk.approved) return { ok: false as const, status: 403 as const, error: 'rejected by the risk gate', reasons };
      const full: OrderRequest = { ...req, clientOrderId: cid, qty: dec(Math.abs(risk.qty)), tag: req.tag ?? 'manual order via API' };
      this.store.insertPendingOrder(full, this.lastTime, 'manual', this.o.clock.nowMs());
      await this.submitPending();
      const o = this.store.order(cid)!;
      if (o.status === 'rejected') return { ok: false as const, status: 422 as const, error: o.rejectReason ?? 'rejected by broker', reasons };
      await this.syncFills();
      return { ok: true as const, order: this.store.order(cid)!, reasons };
    });
  }

  cancel(id: string): Promise<{ ok: true; order: JournalOrder } | { ok: false; status: 404 | 409; error: string }> {
    return this.mutex.run(async () => {
      const o = this.store.order(id) ?? this.store.orderByBrokerId(id);
      if (!o) return { ok: false as const, status: 404 as const, error: `no order ${id}` };
      if (!OPEN.has(o.status) || !o.brokerId) return { ok: false as const, status: 409 as const, error: `order ${id} is ${o.status}; only open orders can be canceled` };
      await this.broker.cancel(o.brokerId);
      await this.syncOrders();
      return { ok: true as const, order: this.store.order(o.clientOrderId)! };
    });
  }

  private emit(type: string, data: unknown): void {
    this.events.emit('event', { type, data });
  }
}

export function journalToRequest(o: JournalOrder): OrderRequest {
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    qty: dec(o.qty),
    type: o.type as OrderRequest['type'],
    ...(o.limitPrice ? { limitPrice: dec(o.limitPrice) } : {}),
    ...(o.stopPrice ? { stopPrice: dec(o.stopPrice) } : {}),
    timeInForce: o.timeInForce === 'day' ? 'day' : 'gtc',
    ...(o.bracket
      ? { bracket: { ...(o.bracket.takeProfit ? { takeProfit: dec(o.bracket.takeProfit) } : {}), ...(o.bracket.stopLoss ? { stopLoss: dec(o.bracket.stopLoss) } : {}), ...(o.bracket.reference ? { reference: dec(o.bracket.reference) } : {}) } }
      : {}),
    ...(o.tag ? { tag: o.tag } : {}),
  };
}

function journalToFill(f: { id: string; orderId: string; clientOrderId: string; symbol: string; side: 'buy' | 'sell'; qty: string; price: string; fee: string; time: number }): Fill {
  return { id: f.id, orderId: f.orderId, clientOrderId: f.clientOrderId, symbol: f.symbol, side: f.side, qty: dec(f.qty), price: dec(f.price), fee: dec(f.fee), time: f.time };
}

export function fillToJson(f: Fill): Record<string, unknown> {
  return { id: f.id, orderId: f.orderId, clientOrderId: f.clientOrderId, symbol: f.symbol, side: f.side, qty: f.qty.toString(), price: f.price.toString(), fee: f.fee.toString(), time: isoTime(f.time) };
}

export type { Order };
