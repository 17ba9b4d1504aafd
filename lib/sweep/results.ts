/**
 * The results on disk, written as jobs finish so nothing done is lost:
 *   results.csv      one row per finished job (appended in finish order; rewritten in grid order at the end)
 *   returns.ndjson   each job's per-bar returns (float32, base64), written just before its row
 *   results.parquet  the same table through polars, rewritten at checkpoints and at the end
 * A job counts as done when its row is in results.csv (its returns line was written first). A torn last line
 * (a crash mid-write) is dropped on reopen. Rows are keyed by job id, so each cell appears exactly once
 * however often its job ran.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { ValidationError } from '../core/errors.js';
import type { SweepJob } from './grid.js';
import { decodeReturns, METRIC_COLUMNS, type JobResult, type MetricColumn, type MetricValue } from './job.js';
import type { SweepSpec } from './spec.js';

export const RESULTS_CSV = 'results.csv';
export const RESULTS_PARQUET = 'results.parquet';
export const RETURNS_NDJSON = 'returns.ndjson';

export type CellValue = number | string | boolean | null;
export type ResultRow = Readonly<Record<string, CellValue>>;

/** Columns of the results table for a spec: ids, every parameter, symbols, window, costs, metrics. */
export function resultColumns(spec: SweepSpec): string[] {
  return ['job_id', 'cell', ...spec.params.map((p) => p.name), 'symbols', 'window_start', 'window_end', ...spec.costs.map((c) => c.name), ...METRIC_COLUMNS];
}

/** One table row from a job and its result. */
export function resultRow(job: SweepJob, r: Pick<JobResult, 'metrics'>): ResultRow {
  return {
    job_id: job.id,
    cell: job.cell,
    ...job.params,
    symbols: job.symbols.join(' '),
    window_start: job.window?.start ?? null,
    window_end: job.window?.end ?? null,
    ...job.costs,
    ...r.metrics,
  };
}

