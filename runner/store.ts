/**
 * The runner's journal, its one ledger: one SQLite file (WAL, synchronous=FULL) holding orders (bracket legs
 * and replacements included), fills, every risk decision, equity history, signals, the kill switch and the
 * last processed bar. Cash and positions are not stored: the portfolio is rebuilt from the fills. Every
 * state change the loop makes for one step is one transaction, so a SIGKILL leaves all of it or none.
 *
 * Fills are recorded exactly once, keyed by the broker's fill id.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Decimal, dec } from '../lib/core/money.js';
import type { Fill, Order, OrderRequest, OrderStatus, Side } from '../lib/core/orders.js';

export interface JournalOrder {
  readonly clientOrderId: string;
  readonly brokerId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: string;
  readonly type: string;
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  readonly timeInForce: string;
  /** `reference`: the price the levels were computed from (the simulator re-prices them off the fill). */
  readonly bracket: { readonly takeProfit: string | null; readonly stopLoss: string | null; readonly reference?: string | null } | null;
  /** 'pending_submit' until the broker has acknowledged it, then the broker's status. */
  readonly status: JournalStatus;
  readonly filledQty: string;
  readonly avgFillPrice: string | null;
  readonly barTime: number | null;
  /** Client order id of the parent order (bracket legs) or of the order this one replaced. */
  readonly parentId: string | null;
  readonly source: string;
  readonly tag: string | null;
  readonly rejectReason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface JournalFill {
  readonly id: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: string;
  readonly price: string;
  readonly fee: string;
  readonly time: number;
}

/** A model version the ML strategy retrained to (detail: training window, data hash, live record as JSON). */
export interface ModelVersionRecord {
  readonly version: string;
  readonly fittedAt: number;
  readonly detail: string;
}

/** The broker's order states plus the journal's own pending_submit (journaled, not yet acknowledged). */
export type JournalStatus = OrderStatus | 'pending_submit';
export const OPEN_JOURNAL_STATUSES: readonly JournalStatus[] = ['new', 'accepted', 'partially_filled', 'pending_submit', 'unknown'];

/** A risk decision as journaled: one per intent (strategy or manual) that asked for a change. */
export interface RiskDecisionRecord {
  readonly seq: number;
  readonly time: number;
  readonly source: string;
  readonly symbol: string;
  readonly intent: string;
  readonly reason: string;
  readonly requestedQty: number;
  readonly approvedQty: number;
  /** approved, resized, refused (by the gate, or by the caller who did not allow a resize), blocked (kill switch). */
  readonly outcome: 'approved' | 'resized' | 'refused' | 'blocked';
  readonly rules: ReadonlyArray<{ readonly rule: string; readonly message: string; readonly originalQty: number; readonly approvedQty: number }>;
  readonly clientOrderIds: readonly string[];
}

export interface SignalRecord {
  readonly time: number;
  readonly strategy: string;
  readonly symbol: string;
  /** The strategy's output: a target, a score or a probability. */
  readonly value: number;
  readonly detail?: string;
}

/**
 * manual: from the API, blocks all strategy and manual orders until resumed. daily_loss: the gate's daily loss
 * limit tripped; entries are blocked by the gate (exits still allowed) and it releases itself the next day.
 * reconcile: broker and journal disagree after a restart; blocks everything until resumed.
 */
export type KillKind = 'manual' | 'daily_loss' | 'reconcile';

export interface KillSwitch {
  readonly active: boolean;
  readonly kind: KillKind | null;
  readonly reason: string | null;
  readonly since: number | null;
}

