/**
 * Data validation. Problems are located by source, row and field. Fatal problems stop the load with that
 * message; repairable ones are handled by a configured policy and listed so reports can show them.
 */
import { DataError } from '../core/errors.js';

export type Severity = 'fatal' | 'repaired' | 'dropped' | 'warning';

export interface DataIssue {
  readonly source: string;
  /** 1-based line in the source file (header is line 1), or 0 for whole-series issues. */
  readonly row: number;
  readonly field: string;
  readonly problem: string;
  readonly severity: Severity;
}

export interface ValidationPolicy {
  /** Rows out of time order: 'error' stops; 'sort' sorts (a wholly descending file is always reversed). */
  readonly unsorted: 'error' | 'sort';
  /** Repeated timestamps: 'error' stops; 'keep-last' keeps the last row of each timestamp. */
  readonly duplicates: 'error' | 'keep-last';
  /** Missing, NaN, zero or negative prices: 'error' stops; 'drop' drops the row. */
  readonly badPrice: 'error' | 'drop';
  /** High/low not bracketing open/close (a vendor glitch): 'error' stops; 'repair' widens high/low; 'drop' drops. */
  readonly ohlcInconsistent: 'error' | 'repair' | 'drop';
  /** Report a warning for runs of at least this many zero-volume bars (0 disables). */
  readonly zeroVolumeRun: number;
  /** Report a warning for gaps longer than this many calendar days between daily bars (0 disables). */
  readonly maxGapDays: number;
}

export const DEFAULT_POLICY: ValidationPolicy = {
  unsorted: 'sort',
  duplicates: 'error',
  badPrice: 'error',
  ohlcInconsistent: 'repair',
  zeroVolumeRun: 5,
  maxGapDays: 5,
};

/** Raw parsed rows, before validation: columns plus the file line each row came from. */
export interface RawColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  adjClose: Float64Array | null;
  dividends: Float64Array | null;
  splits: Float64Array | null;
  line: Int32Array;
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/**
 * Check and repair raw columns according to the policy. Returns new columns (the input is not changed)
 * and the list of issues. Throws DataError on the first fatal problem.
 */
