/**
 * The paper broker's durable memory: the inputs it received (submits, cancels, bars), in order. Its state is
 * rebuilt by replaying them through the deterministic fill model, so the paper broker survives a crash of
 * the process that drives it, exactly like a remote broker would.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Bar } from '../../core/bars.js';

export interface SerializedRequest {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: string;
  type: 'market' | 'limit' | 'stop' | 'stop_limit';
  limitPrice?: string;
  stopPrice?: string;
  timeInForce: 'day' | 'gtc';
  takeProfit?: string;
  stopLoss?: string;
  /** Bracket.reference: the levels are re-priced off the fill. */
  bracketReference?: string;
  tag?: string;
}

export type PaperEvent =
  | { readonly kind: 'submit'; readonly at: number; readonly req: SerializedRequest }
  | { readonly kind: 'cancel'; readonly at: number; readonly orderId: string }
  | { readonly kind: 'bar'; readonly symbol: string; readonly bar: Bar };

export interface PaperEventLog {
  load(): PaperEvent[];
  /** Durable before it returns (the broker acts only after this). */
  append(e: PaperEvent): void;
  /** Several events in one durable write (all or none). */
  appendAll(es: readonly PaperEvent[]): void;
  close(): void;
}

export class MemoryEventLog implements PaperEventLog {
  readonly events: PaperEvent[] = [];
  load(): PaperEvent[] {
    return [...this.events];
  }
  append(e: PaperEvent): void {
    this.events.push(e);
  }
  appendAll(es: readonly PaperEvent[]): void {
    this.events.push(...es);
  }
  close(): void {}
}

/** Events in their own SQLite file (WAL, synchronous=FULL): the paper broker's "exchange side". */
export class SqliteEventLog implements PaperEventLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec('CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)');
      this.insert = this.db.prepare('INSERT INTO events(body) VALUES (?)');
    } catch (e) {
      // SQLite's messages ("file is not a database") do not say which file.
      throw new Error(`paper broker log ${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  load(): PaperEvent[] {
    const rows = this.db.prepare('SELECT body FROM events ORDER BY seq').all() as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as PaperEvent);
  }
  append(e: PaperEvent): void {
    this.insert.run(JSON.stringify(e));
  }
  appendAll(es: readonly PaperEvent[]): void {
    this.db.transaction(() => {
      for (const e of es) this.insert.run(JSON.stringify(e));
    })();
  }
  close(): void {
    if (this.db.open) this.db.close();
  }
}