function csvCell(v: CellValue): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(columns: readonly string[], row: ResultRow): string {
  return columns.map((c) => csvCell(row[c] ?? null)).join(',');
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Metric values back from CSV text: numbers as numbers (exact round trip), final_equity and Infinity as text. */
function parseMetric(col: MetricColumn, s: string): MetricValue {
  if (s === '') return null;
  if (col === 'final_equity' || s === 'Infinity') return s;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

/**
 * Each complete line of a file, read in 1 MB chunks (results of a big sweep do not fit in one string). A torn
 * last line with no newline (a crash mid-write) is cut off the file so the next append starts clean.
 */
function* fileLines(path: string, opts: { repair?: boolean } = {}): Generator<string> {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  const dec = new StringDecoder('utf8');
  let rest = '';
  let complete = 0; // bytes up to and including the last newline
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      const text = rest + dec.write(buf.subarray(0, n));
      const parts = text.split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        complete += Buffer.byteLength(line) + 1;
        if (line.length > 0) yield line;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (rest.length > 0 && opts.repair !== false && statSync(path).size > complete) truncateSync(path, complete);
}

/** What the store keeps in memory per finished job: its metrics (the returns stay on disk). */
export interface StoredResult {
  readonly metrics: Readonly<Record<MetricColumn, MetricValue>>;
}

export class ResultStore {
  readonly dir: string;
  readonly columns: readonly string[];
  private readonly done = new Map<string, StoredResult>();
  private lastParquet = 0;

  /**
   * Open (or create) the results folder for these jobs. `fresh` discards earlier results. A results.csv with
   * other columns (another sweep's) is refused rather than mixed in.
   */
  constructor(dir: string, spec: SweepSpec, opts: { fresh?: boolean; readOnly?: boolean } = {}) {
    this.dir = dir;
    this.columns = resultColumns(spec);
    const csv = join(dir, RESULTS_CSV);
    const rets = join(dir, RETURNS_NDJSON);
    // readOnly (a dry run): count what is done without creating, repairing or emptying anything.
    const repair = !opts.readOnly;
    if (repair) mkdirSync(dir, { recursive: true });
    if (opts.fresh && repair) {
      for (const f of [csv, rets, join(dir, RESULTS_PARQUET)]) if (existsSync(f)) writeFileSync(f, '');
    }
    // Only the ids of the returns lines: the arrays are read back when the report needs them.
    const withReturns = new Set<string>();
    for (const line of fileLines(rets, { repair })) {
      const m = /^\{"id":"([0-9a-f]+)"/.exec(line);
      if (m) withReturns.add(m[1]);
    }
    const header = this.columns.join(',');
    let first = true;
    const idCol = this.columns.indexOf('job_id');
    const metricCols = METRIC_COLUMNS.map((m) => [m, this.columns.indexOf(m)] as const);
    for (const line of fileLines(csv, { repair })) {
      if (first) {
        first = false;
        if (line !== header) {
          throw new ValidationError(csv, `has other columns than this sweep (${line.slice(0, 120)}): it belongs to another sweep; use another --out or --fresh`);
        }
        continue;
      }
      const cells = splitCsvLine(line);
      if (cells.length !== this.columns.length || !withReturns.has(cells[idCol])) continue;
      const metrics = {} as Record<MetricColumn, MetricValue>;
      for (const [m, i] of metricCols) metrics[m] = parseMetric(m, cells[i]);
      this.done.set(cells[idCol], { metrics });
    }
    if (first && repair) writeFileSync(csv, `${header}\n`);
  }

  has(id: string): boolean {
    return this.done.has(id);
  }

  get(id: string): StoredResult | undefined {
    return this.done.get(id);
  }

  get size(): number {
    return this.done.size;
  }

  /** Record a finished job once: returns first, then the row (the row marks the job done). Repeats are ignored. */
  add(job: SweepJob, r: JobResult): boolean {
    if (r.id !== job.id) throw new Error(`result ${r.id} does not belong to job ${job.id}`);
    if (this.done.has(job.id)) return false;
    appendFileSync(join(this.dir, RETURNS_NDJSON), `${JSON.stringify({ id: r.id, start: r.start, r: r.returns })}\n`);
    appendFileSync(join(this.dir, RESULTS_CSV), `${csvLine(this.columns, resultRow(job, r))}\n`);
    this.done.set(job.id, { metrics: r.metrics });
    return true;
  }

  /** Call fn with the per-bar returns of each wanted job, streaming returns.ndjson (constant memory). */
  scanReturns(ids: ReadonlySet<string>, fn: (id: string, returns: Float32Array) => void): void {
    const seen = new Set<string>();
    for (const line of fileLines(join(this.dir, RETURNS_NDJSON), { repair: false })) {
      const m = /^\{"id":"([0-9a-f]+)"/.exec(line);
      if (!m || !ids.has(m[1]) || seen.has(m[1])) continue;
      seen.add(m[1]);
      fn(m[1], decodeReturns((JSON.parse(line) as { r: string }).r));
    }
  }

  /** The table of these jobs in grid order (only the finished ones). */
  rows(jobs: readonly SweepJob[]): ResultRow[] {
    const out: ResultRow[] = [];
    for (const j of jobs) {
      const d = this.done.get(j.id);
      if (d) out.push(resultRow(j, d));
    }
    return out;
  }

  /** Rewrite the parquet file if `minIntervalMs` passed since the last write (checkpoint during a run). */
  checkpoint(jobs: readonly SweepJob[], minIntervalMs = 15_000): void {
    if (Date.now() - this.lastParquet < minIntervalMs) return;
    this.writeParquet(this.rows(jobs));
  }

  /** Final form: results.csv with exactly these jobs in grid order (atomic rename), and results.parquet. */
  finish(jobs: readonly SweepJob[]): ResultRow[] {
    const rows = this.rows(jobs);
    const text = `${this.columns.join(',')}\n${rows.map((r) => `${csvLine(this.columns, r)}\n`).join('')}`;
    atomicWrite(join(this.dir, RESULTS_CSV), text);
    this.writeParquet(rows);
    return rows;
  }

  private writeParquet(rows: readonly ResultRow[]): void {
    this.lastParquet = Date.now();
    if (rows.length === 0) return;
    const cols: Record<string, pl.Series> = {};
    for (const c of this.columns) {
      const vs = rows.map((r) => r[c] ?? null);
      const numeric = c !== 'final_equity' && vs.every((v) => v === null || typeof v === 'number' || v === 'Infinity');
      const ints = numeric && vs.every((v) => typeof v === 'number' && Number.isSafeInteger(v));
      cols[c] = ints
        ? pl.Series(c, vs as number[], pl.Int64)
        : numeric
        ? pl.Series(c, vs.map((v) => (v === 'Infinity' ? Infinity : (v as number | null))), pl.Float64)
        : vs.every((v) => v === null || typeof v === 'boolean')
          ? pl.Series(c, vs as Array<boolean | null>, pl.Bool)
          : pl.Series(c, vs.map((v) => (v === null ? null : String(v))), pl.Utf8);
    }
    const path = join(this.dir, RESULTS_PARQUET);
    pl.DataFrame(Object.values(cols)).writeParquet(`${path}.tmp`);
    renameSync(`${path}.tmp`, path);
  }
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}