export function validateColumns(source: string, raw: RawColumns, policy: ValidationPolicy = DEFAULT_POLICY): { cols: RawColumns; issues: DataIssue[] } {
  const issues: DataIssue[] = [];
  const fatal = (row: number, field: string, problem: string): never => {
    throw new DataError(source, row, field, problem);
  };
  let cols = raw;
  const n0 = cols.time.length;
  if (n0 === 0) fatal(0, 'rows', 'no data rows');

  // Order: a wholly descending file (as Alpha Vantage serves it) is reversed; other disorder per policy.
  let descending = n0 > 1;
  let ascending = true;
  for (let i = 1; i < n0; i++) {
    if (cols.time[i] >= cols.time[i - 1]) descending = false;
    if (cols.time[i] < cols.time[i - 1]) ascending = false;
  }
  if (descending) {
    cols = permute(cols, Int32Array.from({ length: n0 }, (_, i) => n0 - 1 - i));
  } else if (!ascending) {
    let first = 1;
    while (cols.time[first] >= cols.time[first - 1]) first++;
    if (policy.unsorted === 'error') fatal(cols.line[first], 'date', `timestamp ${new Date(cols.time[first]).toISOString()} is earlier than the row before it (rows must be in time order)`);
    issues.push({ source, row: cols.line[first], field: 'date', problem: 'rows out of time order; sorted', severity: 'repaired' });
    const idx = Int32Array.from({ length: n0 }, (_, i) => i).sort((a, b) => cols.time[a] - cols.time[b] || a - b);
    cols = permute(cols, idx);
  }

  const keep = new Uint8Array(cols.time.length).fill(1);
  for (let i = 1; i < cols.time.length; i++) {
    if (cols.time[i] === cols.time[i - 1]) {
      if (policy.duplicates === 'error') fatal(cols.line[i], 'date', `duplicate timestamp ${new Date(cols.time[i]).toISOString()} (also on line ${cols.line[i - 1]})`);
      keep[i - 1] = 0;
      issues.push({ source, row: cols.line[i - 1], field: 'date', problem: `duplicate timestamp; kept line ${cols.line[i]}`, severity: 'dropped' });
    }
  }

  // Copied on the first repair only: the input is not changed, and a clean file costs no copy.
  let high = cols.high;
  let low = cols.low;
  for (let i = 0; i < cols.time.length; i++) {
    if (!keep[i]) continue;
    let bad: string | null = null;
    const o0 = cols.open[i];
    const h0 = high[i];
    const l0 = low[i];
    const c0 = cols.close[i];
    // all four finite and positive (the common case) skips the per-field checks that name the bad one
    const fine = o0 > 0 && o0 < Infinity && h0 > 0 && h0 < Infinity && l0 > 0 && l0 < Infinity && c0 > 0 && c0 < Infinity;
    if (!fine) for (const f of PRICE_FIELDS) {
      const v = cols[f][i];
      if (!Number.isFinite(v)) bad = `${f} is missing or not a number`;
      else if (v <= 0) bad = `${f} is ${v}; prices must be > 0`;
      if (bad) {
        if (policy.badPrice === 'error') fatal(cols.line[i], f, bad);
        keep[i] = 0;
        issues.push({ source, row: cols.line[i], field: f, problem: `${bad}; row dropped`, severity: 'dropped' });
        break;
      }
    }
    if (!keep[i]) continue;
    const v = cols.volume[i];
    if (!(v >= 0)) fatal(cols.line[i], 'volume', `volume is ${Number.isNaN(v) ? 'not a number' : v}; must be >= 0`);
    const o = cols.open[i];
    const c = cols.close[i];
    if (high[i] < low[i]) {
      const msg = `high ${high[i]} is below low ${low[i]}`;
      if (policy.ohlcInconsistent !== 'drop') fatal(cols.line[i], 'high', msg);
      keep[i] = 0;
      issues.push({ source, row: cols.line[i], field: 'high', problem: `${msg}; row dropped`, severity: 'dropped' });
      continue;
    }
    const hi = Math.max(o, c);
    const lo = Math.min(o, c);
    if (high[i] < hi || low[i] > lo) {
      const field = high[i] < hi ? 'high' : 'low';
      const msg = `high/low (${high[i]}/${low[i]}) do not bracket open/close (${o}/${c})`;
      if (policy.ohlcInconsistent === 'error') fatal(cols.line[i], field, msg);
      if (policy.ohlcInconsistent === 'drop') {
        keep[i] = 0;
        issues.push({ source, row: cols.line[i], field, problem: `${msg}; row dropped`, severity: 'dropped' });
      } else {
        if (high === cols.high) {
          high = high.slice();
          low = low.slice();
        }
        high[i] = Math.max(high[i], hi);
        low[i] = Math.min(low[i], lo);
        issues.push({ source, row: cols.line[i], field, problem: `${msg}; widened to ${high[i]}/${low[i]}`, severity: 'repaired' });
      }
    }
  }
  cols = { ...cols, high, low };
  if (keep.includes(0)) {
    const idx: number[] = [];
    for (let i = 0; i < keep.length; i++) if (keep[i]) idx.push(i);
    cols = permute(cols, Int32Array.from(idx));
  }
  if (cols.time.length === 0) fatal(0, 'rows', 'no valid rows left after validation');
  warnZeroVolumeRuns(source, cols, policy, issues);
  warnGaps(source, cols, policy, issues);
  return { cols, issues };
}

function warnZeroVolumeRuns(source: string, cols: RawColumns, policy: ValidationPolicy, issues: DataIssue[]): void {
  if (policy.zeroVolumeRun <= 0) return;
  let start = -1;
  const n = cols.volume.length;
  for (let i = 0; i <= n; i++) {
    const zero = i < n && cols.volume[i] === 0;
    if (zero && start < 0) start = i;
    if (!zero && start >= 0) {
      if (i - start >= policy.zeroVolumeRun) {
        issues.push({ source, row: cols.line[start], field: 'volume', problem: `${i - start} consecutive zero-volume bars (to line ${cols.line[i - 1]})`, severity: 'warning' });
      }
      start = -1;
    }
  }
}

function warnGaps(source: string, cols: RawColumns, policy: ValidationPolicy, issues: DataIssue[]): void {
  if (policy.maxGapDays <= 0 || cols.time.length < 3) return;
  const day = 86_400_000;
  const diffs: number[] = [];
  for (let i = 1; i < Math.min(cols.time.length, 200); i++) diffs.push(cols.time[i] - cols.time[i - 1]);
  diffs.sort((a, b) => a - b);
  if (diffs[diffs.length >> 1] < day) return; // intraday: session breaks are normal
  for (let i = 1; i < cols.time.length; i++) {
    const gap = (cols.time[i] - cols.time[i - 1]) / day;
    if (gap > policy.maxGapDays) {
      issues.push({ source, row: cols.line[i], field: 'date', problem: `gap of ${Math.round(gap)} days since the previous bar`, severity: 'warning' });
    }
  }
}

function permute(c: RawColumns, idx: Int32Array): RawColumns {
  const p = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  const q = (a: Float64Array | null) => (a ? p(a) : null);
  return {
    time: p(c.time),
    open: p(c.open),
    high: p(c.high),
    low: p(c.low),
    close: p(c.close),
    volume: p(c.volume),
    adjClose: q(c.adjClose),
    dividends: q(c.dividends),
    splits: q(c.splits),
    line: Int32Array.from(idx, (i) => c.line[i]),
  };
}
