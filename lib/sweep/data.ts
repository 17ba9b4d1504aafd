/**
 * Data by reference: a sweep's jobs carry the list of data files with the SHA-256 of each, never the bars.
 * Whoever runs a job (a worker thread here, a worker process on another machine) loads the files once,
 * checks every hash and refuses the job when one differs, so a result always belongs to the data it names.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { parseCsv } from '../data/csv.js';
import { syntheticMarket } from '../data/synthetic.js';
import type { SweepDataSpec } from './spec.js';

export type DataRef =
  | { readonly kind: 'csv'; readonly adjust: boolean; readonly timezone?: string; readonly files: ReadonlyArray<{ readonly symbol: string; readonly path: string; readonly sha256: string }> }
  | { readonly kind: 'synthetic'; readonly symbols: readonly string[]; readonly start: string; readonly end: string; readonly seed: number };

/** Raised when local data does not match a job's data reference: the job must not run here. */
export class DataMismatchError extends Error {
  override readonly name = 'DataMismatchError';
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with sorted object keys: the same value always gives the same text (and so the same hash). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** Hash of what the data IS (file contents and adjustment, or synthetic parameters), not where it lives. */
export function dataHash(ref: DataRef): string {
  if (ref.kind === 'synthetic') return sha256(canonicalJson(ref));
  // timezone only when set: the hashes of sweeps without one stay what they were
  return sha256(canonicalJson({ kind: 'csv', adjust: ref.adjust, timezone: ref.timezone, files: ref.files.map((f) => [f.symbol, f.sha256]) }));
}

/** The data reference of a spec: lists the CSV files and hashes their contents. */
export function dataRefFor(spec: SweepDataSpec): DataRef {
  if (spec.kind === 'synthetic') return { kind: 'synthetic', symbols: spec.symbols, start: spec.start, end: spec.end, seed: spec.seed };
  if (!existsSync(spec.dir)) throw new ValidationError('data.csv_dir', 'does not exist', spec.dir);
  const available = readdirSync(spec.dir)
    .filter((f) => f.toLowerCase().endsWith('.csv'))
    .map((f) => f.slice(0, -4))
    .sort();
  const symbols = spec.symbols ?? available;
  if (symbols.length === 0) throw new ValidationError('data.csv_dir', 'has no SYMBOL.csv files', spec.dir);
  const files = symbols.map((symbol, i) => {
    if (!available.includes(symbol)) throw new ValidationError(`data.symbols[${i}]`, `has no file ${symbol}.csv in ${spec.dir}`, symbol);
    const path = join(spec.dir, `${symbol}.csv`);
    return { symbol, path, sha256: sha256(readFileSync(path)) };
  });
  return { kind: 'csv', adjust: spec.adjust, ...(spec.timezone ? { timezone: spec.timezone } : {}), files };
}

export interface LoadedData {
  readonly hash: string;
  readonly series: ReadonlyMap<string, BarSeries>;
}

/**
 * Load the bars a reference names, checking each file's hash. `dataDir` (a worker's --data-dir) looks the files
 * up by name in that folder instead of at the coordinator's paths.
 */
export function loadDataRef(ref: DataRef, dataDir?: string): LoadedData {
  const series = new Map<string, BarSeries>();
  if (ref.kind === 'synthetic') {
    for (const s of syntheticMarket({ symbols: ref.symbols, start: ref.start, end: ref.end, seed: ref.seed })) series.set(s.symbol, s);
  } else {
    for (const f of ref.files) {
      const path = dataDir ? join(dataDir, basename(f.path)) : f.path;
      if (!existsSync(path)) throw new DataMismatchError(`data file for ${f.symbol} not found at ${path}${dataDir ? '' : ' (give the worker --data-dir DIR where the files are)'}`);
      const bytes = readFileSync(path);
      const got = sha256(bytes);
      if (got !== f.sha256) {
        throw new DataMismatchError(`data file ${path} has sha256 ${got.slice(0, 12)}… but the sweep expects ${f.sha256.slice(0, 12)}…: this machine's data differs from the sweep's`);
      }
      series.set(f.symbol, parseCsv(bytes.toString('utf8'), { symbol: f.symbol, adjust: ref.adjust, timezone: ref.timezone }, path).series);
    }
  }
  return { hash: dataHash(ref), series };
}

/**
 * One data set per thread: jobs of the same sweep share the bars; a job with another data hash replaces them
 * (so memory stays flat however many jobs a worker runs). `loads` counts actual loads.
 */
export class DataCache {
  private current: LoadedData | null = null;
  loads = 0;
  constructor(private readonly dataDir?: string) {}

  get(ref: DataRef, hash: string): LoadedData {
    if (this.current?.hash === hash) return this.current;
    this.current = null;
    if (dataHash(ref) !== hash) throw new DataMismatchError(`job's data reference does not hash to its data hash ${hash.slice(0, 12)}…`);
    const d = loadDataRef(ref, this.dataDir);
    this.loads++;
    this.current = d;
    return d;
  }
}
