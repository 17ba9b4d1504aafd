/**
 * Which risk rule refused or resized which order: a table in the journal, written in the same transaction as
 * the decision it explains (so a restart neither loses nor repeats it). The dashboard's Risk tab and
 * GET /api/risk read it.
 */
import type Database from 'better-sqlite3';
import { isoTime } from '../lib/core/bars.js';
import type { JournalEntry, PlannedOrder } from '../lib/engine/index.js';
import type { RiskDecision, RiskReason } from '../lib/risk/index.js';
import type { Intent } from '../lib/strategy/index.js';
import type { RiskDecisionView } from './control.js';

export interface RiskDecisionRecord {
  readonly time: number;
  readonly source: 'strategy' | 'manual';
  readonly symbol: string;
  readonly action: 'rejected' | 'resized';
  readonly rule: string;
  readonly message: string;
  readonly originalQty: number;
  readonly approvedQty: number;
  readonly reason: string | null;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS risk_decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, source TEXT NOT NULL, symbol TEXT NOT NULL,
  action TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL, original_qty REAL NOT NULL, approved_qty REAL NOT NULL, reason TEXT
)`;

const ready = new WeakSet<Database.Database>();
function table(db: Database.Database): Database.Database {
  if (!ready.has(db)) {
    db.exec(SCHEMA);
    ready.add(db);
  }
  return db;
}

function fromReasons(time: number, source: RiskDecisionRecord['source'], symbol: string, action: RiskDecisionRecord['action'], reasons: readonly RiskReason[], why: string | null): RiskDecisionRecord[] {
  return reasons.map((r) => ({ time, source, symbol, action, rule: r.rule, message: r.message, originalQty: r.originalQty, approvedQty: r.approvedQty, reason: why }));
}

/** The engine journal entries added after `last` (the entry that was newest before plan() ran). */
export function entriesAfter(journal: readonly JournalEntry[], last: JournalEntry | undefined): readonly JournalEntry[] {
  return journal.slice(last === undefined ? 0 : journal.lastIndexOf(last) + 1);
}

/** One bar's risk decisions: refusals the engine journaled in plan(), and the planned orders the gate resized. */
export function strategyDecisions(time: number, refused: readonly JournalEntry[], planned: readonly PlannedOrder[]): RiskDecisionRecord[] {
  const out: RiskDecisionRecord[] = [];
  for (const e of refused) if (e.action === 'rejected_by_risk') out.push(...fromReasons(time, 'strategy', e.symbol, 'rejected', e.risk, e.reason));
  const seen = new Set<Intent>(); // an intent split into an exit and an entry leg shares one decision
  for (const p of planned) {
    if (seen.has(p.intent) || p.risk.reasons.length === 0) continue;
    seen.add(p.intent);
    out.push(...fromReasons(time, 'strategy', p.request.symbol, 'resized', p.risk.reasons, p.intent.reason));
  }
  return out;
}

/** The decision on one manual order. */
export function manualDecisions(time: number, symbol: string, risk: RiskDecision, why: string | null): RiskDecisionRecord[] {
  return fromReasons(time, 'manual', symbol, risk.approved ? 'resized' : 'rejected', risk.reasons, why);
}

export function recordRiskDecisions(db: Database.Database, rows: readonly RiskDecisionRecord[]): void {
  if (rows.length === 0) return;
  const ins = table(db).prepare('INSERT INTO risk_decisions(time, source, symbol, action, rule, message, original_qty, approved_qty, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const r of rows) ins.run(r.time, r.source, r.symbol, r.action, r.rule, r.message, r.originalQty, r.approvedQty, r.reason);
}

export function riskDecisionView(r: RiskDecisionRecord): RiskDecisionView {
  return { ...r, time: isoTime(r.time) };
}

/** The newest `limit` decisions, oldest first. */
export function recentRiskDecisions(db: Database.Database, limit = 200): RiskDecisionView[] {
  const rows = table(db)
    .prepare('SELECT time, source, symbol, action, rule, message, original_qty AS originalQty, approved_qty AS approvedQty, reason FROM risk_decisions ORDER BY seq DESC LIMIT ?')
    .all(limit) as RiskDecisionRecord[];
  return rows.reverse().map(riskDecisionView);
}
