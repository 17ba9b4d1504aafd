/**
 * The state directory's safety rules, checked before anything in it is opened:
 *
 * - one runner per state dir: an exclusive lock file naming the holder (pid, host, start time), released on
 *   exit; a lock whose holder process is gone (same host, pid dead) is stale and taken over;
 * - a missing, empty or corrupt journal next to existing broker state is never rebuilt silently: the runner
 *   stops and names the file and the choices; `--fresh` archives the old state (renamed with a timestamp)
 *   and starts a new journal, which then adopts the broker's positions;
 * - the directory is 0700 and its files 0600 (the journal, the broker log and the API token are private).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const JOURNAL = 'journal.db';
export const PAPER_LOG = 'paper-broker.db';
const LOCK = 'runner.lock';
export const TOKEN_FILE = 'api-token';

/** Create the state dir private to its owner, and tighten what is already in it. */
export function secureStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  secureFiles(dir);
}

/** Every file in the state dir 0600 (SQLite creates -wal/-shm files later: call again after opening). */
export function secureFiles(dir: string): void {
  for (const f of readdirSync(dir, { withFileTypes: true })) if (f.isFile()) chmodSync(join(dir, f.name), 0o600);
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Take the state dir's lock or throw naming the holder. Returns the release function (idempotent).
 * `onStale` hears about a lock taken over from a dead holder.
 */
export function lockStateDir(dir: string, onStale?: (h: LockHolder) => void): () => void {
  const path = join(dir, LOCK);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
          if (h.pid === me.pid && h.host === me.host) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the lock ${path}: ${(e as Error).message}`, { cause: e });
    }
    let holder: LockHolder | null;
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    } catch {
      holder = null; // half-written by a holder killed while writing it: stale
    }
    if (holder && (holder.host !== me.host || alive(holder.pid))) {
      throw new Error(
        `${dir} is in use by another runner (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}; lock file ${path}). ` +
          `Stop that runner first, or use another runner.state_dir (--state-dir). If that process is gone, remove ${path}.`,
      );
    }
    if (holder) onStale?.(holder);
    try {
      unlinkSync(path);
    } catch {
      /* someone else took it over first: try again */
    }
  }
  throw new Error(`could not take the lock ${path}: another runner keeps taking it`);
}

export type JournalState = 'missing' | 'empty' | 'corrupt' | 'ok';

/** What is in journal.db, without creating or changing it. */
export function inspectJournal(dir: string): { state: JournalState; detail: string } {
  const path = join(dir, JOURNAL);
  if (!existsSync(path)) return { state: 'missing', detail: `${path} does not exist` };
  if (statSync(path).size === 0) return { state: 'empty', detail: `${path} is empty (0 bytes)` };
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') return { state: 'corrupt', detail: `${path} fails SQLite's integrity check: ${String(check)}` };
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    if (!tables.has('meta') || !tables.has('orders') || !tables.has('fills')) return { state: tables.size === 0 ? 'empty' : 'corrupt', detail: `${path} has no journal tables` };
    const n = (t: string) => (tables.has(t) ? (db!.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n : 0);
    if (n('orders') + n('fills') + n('equity') + n('last_bar') === 0) return { state: 'empty', detail: `${path} holds no orders, fills or progress` };
    return { state: 'ok', detail: path };
  } catch (e) {
    return { state: 'corrupt', detail: `${path} cannot be read: ${(e as Error).message}` };
  } finally {
    db?.close();
  }
}

/** True when the paper broker's event log holds an order (bars alone are no account state: no orders, no positions). */
export function paperStateExists(dir: string): boolean {
  const path = join(dir, PAPER_LOG);
  if (!existsSync(path) || statSync(path).size === 0) return false;
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    return has !== undefined && db.prepare(`SELECT 1 FROM events WHERE body LIKE '{"kind":"submit"%' LIMIT 1`).get() !== undefined;
  } catch {
    return true; // unreadable broker state is still state: never paper over it
  } finally {
    db?.close();
  }
}

/**
 * `--fresh`: move the journal and the paper broker's log (with their -wal/-shm files) into
 * `archive-<timestamp>/` inside the state dir. Returns that folder, or null when there was nothing to move.
 */
export function archiveState(dir: string, nowMs: number): string | null {
  const names = readdirSync(dir).filter((f) => f.startsWith(JOURNAL) || f.startsWith(PAPER_LOG));
  if (names.length === 0) return null;
  const to = join(dir, `archive-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(to, { mode: 0o700 });
  for (const f of names) renameSync(join(dir, f), join(to, f));
  return to;
}

/** The message for a journal that cannot be trusted next to broker state. */
export function journalRefusal(dir: string, j: { state: JournalState; detail: string }, brokerState: string): string {
  return (
    `refusing to start: ${j.detail}, but ${brokerState}. Rebuilding the journal silently would lose the order history and leave ` +
    `the broker's orders unaccounted for. Choices: restore ${join(dir, JOURNAL)} from a backup and start again; or start with --fresh, ` +
    `which moves the old state to ${join(dir, 'archive-<time>/')} and starts a new journal that adopts the broker's current positions ` +
    `(open orders of the traded symbols are canceled); or use another runner.state_dir (--state-dir).`
  );
}
