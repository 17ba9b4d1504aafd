/**
 * The trading loop: per bar time, feed the paper broker, sync fills and order states from the broker into
 * the journal, mark equity, then take the engine's step (strategy -> sizing -> risk gate -> orders with
 * brackets, the same `decide()` the backtest runs), journal the orders and every risk decision, and submit.
 * A manual API order is one more intent through the same `plan()`. The order of effects makes every crash
 * point recoverable:
 *
 *   decide -> journal orders as pending_submit + risk decisions + mark bar decided (one transaction)
 *   submit -> the broker may now hold the order; the journal is updated after
 *   restart -> pending orders are looked up by client order id before anything is sent again,
 *              fills are re-read from the broker and inserted by fill id (exactly once),
 *              a bar already decided is never decided again.
 *
 * The portfolio is rebuilt from the journal's fills on start, and the strategy and gate state from the bars,
 * so a restarted loop makes the decisions an uninterrupted one would. In live mode bars that closed before
 * the first start (`trading_from`) only warm the strategy up: nothing is traded on history.
 */
import { EventEmitter } from 'node:events';
import { isoTime, type BarSeries } from '../lib/core/bars.js';
import type { Clock } from '../lib/core/clock.js';
import { dec, type Decimal } from '../lib/core/money.js';
import type { Fill, Order, OrderRequest } from '../lib/core/orders.js';
import { BrokerError, type Broker } from '../lib/broker/broker.js';
import type { PaperBroker } from '../lib/broker/paper/index.js';
import { clientOrderId, type Engine, type MarketState, type PlannedOrder, type RiskRecord } from '../lib/engine/index.js';
import { Portfolio } from '../lib/portfolio/index.js';
import type { Intent, OrderIntent, StrategyContext } from '../lib/strategy/index.js';
import { toOrderView, toRiskView } from './views.js';
import { OPEN_JOURNAL_STATUSES, type JournalOrder, type KillKind, type RiskDecisionRecord, type Store } from './store.js';

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
  /** While a kill switch (other than daily_loss) is on, orders that only reduce or close a position still go out (default true). */
  readonly killAllowsExits?: boolean;
  /** Test hook: called at named points inside a step (the crash test kills the process there). */
  readonly onPoint?: (point: string, time: number) => void;
}

export { clientOrderId };

const OPEN = new Set<string>(OPEN_JOURNAL_STATUSES);

/** A manual order (HTTP API) as an intent for the plan. */
export interface ManualOrderRequest {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly type: OrderIntent['type'];
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce: 'day' | 'gtc';
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  readonly clientOrderId?: string;
  /** Accept a quantity the risk gate shrinks (default: refuse and say what would be allowed). */
  readonly allowResize?: boolean;
  readonly reason?: string;
}

