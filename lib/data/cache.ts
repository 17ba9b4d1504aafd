/**
 * On-disk bar cache: one JSON file per (provider, symbol, interval) holding the bars and the time ranges
 * already fetched. A request is answered from disk for covered ranges; only the missing pieces go to the
 * network. Files are written atomically (temp file + rename) so a crash never leaves a torn cache.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeSeries, type BarSeries, type Interval } from '../core/bars.js';
import { DataError } from '../core/errors.js';

export type Range = readonly [start: number, end: number];

interface CacheFile {
  version: 1;
  symbol: string;
  interval: Interval;
  coverage: Array<[number, number]>;
  adjusted: boolean;
  bars: { time: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[]; adjClose: number[] | null; dividends: number[] | null; splits: number[] | null };
}

export class BarCache {
  constructor(readonly dir: string) {}

  private file(provider: string, symbol: string, interval: Interval): string {
    return join(this.dir, provider, `${symbol.replace(/[^A-Za-z0-9._^=-]/g, '_')}_${interval}.json`);
  }

  read(provider: string, symbol: string, interval: Interval): { series: BarSeries | null; coverage: Range[] } {
    const f = this.file(provider, symbol, interval);
    if (!existsSync(f)) return { series: null, coverage: [] };
    let c: CacheFile;
    try {
      c = JSON.parse(readFileSync(f, 'utf8')) as CacheFile;
    } catch (e) {
      throw new DataError(f, null, null, `corrupt cache file (${(e as Error).message}); delete it to refetch`);
    }
    if (c.version !== 1) throw new DataError(f, null, 'version', `unsupported cache version ${String(c.version)}`);
    const b = c.bars;
    return { series: makeSeries(symbol, interval, b, c.adjusted), coverage: c.coverage };
  }

  /** Merge new bars (newer values win on equal timestamps) and a newly covered range into the cache. */
  write(provider: string, symbol: string, interval: Interval, fresh: BarSeries, covered: Range): BarSeries {
    const { series: old, coverage } = this.read(provider, symbol, interval);
    const merged = old ? mergeSeries(old, fresh) : fresh;
    const file: CacheFile = {
      version: 1,
      symbol,
      interval,
      coverage: mergeRanges([...coverage, covered]).map(([a, b]) => [a, b]),
      adjusted: merged.adjusted,
      bars: {
        time: Array.from(merged.time),
        open: Array.from(merged.open),
        high: Array.from(merged.high),
        low: Array.from(merged.low),
        close: Array.from(merged.close),
        volume: Array.from(merged.volume),
        adjClose: merged.adjClose ? Array.from(merged.adjClose) : null,
        dividends: merged.dividends ? Array.from(merged.dividends) : null,
        splits: merged.splits ? Array.from(merged.splits) : null,
      },
    };
    const f = this.file(provider, symbol, interval);
    mkdirSync(join(this.dir, provider), { recursive: true });
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file));
    renameSync(tmp, f);
    return merged;
  }
}

/** Union of ranges, sorted, touching ranges joined. */
export function mergeRanges(rs: readonly Range[]): Range[] {
  const s = [...rs].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The parts of [start, end) not inside any covered range. */
export function missingRanges(start: number, end: number, covered: readonly Range[]): Range[] {
  const out: Range[] = [];
  let cur = start;
  for (const [a, b] of mergeRanges(covered)) {
    if (b <= cur) continue;
    if (a >= end) break;
    if (a > cur) out.push([cur, Math.min(a, end)]);
    cur = Math.max(cur, b);
    if (cur >= end) break;
  }
  if (cur < end) out.push([cur, end]);
  return out;
}

function mergeSeries(a: BarSeries, b: BarSeries): BarSeries {
  const rows = new Map<number, [BarSeries, number]>();
  for (let i = 0; i < a.length; i++) rows.set(a.time[i], [a, i]);
  for (let i = 0; i < b.length; i++) rows.set(b.time[i], [b, i]);
  const keys = [...rows.keys()].sort((x, y) => x - y);
  const col = (pick: (s: BarSeries) => Float64Array | null, fill: number) =>
    keys.map((k) => {
      const [s, i] = rows.get(k)!;
      const c = pick(s);
      return c ? c[i] : fill;
    });
  const has = (pick: (s: BarSeries) => Float64Array | null) => pick(a) !== null || pick(b) !== null;
  return makeSeries(
    a.symbol,
    a.interval,
    {
      time: keys,
      open: col((s) => s.open, NaN),
      high: col((s) => s.high, NaN),
      low: col((s) => s.low, NaN),
      close: col((s) => s.close, NaN),
      volume: col((s) => s.volume, 0),
      adjClose: has((s) => s.adjClose) ? col((s) => s.adjClose ?? s.close, NaN) : null,
      dividends: has((s) => s.dividends) ? col((s) => s.dividends, 0) : null,
      splits: has((s) => s.splits) ? col((s) => s.splits, 1) : null,
    },
    a.adjusted,
  );
}