export interface EquityPoint {
  readonly time: number;
  readonly cash: string;
  readonly equity: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
  client_order_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  broker_id TEXT,
  symbol TEXT NOT NULL, side TEXT NOT NULL, qty TEXT NOT NULL, type TEXT NOT NULL,
  limit_price TEXT, stop_price TEXT, tif TEXT NOT NULL, take_profit TEXT, stop_loss TEXT, bracket_ref TEXT,
  status TEXT NOT NULL, filled_qty TEXT NOT NULL, avg_fill_price TEXT,
  bar_time INTEGER, source TEXT NOT NULL, tag TEXT, reject_reason TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_status ON orders(status);
CREATE TABLE IF NOT EXISTS fills (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, order_id TEXT NOT NULL, client_order_id TEXT NOT NULL,
  symbol TEXT NOT NULL, side TEXT NOT NULL, qty TEXT NOT NULL, price TEXT NOT NULL, fee TEXT NOT NULL, time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_seq ON fills(seq);
CREATE INDEX IF NOT EXISTS fills_time ON fills(time);
CREATE INDEX IF NOT EXISTS orders_seq ON orders(seq);
CREATE INDEX IF NOT EXISTS orders_broker_id ON orders(broker_id);
CREATE TABLE IF NOT EXISTS risk_decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, source TEXT NOT NULL, symbol TEXT NOT NULL, intent TEXT NOT NULL,
  reason TEXT NOT NULL, requested_qty REAL NOT NULL, approved_qty REAL NOT NULL, outcome TEXT NOT NULL, rules TEXT NOT NULL, client_order_ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS equity (time INTEGER PRIMARY KEY, cash TEXT NOT NULL, equity TEXT NOT NULL, gate_equity REAL);
CREATE TABLE IF NOT EXISTS signals (
  time INTEGER NOT NULL, strategy TEXT NOT NULL, symbol TEXT NOT NULL, value REAL NOT NULL, detail TEXT,
  PRIMARY KEY (time, strategy, symbol)
);
CREATE TABLE IF NOT EXISTS last_bar (symbol TEXT PRIMARY KEY, time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (time INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS model_versions (version TEXT PRIMARY KEY, fitted_at INTEGER NOT NULL, detail TEXT NOT NULL);
`;

interface OrderRow {
  client_order_id: string;
  broker_id: string | null;
  symbol: string;
  side: Side;
  qty: string;
  type: string;
  limit_price: string | null;
  stop_price: string | null;
  tif: string;
  take_profit: string | null;
  stop_loss: string | null;
  bracket_ref?: string | null;
  status: JournalStatus;
  filled_qty: string;
  avg_fill_price: string | null;
  bar_time: number | null;
  source: string;
  tag: string | null;
  reject_reason: string | null;
  parent_id: string | null;
  created_at: number;
  updated_at: number;
}

function toOrder(r: OrderRow): JournalOrder {
  return {
    clientOrderId: r.client_order_id,
    brokerId: r.broker_id,
    symbol: r.symbol,
    side: r.side,
    qty: r.qty,
    type: r.type,
    limitPrice: r.limit_price,
    stopPrice: r.stop_price,
    timeInForce: r.tif,
    bracket: r.take_profit !== null || r.stop_loss !== null ? { takeProfit: r.take_profit, stopLoss: r.stop_loss, ...(r.bracket_ref ? { reference: r.bracket_ref } : {}) } : null,
    status: r.status,
    filledQty: r.filled_qty,
    avgFillPrice: r.avg_fill_price,
    barTime: r.bar_time,
    parentId: r.parent_id ?? null,
    source: r.source,
    tag: r.tag,
    rejectReason: r.reject_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class Store {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
      const cols = (this.db.prepare('PRAGMA table_info(orders)').all() as Array<{ name: string }>).map((c) => c.name);
      if (!cols.includes('parent_id')) this.db.exec('ALTER TABLE orders ADD COLUMN parent_id TEXT');
      // Journals made before fill-priced brackets lack the column; add it (old rows keep absolute levels).
      if (!cols.includes('bracket_ref')) this.db.exec('ALTER TABLE orders ADD COLUMN bracket_ref TEXT');
    } catch (e) {
      // SQLite says "file is not a database" without saying which file.
      throw new Error(`journal ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  private readonly stmts = new Map<string, Database.Statement>();
  /** Prepared once per SQL text: compiling a statement costs more than running it. */
  private q(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Run `fn` in one transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn)();
  }

  // ---- meta ----
  getMeta(key: string): string | null {
    const r = this.q('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? r.value : null;
  }
  setMeta(key: string, value: string): void {
    this.q('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Set the starting cash once; later calls leave it alone (a restart must not reset the account). */
  initCash(initial: Decimal): void {
    this.tx(() => {
      if (this.getMeta('initial_cash') === null) this.setMeta('initial_cash', initial.toString());
    });
  }
  initialCash(): Decimal {
    return dec(this.getMeta('initial_cash') ?? '0');
  }

  killSwitch(): KillSwitch {
    const v = this.getMeta('kill_switch');
    if (!v) return { active: false, kind: null, reason: null, since: null };
    return JSON.parse(v) as KillSwitch;
  }
  setKillSwitch(active: boolean, reason: string | null, nowMs: number, kind: KillKind = 'manual'): void {
    this.setMeta('kill_switch', JSON.stringify({ active, kind: active ? kind : null, reason, since: active ? nowMs : null }));
  }

  // ---- orders ----
  private seq(table: 'orders' | 'fills'): number {
    const r = this.q(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number };
    return r.n;
  }

  /** Record an order the loop is about to send. Returns false when that client order id is already journaled. */
  insertPendingOrder(req: OrderRequest, barTime: number | null, source: string, nowMs: number): boolean {
    const res = this
      .q(
        `INSERT OR IGNORE INTO orders (client_order_id, seq, broker_id, symbol, side, qty, type, limit_price, stop_price, tif, take_profit, stop_loss, bracket_ref,
          status, filled_qty, avg_fill_price, bar_time, source, tag, reject_reason, created_at, updated_at)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending_submit', '0', NULL, ?, ?, ?, NULL, ?, ?)`,
      )
      .run(
        req.clientOrderId,
        this.seq('orders'),
        req.symbol,
        req.side,
        req.qty.toString(),
        req.type,
        req.limitPrice?.toString() ?? null,
        req.stopPrice?.toString() ?? null,
        req.timeInForce,
        req.bracket?.takeProfit?.toString() ?? null,
        req.bracket?.stopLoss?.toString() ?? null,
        req.bracket?.reference?.toString() ?? null,
        barTime,
        source,
        req.tag ?? null,
        nowMs,
        nowMs,
      );
    return res.changes > 0;
  }

  /** Update an order from the broker's view of it. */
  updateFromBroker(o: Order, nowMs: number): void {
    this
      .q(
        `UPDATE orders SET broker_id = ?, status = ?, filled_qty = ?, avg_fill_price = ?, reject_reason = COALESCE(?, reject_reason), updated_at = ?
         WHERE client_order_id = ?`,
      )
      .run(o.id, o.status, o.filledQty.toString(), o.avgFillPrice?.toString() ?? null, o.rejectReason ?? null, nowMs, o.clientOrderId);
  }

  /**
   * Journal an order the loop did not place itself but must follow: a bracket leg the broker created, or the
   * replacement of a replaced order. Known client order ids are only updated.
   */
  recordBrokerOrder(o: Order, source: string, parentId: string | null, barTime: number | null, nowMs: number): boolean {
    if (this.order(o.clientOrderId)) {
      this.updateFromBroker(o, nowMs);
      return false;
    }
    this
      .q(
        `INSERT INTO orders (client_order_id, seq, broker_id, symbol, side, qty, type, limit_price, stop_price, tif, take_profit, stop_loss,
          status, filled_qty, avg_fill_price, bar_time, source, tag, reject_reason, parent_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
      )
      .run(o.clientOrderId, this.seq('orders'), o.id, o.symbol, o.side, o.qty.toString(), o.type, o.limitPrice?.toString() ?? null, o.stopPrice?.toString() ?? null,
        o.timeInForce, o.status, o.filledQty.toString(), o.avgFillPrice?.toString() ?? null, barTime, source, o.tag ?? null, parentId, nowMs, nowMs);
    return true;
  }

  /** Set a journal-side status (replaced, unknown, canceled before it was sent) with its reason. */
  markStatus(clientOrderId: string, status: JournalStatus, reason: string | null, nowMs: number): void {
    this
      .q(`UPDATE orders SET status = ?, reject_reason = COALESCE(?, reject_reason), updated_at = ? WHERE client_order_id = ?`)
      .run(status, reason, nowMs, clientOrderId);
  }

  markRejected(clientOrderId: string, reason: string, nowMs: number): void {
    this
      .q(`UPDATE orders SET status = 'rejected', reject_reason = ?, updated_at = ? WHERE client_order_id = ?`)
      .run(reason, nowMs, clientOrderId);
  }

  order(clientOrderId: string): JournalOrder | null {
    const r = this.q('SELECT * FROM orders WHERE client_order_id = ?').get(clientOrderId) as OrderRow | undefined;
    return r ? toOrder(r) : null;
  }
  orderByBrokerId(id: string): JournalOrder | null {
    const r = this.q('SELECT * FROM orders WHERE broker_id = ?').get(id) as OrderRow | undefined;
    return r ? toOrder(r) : null;
  }
  orders(limit = 1000): JournalOrder[] {
    return (this.q('SELECT * FROM orders ORDER BY seq DESC LIMIT ?').all(limit) as OrderRow[]).map(toOrder).reverse();
  }
  orderCount(): number {
    return (this.q('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
  }
  ordersWithStatus(statuses: readonly string[]): JournalOrder[] {
    const q = `SELECT * FROM orders WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY seq`;
    return (this.q(q).all(...statuses) as OrderRow[]).map(toOrder);
  }
  pendingSubmits(): JournalOrder[] {
    return this.ordersWithStatus(['pending_submit']);
  }
  openOrders(): JournalOrder[] {
    return this.ordersWithStatus(OPEN_JOURNAL_STATUSES);
  }

  // ---- fills ----
  /** Record a fill exactly once. Returns false (and changes nothing) when the fill id is already recorded. */
  applyFill(f: Fill): boolean {
    const res = this
      .q(
        `INSERT OR IGNORE INTO fills (id, seq, order_id, client_order_id, symbol, side, qty, price, fee, time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(f.id, this.seq('fills'), f.orderId, f.clientOrderId, f.symbol, f.side, f.qty.toString(), f.price.toString(), f.fee.toString(), f.time);
    return res.changes > 0;
  }

  hasFill(id: string): boolean {
    return this.q('SELECT 1 FROM fills WHERE id = ?').get(id) !== undefined;
  }
  /** All fills, oldest first (the portfolio is rebuilt from every one of them), or the latest `limit`. */
  fills(limit?: number): JournalFill[] {
    const rows = (limit === undefined
      ? this.q('SELECT * FROM fills ORDER BY seq').all()
      : this.q('SELECT * FROM (SELECT * FROM fills ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(limit)) as Array<{
      id: string; order_id: string; client_order_id: string; symbol: string; side: Side; qty: string; price: string; fee: string; time: number;
    }>;
    return rows.map((r) => ({
      id: r.id, orderId: r.order_id, clientOrderId: r.client_order_id, symbol: r.symbol, side: r.side,
      qty: r.qty, price: r.price, fee: r.fee, time: r.time,
    }));
  }
  fillCount(): number {
    return (this.q('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n;
  }
  lastFillTime(): number {
    const r = this.q('SELECT COALESCE(MAX(time), 0) AS t FROM fills').get() as { t: number };
    return r.t;
  }

  // ---- risk decisions ----
  recordRisk(d: Omit<RiskDecisionRecord, 'seq'>): RiskDecisionRecord {
    const r = this
      .q('INSERT INTO risk_decisions(time, source, symbol, intent, reason, requested_qty, approved_qty, outcome, rules, client_order_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(d.time, d.source, d.symbol, d.intent, d.reason, d.requestedQty, d.approvedQty, d.outcome, JSON.stringify(d.rules), JSON.stringify(d.clientOrderIds));
    return { seq: Number(r.lastInsertRowid), ...d };
  }
  /** The newest `limit` decisions, oldest first; `actedOnly`: only those the gate or the kill switch changed (not plain approvals). */
  riskDecisions(limit = 500, actedOnly = false): RiskDecisionRecord[] {
    const where = actedOnly ? "WHERE outcome != 'approved'" : '';
    const rows = this.q(`SELECT * FROM (SELECT * FROM risk_decisions ${where} ORDER BY seq DESC LIMIT ?) ORDER BY seq`).all(limit) as Array<{
      seq: number; time: number; source: string; symbol: string; intent: string; reason: string; requested_qty: number; approved_qty: number; outcome: RiskDecisionRecord['outcome']; rules: string; client_order_ids: string;
    }>;
    return rows.map((r) => ({
      seq: r.seq, time: r.time, source: r.source, symbol: r.symbol, intent: r.intent, reason: r.reason, requestedQty: r.requested_qty, approvedQty: r.approved_qty,
      outcome: r.outcome, rules: JSON.parse(r.rules) as RiskDecisionRecord['rules'], clientOrderIds: JSON.parse(r.client_order_ids) as string[],
    }));
  }

  /** True when nothing was ever recorded: no orders, fills, equity or progress (a journal that was just created). */
  isEmpty(): boolean {
    const n = (t: string) => (this.q(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    return n('orders') + n('fills') + n('equity') + n('last_bar') === 0;
  }

  // ---- equity, signals, progress ----
  /** `gateEquity` is the float the risk gate saw at this bar, kept so a restart rebuilds the gate bit for bit. */
  recordEquity(time: number, cash: Decimal, equity: Decimal, gateEquity: number = equity.toNumber()): void {
    this
      .q('INSERT INTO equity(time, cash, equity, gate_equity) VALUES (?, ?, ?, ?) ON CONFLICT(time) DO UPDATE SET cash = excluded.cash, equity = excluded.equity, gate_equity = excluded.gate_equity')
      .run(time, cash.toString(), equity.toString(), gateEquity);
  }
  gateEquityHistory(): Array<{ time: number; gateEquity: number }> {
    const rows = this.q('SELECT time, gate_equity AS g, equity FROM equity ORDER BY time').all() as Array<{ time: number; g: number | null; equity: string }>;
    return rows.map((r) => ({ time: r.time, gateEquity: r.g ?? Number(r.equity) }));
  }
  equityHistory(limit = 100_000): EquityPoint[] {
    return (this.q('SELECT time, cash, equity FROM equity ORDER BY time DESC LIMIT ?').all(limit) as EquityPoint[]).reverse();
  }
  lastEquity(): EquityPoint | null {
    return (this.q('SELECT time, cash, equity FROM equity ORDER BY time DESC LIMIT 1').get() as EquityPoint | undefined) ?? null;
  }
  /** The last equity point strictly before `time` (the previous day's close for the daily-loss rule). */
  equityBefore(time: number): EquityPoint | null {
    return (this.q('SELECT time, cash, equity FROM equity WHERE time < ? ORDER BY time DESC LIMIT 1').get(time) as EquityPoint | undefined) ?? null;
  }

  recordSignal(s: SignalRecord): void {
    this
      .q('INSERT OR REPLACE INTO signals(time, strategy, symbol, value, detail) VALUES (?, ?, ?, ?, ?)')
      .run(s.time, s.strategy, s.symbol, s.value, s.detail ?? null);
  }
  signals(limit = 500): SignalRecord[] {
    const rows = this.q('SELECT time, strategy, symbol, value, detail FROM signals ORDER BY time DESC, symbol LIMIT ?').all(limit) as Array<{
      time: number; strategy: string; symbol: string; value: number; detail: string | null;
    }>;
    return rows.reverse().map((r) => ({ time: r.time, strategy: r.strategy, symbol: r.symbol, value: r.value, ...(r.detail ? { detail: r.detail } : {}) }));
  }

  setLastBar(symbol: string, time: number): void {
    this.q('INSERT INTO last_bar(symbol, time) VALUES (?, ?) ON CONFLICT(symbol) DO UPDATE SET time = excluded.time').run(symbol, time);
  }
  lastBars(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.q('SELECT symbol, time FROM last_bar').all() as Array<{ symbol: string; time: number }>) out[r.symbol] = r.time;
    return out;
  }
  /** The latest bar time processed for every symbol (the loop advances all symbols together). */
  lastProcessedTime(): number | null {
    const r = this.q('SELECT MIN(time) AS t FROM last_bar').get() as { t: number | null };
    return r.t;
  }

  markDecided(time: number): void {
    this.q('INSERT OR IGNORE INTO decisions(time) VALUES (?)').run(time);
  }
  decided(time: number): boolean {
    return this.q('SELECT 1 FROM decisions WHERE time = ?').get(time) !== undefined;
  }

  /** Idempotent: a restart that retrains to the same version records it once. */
  recordModelVersion(v: ModelVersionRecord): void {
    this.db.prepare('INSERT OR IGNORE INTO model_versions(version, fitted_at, detail) VALUES (?, ?, ?)').run(v.version, v.fittedAt, v.detail);
  }
  modelVersions(): ModelVersionRecord[] {
    const rows = this.db.prepare('SELECT version, fitted_at, detail FROM model_versions ORDER BY fitted_at').all() as Array<{ version: string; fitted_at: number; detail: string }>;
    return rows.map((r) => ({ version: r.version, fittedAt: r.fitted_at, detail: r.detail }));
  }
}