/** Domain outcomes; runner/api maps them to HTTP status codes in one place. */
export type Refusal =
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'not_found'; readonly message: string }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'kill_switch'; readonly message: string }
  | { readonly kind: 'risk'; readonly message: string; readonly maxQty: string; readonly rules: readonly string[] }
  | { readonly kind: 'broker_rejected'; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

export type LoopResult = { readonly ok: true; readonly orders: readonly JournalOrder[]; readonly rules: readonly string[] } | { readonly ok: false; readonly refusal: Refusal };

type SubmitOutcome = { kind: 'sent' | 'at_broker' } | { kind: 'rejected' | 'unavailable' | 'blocked'; message: string };

/** A promise chain: steps, manual orders and kill/resume never interleave. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** What an ML signal adds for the dashboard's Signals tab: the model's probability and the market regime. */
function signalExtras(it: Intent): Record<string, unknown> {
  const x = it as Intent & { probability?: unknown; regime?: unknown };
  return { ...(x.probability !== undefined ? { probability: x.probability } : {}), ...(x.regime !== undefined ? { regime: x.regime } : {}) };
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
  private tradingFrom: number | null = null;
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
    if (!initial.eq(this.o.initialCash)) throw new Error(`the journal started with cash ${initial.toString()}, the portfolio given has ${this.o.initialCash.toString()}: build it with the journal's initial cash`);
    // The one ledger: every fill ever recorded, oldest first.
    for (const f of this.store.fills()) if (this.symbols.includes(f.symbol)) this.portfolio.applyFill(journalToFill(f));
    const tf = this.store.getMeta('trading_from');
    this.tradingFrom = tf === null ? null : Number(tf);
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

  /**
   * Live start on an empty journal: bars before `time` warm the strategy up and are never traded. Recorded
   * in the journal, so a restart keeps the same boundary.
   */
  setTradingFrom(time: number): void {
    if (this.store.getMeta('trading_from') !== null) return;
    this.store.setMeta('trading_from', String(time));
    this.tradingFrom = time;
  }

  /**
   * Step the loaded bars that closed before `tradingFrom` (warm-up only: the strategy sees them, nothing is
   * traded). Returns the number of bars warmed.
   */
  async warmUp(): Promise<number> {
    const from = this.tradingFrom;
    if (from === null) return 0;
    let n = 0;
    for (const t of this.timeline()) {
      if (t >= from) break;
      if (this.lastTime !== null && t <= this.lastTime) continue;
      await this.step(t);
      n++;
    }
    return n;
  }

  /** Bar times before this are warm-up only (live mode's first start); null = trade every bar. */
  get tradingStartsAt(): number | null {
    return this.tradingFrom;
  }

  /** Bring the journal in line with the broker: unsent orders, order states, missed fills, positions. */
  async reconcile(): Promise<void> {
    await this.submitPending();
    // Fills before order states, as in a step: legs are journaled in the same order as an uninterrupted run.
    await this.syncFills();
    await this.syncOrders();
    const mismatches = await this.positionMismatches();
    if (mismatches.length > 0) {
      this.log.error({ mismatches }, 'positions differ between broker and journal: kill switch engaged until checked');
      this.setKill(true, `position mismatch after reconciliation: ${mismatches.join('; ')}`, 'reconcile');
    } else {
      this.log.info({ positions: Object.fromEntries(this.portfolio.positions().map((p) => [p.symbol, p.qty.toString()])), openOrders: this.store.openOrders().length }, 'reconciled with broker');
    }
  }

  private async positionMismatches(): Promise<string[]> {
    const all = await this.broker.positions();
    const foreign = all.filter((p) => !this.symbols.includes(p.symbol));
    if (foreign.length > 0) this.log.warn({ positions: foreign.map((p) => `${p.symbol} ${p.qty}`) }, 'the account holds symbols this runner does not trade; leaving them alone');
    const theirs = new Map(all.filter((p) => this.symbols.includes(p.symbol)).map((p) => [p.symbol, p.qty.toString()]));
    const ours = new Map(this.portfolio.positions().map((p) => [p.symbol, p.qty.toString()]));
    const mismatches: string[] = [];
    for (const s of new Set([...theirs.keys(), ...ours.keys()])) {
      if ((theirs.get(s) ?? '0') !== (ours.get(s) ?? '0')) mismatches.push(`${s}: broker ${theirs.get(s) ?? '0'}, journal ${ours.get(s) ?? '0'}`);
    }
    return mismatches;
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

  /** The kill switch that stops trading (daily_loss only blocks entries, through the gate). */
  private killedBy(): string | null {
    const k = this.store.killSwitch();
    return k.active && k.kind !== 'daily_loss' ? (k.reason ?? k.kind ?? 'kill switch') : null;
  }

  private async stepLocked(t: number): Promise<void> {
    if (this.lastTime !== null && t <= this.lastTime) return;
    this.advanceCursor(t);
    if (this.tradingFrom !== null && t < this.tradingFrom) {
      // Warm-up only: the strategy sees the bar, nothing reaches the broker or the journal's books.
      this.engine.strategy.onBar(this.context(t));
      this.store.tx(() => {
        for (let s = 0; s < this.series.length; s++) if (this.index[s] >= 0) this.store.setLastBar(this.symbols[s], t);
      });
      this.lastTime = t;
      return;
    }
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
    // 4. The engine's step. The strategy sees every bar even when the decision is already journaled (a
    // restart inside a step): its state must move exactly as in an uninterrupted run.
    const ctx = this.context(t);
    const d = this.engine.decide(ctx, { marks: this.marks, equity }, this.pendingView());
    // Nothing to decide leaves nothing to protect: a restart re-derives the same empty decision.
    if (d.intents.length > 0 && !this.store.decided(t)) {
      const killed = this.killedBy();
      const exitsOnly = killed !== null && (this.o.killAllowsExits ?? true);
      const orders = killed === null ? d.orders : exitsOnly ? d.orders.filter((p) => !p.entry) : [];
      const records: RiskDecisionRecord[] = [];
      this.store.tx(() => {
        for (const it of d.intents) {
          const value = it.kind === 'signal' ? (it.direction === 'long' ? 1 : it.direction === 'short' ? -1 : 0) : it.kind === 'target_weight' ? it.weight : it.qty;
          this.store.recordSignal({ time: t, strategy: this.engine.strategy.name, symbol: it.symbol, value, detail: JSON.stringify({ kind: it.kind, reason: it.reason, confidence: it.confidence ?? null, model_version: it.modelVersion, blocked: killed !== null || undefined, ...signalExtras(it) }) });
        }
        for (const r of d.decisions) {
          const sent = r.clientOrderIds.filter((id) => orders.some((p) => p.request.clientOrderId === id));
          records.push(this.store.recordRisk(riskRecord(r, killed !== null && sent.length < r.clientOrderIds.length ? 'blocked' : null, sent)));
        }
        for (const p of orders) this.store.insertPendingOrder(p.request, t, 'strategy', this.o.clock.nowMs());
        this.store.markDecided(t);
      });
      for (const it of d.intents) this.emit('signal', { time: isoTime(t), symbol: it.symbol, intent: it, blocked: killed !== null });
      for (const r of records) this.emit('risk', toRiskView(r));
      if (killed !== null) this.log.warn({ time: isoTime(t), intents: d.intents.length, exitsSent: orders.length }, exitsOnly ? 'kill switch active: only exits traded' : 'kill switch active: strategy intents recorded, not traded');
    }
    this.point('after-decide', t);
    // 5. Send what is journaled but not yet at the broker.
    await this.submitPending();
    this.point('after-submit', t);
    try {
      await this.syncFills(); // orders that fill at once (fill_at: close, a live market order) count in this bar's equity
    } catch (e) {
      // Rate-limited or unreachable now: the next step reads these fills (by id, exactly once).
      if (!(e instanceof BrokerError && e.retryable)) throw e;
      this.log.warn({ err: e.message }, 'could not read fills after submitting; the next step will');
    }
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
    // Bracket legs are exits that only act once the entry filled: they do not add exposure.
    for (const o of this.store.openOrders()) {
      if (o.parentId !== null && o.source === 'bracket') continue;
      const rest = dec(o.qty).minus(o.filledQty).toNumber();
      pending.set(o.symbol, (pending.get(o.symbol) ?? 0) + (o.side === 'buy' ? rest : -rest));
    }
    return { pendingSigned: (s) => pending.get(s) ?? 0 };
  }

  /** True when the order only reduces (or closes) the current position. */
  private reduces(symbol: string, side: 'buy' | 'sell', qty: number): boolean {
    const pos = this.portfolio.qtyAt(this.symbols.indexOf(symbol));
    return side === 'sell' ? pos > 0 && qty <= pos + 1e-9 : pos < 0 && qty <= -pos + 1e-9;
  }

  /** Submit every journaled order the broker has not acknowledged, looking each up first. */
  private async submitPending(): Promise<Map<string, SubmitOutcome>> {
    const out = new Map<string, SubmitOutcome>();
    for (const o of this.store.pendingSubmits()) {
      const r = await this.submitOne(o);
      out.set(o.clientOrderId, r);
      // Rate-limited or unreachable: the rest waits for the next step instead of stalling this one.
      if (r.kind === 'unavailable') break;
    }
    return out;
  }

  private async submitOne(o: JournalOrder): Promise<SubmitOutcome> {
    const now = () => this.o.clock.nowMs();
    try {
      const existing = await this.broker.orderByClientId(o.clientOrderId);
      if (existing) {
        this.store.updateFromBroker(existing, now());
        this.log.info({ clientOrderId: o.clientOrderId, status: existing.status }, 'order already at the broker (recovered)');
        return { kind: 'at_broker' };
      }
      const killed = this.killedBy();
      if (killed !== null && !((this.o.killAllowsExits ?? true) && this.reduces(o.symbol, o.side, Number(o.qty)))) {
        // Journaled before the switch went on (e.g. just before a crash): it must not go out now.
        const message = `not sent: kill switch active (${killed})`;
        this.store.markStatus(o.clientOrderId, 'canceled', message, now());
        this.log.warn({ clientOrderId: o.clientOrderId }, message);
        this.emit('order', this.orderEvent(o.clientOrderId));
        return { kind: 'blocked', message };
      }
      const r = await this.broker.submit(journalToRequest(o));
      this.point('after-broker-submit', o.barTime ?? 0);
      if (r.ok) {
        this.store.updateFromBroker(r.order, now());
        this.log.info({ clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: o.qty, tag: o.tag }, 'order submitted');
        this.emit('order', this.orderEvent(o.clientOrderId));
        return { kind: 'sent' };
      }
      if (r.code === 'duplicate') {
        const again = await this.broker.orderByClientId(o.clientOrderId);
        if (again) {
          this.store.updateFromBroker(again, now());
          return { kind: 'at_broker' };
        }
      }
      this.store.markRejected(o.clientOrderId, `${r.code}: ${r.reason}`, now());
      this.log.warn({ clientOrderId: o.clientOrderId, code: r.code, reason: r.reason }, 'order rejected by broker');
      this.emit('order', this.orderEvent(o.clientOrderId));
      return { kind: 'rejected', message: r.reason };
    } catch (e) {
      if (!(e instanceof BrokerError)) throw e;
      // The broker adapter already retried (and looked the order up after an ambiguous failure). Retryable:
      // the order stays pending_submit and is looked up and sent on the next step. Not retryable: rejected.
      if (e.retryable) {
        this.log.warn({ clientOrderId: o.clientOrderId, err: e.message }, 'broker unavailable: order left pending, retried on the next step');
        return { kind: 'unavailable', message: e.message };
      }
      this.store.markRejected(o.clientOrderId, e.message, now());
      this.emit('order', this.orderEvent(o.clientOrderId));
      return { kind: 'rejected', message: e.message };
    }
  }

  /**
   * Follow the broker's view of every open journal order; journal the bracket legs the broker created and
   * the replacements of replaced orders.
   */
  private async syncOrders(): Promise<void> {
    const now = this.o.clock.nowMs();
    for (const o of this.store.openOrders()) {
      if (o.status === 'pending_submit') continue;
      const b = await this.broker.orderByClientId(o.clientOrderId);
      if (!b) continue;
      if (b.status === 'unknown' && o.status !== 'unknown') this.log.warn({ clientOrderId: o.clientOrderId, status: b.rawStatus }, 'broker reports an unknown order status: kept as unknown, read again every step');
      if (b.status !== o.status || b.filledQty.toString() !== o.filledQty) {
        this.store.updateFromBroker(b, now);
        this.emit('order', this.orderEvent(o.clientOrderId));
      }
      if (b.status === 'replaced' && b.replacedBy) {
        const nb = await this.broker.order(b.replacedBy);
        if (nb && this.store.recordBrokerOrder(nb, o.source, o.clientOrderId, o.barTime, now)) {
          this.log.info({ replaced: o.clientOrderId, by: nb.clientOrderId }, 'order replaced: following the replacement');
          this.emit('order', this.orderEvent(nb.clientOrderId));
        }
      }
    }
    for (const b of await this.broker.openOrders()) if (b.parentId) this.journalLeg(b, now);
  }

  /** A bracket leg the broker holds: journal it under its parent so it can be listed and canceled. */
  private journalLeg(b: Order, now: number): void {
    if (this.store.order(b.clientOrderId)) return;
    const parent = b.parentId ? this.store.orderByBrokerId(b.parentId) : null;
    if (!parent) return; // not ours (a hand-placed order in the same account)
    this.store.recordBrokerOrder(b, 'bracket', parent.clientOrderId, parent.barTime, now);
    this.emit('order', this.orderEvent(b.clientOrderId));
  }

  private async syncFills(): Promise<void> {
    const since = this.store.lastFillTime();
    for (const f of await this.broker.fills(since)) {
      if (this.store.hasFill(f.id)) continue;
      if (!this.store.order(f.clientOrderId)) {
        // A leg that was created and filled between two syncs: journal its order first.
        const b = await this.broker.orderByClientId(f.clientOrderId);
        if (b?.parentId) this.journalLeg(b, this.o.clock.nowMs());
      }
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
    const k = this.store.killSwitch();
    this.emit('status', { killSwitch: { ...k, since: k.since === null ? null : new Date(k.since).toISOString() } });
  }

  /**
   * Engage the kill switch and cancel the runner's open orders, each with the reason. Bracket legs
   * (stop-loss and take-profit) stay: stopping new trading must not leave open positions unprotected.
   */
  kill(reason: string): Promise<void> {
    return this.mutex.run(async () => {
      this.setKill(true, reason);
      const why = `canceled by the kill switch: ${reason}`;
      for (const o of this.store.openOrders()) {
        if (o.source === 'bracket') continue;
        if (o.status === 'pending_submit' || !o.brokerId) {
          this.store.markStatus(o.clientOrderId, 'canceled', why, this.o.clock.nowMs());
        } else {
          await this.broker.cancel(o.brokerId);
          const b = await this.broker.orderByClientId(o.clientOrderId);
          if (b) this.store.updateFromBroker(b, this.o.clock.nowMs());
          if (b?.status === 'canceled') this.store.markStatus(o.clientOrderId, 'canceled', why, this.o.clock.nowMs());
        }
        this.emit('order', this.orderEvent(o.clientOrderId));
      }
    });
  }

  resume(): Promise<void> {
    return this.mutex.run(async () => this.setKill(false, null));
  }

  /**
   * A manual order: one intent through the same plan as the strategy's (sizing -> risk gate -> order
   * builder with brackets, a reduce-then-flip split into two legs), journaled with its risk decision, then
   * submitted. A quantity the gate would shrink is refused unless `allowResize`.
   */
  manualOrder(req: ManualOrderRequest): Promise<LoopResult> {
    return this.mutex.run(async () => {
      const refuse = (refusal: Refusal): LoopResult => ({ ok: false, refusal });
      const slot = this.symbols.indexOf(req.symbol);
      if (slot < 0) return refuse({ kind: 'invalid', message: `symbol ${req.symbol} is not traded by this runner (${this.symbols.join(', ')})` });
      const price = this.marks[slot];
      if (!(price > 0)) return refuse({ kind: 'invalid', message: `no price for ${req.symbol} yet` });
      const now = this.o.clock.nowMs();
      const intent: OrderIntent = {
        kind: 'order',
        symbol: req.symbol,
        side: req.side,
        qty: req.qty,
        type: req.type,
        timeInForce: req.timeInForce,
        ...(req.limitPrice !== undefined ? { limitPrice: req.limitPrice } : {}),
        ...(req.stopPrice !== undefined ? { stopPrice: req.stopPrice } : {}),
        ...(req.stopLoss !== undefined ? { stopLoss: req.stopLoss } : {}),
        ...(req.takeProfit !== undefined ? { takeProfit: req.takeProfit } : {}),
        reason: req.reason ?? 'manual order via API',
      };
      const cid = req.clientOrderId ?? clientOrderId('manual', req.symbol, now, intent, this.store.orderCount());
      if (this.store.order(cid)) return refuse({ kind: 'conflict', message: `client order id ${cid} already exists` });
      const killed = this.killedBy();
      if (killed !== null && !((this.o.killAllowsExits ?? true) && this.reduces(req.symbol, req.side, req.qty))) {
        return refuse({ kind: 'kill_switch', message: `kill switch is active (${killed}); only orders that reduce a position are accepted; POST /api/resume first` });
      }
      const market: MarketState = { marks: this.marks, equity: this.portfolio.equityFloat(this.marks) };
      const plan = this.engine.plan(this.context(now), [intent], market, this.pendingView(), { source: 'manual', clientOrderId: cid });
      const decision = plan.decisions[0];
      const rules = decision.rules.map((r) => `${r.rule}: ${r.message}`);
      const resized = Math.abs(Math.abs(decision.approvedQty) - req.qty) > 1e-9;
      if (!decision.approved || (resized && !req.allowResize)) {
        const rec = this.store.recordRisk(riskRecord({ ...decision, clientOrderIds: [] }, 'refused', []));
        this.emit('risk', toRiskView(rec));
        const max = Math.abs(decision.approvedQty);
        return refuse({
          kind: 'risk',
          message: `${req.qty} ${req.symbol} refused by the risk gate: the largest allowed quantity is ${max} (${rules.join('; ') || 'no rule allows it'})${decision.approved ? '; send allow_resize: true to accept it' : ''}`,
          maxQty: String(max),
          rules,
        });
      }
      const rec = this.store.tx(() => {
        const r = this.store.recordRisk(riskRecord(decision, null, decision.clientOrderIds));
        for (const p of plan.orders) this.store.insertPendingOrder(p.request, this.lastTime, 'manual', now);
        return r;
      });
      this.emit('risk', toRiskView(rec));
      const sent = await this.submitPending();
      const ids = plan.orders.map((p: PlannedOrder) => p.request.clientOrderId);
      const first = sent.get(ids[0]);
      if (first?.kind === 'unavailable' || (first === undefined && this.store.order(ids[0])?.status === 'pending_submit')) {
        // Never sent (the adapter retried and gave up): say so, and make sure it will not go out later.
        const msg = first && 'message' in first ? first.message : 'the broker did not answer';
        const at = await this.broker.orderByClientId(ids[0]).catch(() => undefined);
        if (at === null) for (const id of ids) this.store.markRejected(id, `not sent: broker unavailable: ${msg}`, this.o.clock.nowMs());
        return refuse({ kind: 'unavailable', message: `broker unavailable: ${msg}${at === null ? '' : ' (outcome unknown: the order is looked up before anything is sent again)'}` });
      }
      if (first && (first.kind === 'rejected' || first.kind === 'blocked')) return refuse({ kind: 'broker_rejected', message: first.message });
      await this.syncFills();
      await this.syncOrders();
      return { ok: true, orders: ids.map((id) => this.store.order(id)!), rules };
    });
  }

  cancel(id: string): Promise<LoopResult> {
    return this.mutex.run(async () => {
      const o = this.store.order(id) ?? this.store.orderByBrokerId(id);
      if (!o) return { ok: false, refusal: { kind: 'not_found', message: `no order ${id}` } };
      if (!OPEN.has(o.status)) return { ok: false, refusal: { kind: 'conflict', message: `order ${id} is ${o.status}; only open orders can be canceled` } };
      if (o.status === 'pending_submit' || !o.brokerId) {
        this.store.markStatus(o.clientOrderId, 'canceled', 'canceled via API before it was sent', this.o.clock.nowMs());
      } else {
        await this.broker.cancel(o.brokerId);
        const b = await this.broker.orderByClientId(o.clientOrderId);
        if (b) this.store.updateFromBroker(b, this.o.clock.nowMs());
      }
      this.emit('order', this.orderEvent(o.clientOrderId));
      return { ok: true, orders: [this.store.order(o.clientOrderId)!], rules: [] };
    });
  }

  private orderEvent(cid: string): unknown {
    const o = this.store.order(cid);
    return o ? toOrderView(o) : null;
  }

  private emit(type: string, data: unknown): void {
    this.events.emit('event', { type, data });
  }
}

function riskRecord(r: RiskRecord, outcome: RiskDecisionRecord['outcome'] | null, sent: readonly string[]): Omit<RiskDecisionRecord, 'seq'> {
  const resized = Math.abs(r.approvedQty - r.requestedQty) > 1e-9;
  return {
    time: r.time,
    source: r.source,
    symbol: r.symbol,
    intent: r.intent,
    reason: r.reason,
    requestedQty: r.requestedQty,
    approvedQty: r.approvedQty,
    outcome: outcome ?? (!r.approved ? 'refused' : resized ? 'resized' : 'approved'),
    rules: r.rules.map((x) => ({ rule: x.rule, message: x.message, originalQty: x.originalQty, approvedQty: x.approvedQty })),
    clientOrderIds: sent,
  };
}

function journalToRequest(o: JournalOrder): OrderRequest {
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

function fillToJson(f: Fill): Record<string, unknown> {
  return { id: f.id, orderId: f.orderId, clientOrderId: f.clientOrderId, symbol: f.symbol, side: f.side, qty: f.qty.toString(), price: f.price.toString(), fee: f.fee.toString(), time: isoTime(f.time) };
}

