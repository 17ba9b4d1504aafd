/**
 * CSV bars in the layouts people actually have:
 *   - Yahoo:          Date,Open,High,Low,Close,Adj Close,Volume
 *   - Alpha Vantage:  timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient
 *   - any header naming date/open/high/low/close/volume in any order (e.g. Date,Open,Close,High,Low,Volume),
 *     an unnamed first column taken as the date (pandas' default index column),
 *   - minute files whose rows carry separate date and time fields (`2006-01-02,09:01:00,...`, with or without
 *     a header), and headerless files in date[,time],open,high,low,close[,volume[,oi]] order.
 * Intraday timestamps written without a zone are exchange-local wall time: they are read in `timezone`
 * (default America/New_York, config `data.timezone`) and converted to UTC, so session and calendar logic
 * sees the real instant. Daily bars (no time of day) stay labelled by their date at midnight UTC, as
 * everywhere in the library. Timestamps with a zone or offset are taken as written. The symbol defaults to
 * the file name.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { INTERVAL_MS, makeSeries, type BarSeries, type Interval } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import { zonedToUtc } from '../core/timezone.js';
import { adjustSeries } from './adjust.js';
import { DEFAULT_POLICY, validateColumns, type DataIssue, type RawColumns, type ValidationPolicy } from './validate.js';

export interface CsvOptions {
  /** Adjust OHLC for splits and dividends (default true). */
  readonly adjust?: boolean;
  /** Symbol name (default: the file name without extension). */
  readonly symbol?: string;
  readonly policy?: ValidationPolicy;
  /** Force the interval instead of inferring it from the timestamps. */
  readonly interval?: Interval;
  /** IANA zone of intraday timestamps written without one (default America/New_York). */
  readonly timezone?: string;
}

export const DEFAULT_TIMEZONE = 'America/New_York';
const DAY_MS = 86_400_000;

export interface CsvLoad {
  readonly series: BarSeries;
  readonly issues: readonly DataIssue[];
}

type Field = 'date' | 'time' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'adjClose' | 'dividends' | 'splits';

const ALIASES: Record<string, Field> = {
  date: 'date',
  datetime: 'date',
  timestamp: 'date',
  time: 'time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  adjclose: 'adjClose',
  adjustedclose: 'adjClose',
  dividendamount: 'dividends',
  dividend: 'dividends',
  dividends: 'dividends',
  splitcoefficient: 'splits',
  split: 'splits',
  splits: 'splits',
  stocksplits: 'splits',
};

const REQUIRED: readonly Field[] = ['date', 'open', 'high', 'low', 'close'];

/** Read and validate a CSV file; returns the series and the list of (non-fatal) issues found. */
export function loadCsvFile(path: string, opts: CsvOptions = {}): CsvLoad {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(path, null, null, `cannot read file: ${(e as Error).message}`);
  }
  return parseCsv(text, { ...opts, symbol: opts.symbol ?? basename(path, extname(path)) }, path);
}

/** Read a CSV file into a series; throws DataError (file, row, field) on fatal problems. */
export function readCsvFile(path: string, opts: CsvOptions = {}): BarSeries {
  return loadCsvFile(path, opts).series;
}

export function parseCsv(text: string, opts: CsvOptions & { symbol: string }, source = opts.symbol): CsvLoad {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first === lines.length) throw new DataError(source, null, null, 'file is empty');
  const head = splitRow(lines[first]);
  const hasHeader = !/^\d{4}-?\d{2}-?\d{2}/.test(head[0].trim());
  const firstData = hasHeader ? first + 1 : first;
  const sample = firstDataRow(lines, firstData);
  if (!sample) throw new DataError(source, null, null, 'no data rows');
  const layout = hasHeader ? headerLayout(head, sample, source, first + 1) : positionalLayout(sample);

  const cap = lines.length - firstData;
  const raw: RawColumns = {
    time: new Float64Array(cap),
    open: new Float64Array(cap),
    high: new Float64Array(cap),
    low: new Float64Array(cap),
    close: new Float64Array(cap),
    volume: new Float64Array(cap),
    adjClose: layout.adjClose === undefined ? null : new Float64Array(cap),
    dividends: layout.dividends === undefined ? null : new Float64Array(cap),
    splits: layout.splits === undefined ? null : new Float64Array(cap),
    line: new Int32Array(cap),
  };
  let n = 0;
  // Rows whose timestamp carried no zone, and whether any of them has a time of day (an intraday file).
  const zoneless = new Uint8Array(cap);
  let timeOfDay = false;
  for (let li = firstData; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const cells = splitRow(line);
    const row = li + 1;
    if (cells.length < layout.width) {
      throw new DataError(source, row, null, `expected ${layout.width} fields, found ${cells.length}`);
    }
    const dateText = layout.time === undefined ? cells[layout.date] : `${cells[layout.date]} ${cells[layout.time]}`;
    const t = parseTimestamp(dateText);
    if (Number.isNaN(t)) throw new DataError(source, row, 'date', `cannot read ${JSON.stringify(dateText)} as a date`);
    if (ZONELESS.test(dateText.trim())) {
      zoneless[n] = 1;
      if (t % DAY_MS !== 0) timeOfDay = true;
    }
    raw.time[n] = t;
    raw.open[n] = num(cells[layout.open]);
    raw.high[n] = num(cells[layout.high]);
    raw.low[n] = num(cells[layout.low]);
    raw.close[n] = num(cells[layout.close]);
    raw.volume[n] = layout.volume === undefined ? 0 : num(cells[layout.volume]);
    if (raw.adjClose) raw.adjClose[n] = num(cells[layout.adjClose!]);
    if (raw.dividends) raw.dividends[n] = num(cells[layout.dividends!]) || 0;
    if (raw.splits) raw.splits[n] = num(cells[layout.splits!]) || 1;
    raw.line[n] = row;
    n++;
  }
  const tz = opts.timezone ?? DEFAULT_TIMEZONE;
  if (timeOfDay && tz !== 'UTC') {
    for (let i = 0; i < n; i++) if (zoneless[i]) raw.time[i] = zonedToUtc(raw.time[i], tz);
  }
  const trimmed = trim(raw, n);
  const { cols, issues } = validateColumns(source, trimmed, opts.policy ?? DEFAULT_POLICY);
  if (cols.adjClose) {
    for (let i = 0; i < cols.adjClose.length; i++) {
      const a = cols.adjClose[i];
      if (!(a > 0)) throw new DataError(source, cols.line[i], 'adjusted close', `${Number.isNaN(a) ? 'missing or not a number' : a}; must be > 0`);
    }
  }
  const interval = opts.interval ?? inferInterval(cols.time);
  let series = makeSeries(opts.symbol, interval, cols, false);
  if (opts.adjust !== false) series = adjustSeries(series);
  return { series, issues };
}

interface Layout {
  width: number;
  date: number;
  time?: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
  adjClose?: number;
  dividends?: number;
  splits?: number;
}

function headerLayout(head: string[], sample: string[], source: string, headerRow: number): Layout {
  const layout: Partial<Layout> = {};
  head.forEach((h, i) => {
    const key = h.trim().toLowerCase().replace(/[^a-z]/g, '');
    const f: Field | undefined = key === '' && i === 0 ? 'date' : ALIASES[key];
    if (f && (layout as Record<string, number>)[f] === undefined) (layout as Record<string, number>)[f] = i;
  });
  // backtrader minute files: header names 7 fields, rows carry 8 (date and time split).
  if (sample.length === head.length + 1 && /^\d{1,2}:\d{2}/.test(sample[1] ?? '')) {
    const shifted: Partial<Layout> = { date: 0, time: 1 };
    for (const [k, v] of Object.entries(layout) as Array<[keyof Layout, number]>) {
      if (k !== 'date' && k !== 'time') (shifted as Record<string, number>)[k] = v + 1;
    }
    return { ...(shifted as Layout), width: sample.length };
  }
  const missing = REQUIRED.filter((f) => (layout as Record<string, number>)[f] === undefined);
  if (missing.length > 0) {
    throw new DataError(source, headerRow, missing[0], `header ${JSON.stringify(head.join(','))} has no ${missing.join(', ')} column; expected a Yahoo (Date,Open,High,Low,Close,Adj Close,Volume) or Alpha Vantage (timestamp,open,high,low,close,adjusted_close,volume,...) layout`);
  }
  return { ...(layout as Layout), width: head.length };
}

function positionalLayout(sample: string[]): Layout {
  const hasTime = /^\d{1,2}:\d{2}/.test(sample[1] ?? '');
  const o = hasTime ? 2 : 1;
  return { width: o + 4, date: 0, time: hasTime ? 1 : undefined, open: o, high: o + 1, low: o + 2, close: o + 3, volume: sample.length > o + 4 ? o + 4 : undefined };
}

function firstDataRow(lines: string[], from: number): string[] | null {
  for (let i = from; i < lines.length; i++) if (lines[i].trim() !== '') return splitRow(lines[i]);
  return null;
}

function splitRow(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const ch of line) {
    if (ch === '"') q = !q;
    else if (ch === ',' && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  if (t === '' || t === 'null' || t === 'NaN' || t === 'nan') return NaN;
  return Number(t);
}

const ZONELESS = /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/**
 * YYYY-MM-DD, YYYYMMDD, or with a time (space or T separated, optional zone). A zone-less time comes back as
 * its wall-clock fields read as UTC; parseCsv converts those from the exchange zone.
 */
export function parseTimestamp(s: string): number {
  const t = s.trim();
  const m = ZONELESS.exec(t);
  if (m) {
    const y = +m[1];
    const mo = +m[2];
    const d = +m[3];
    const h = m[4] ? +m[4] : 0;
    const mi = m[5] ? +m[5] : 0;
    const se = m[6] ? +m[6] : 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return NaN;
    const ms = Date.UTC(y, mo - 1, d, h, mi, se);
    return new Date(ms).getUTCDate() === d ? ms : NaN;
  }
  return Date.parse(t);
}

/** The interval nearest the lower-quartile spacing of the timestamps (robust to weekends and session breaks). */
export function inferInterval(time: Float64Array): Interval {
  if (time.length < 2) return '1d';
  const diffs: number[] = [];
  for (let i = 1; i < Math.min(time.length, 500); i++) diffs.push(time[i] - time[i - 1]);
  diffs.sort((a, b) => a - b);
  const med = diffs[diffs.length >> 2];
  let best: Interval = '1d';
  let bestErr = Infinity;
  for (const [k, v] of Object.entries(INTERVAL_MS) as Array<[Interval, number]>) {
    const err = Math.abs(Math.log(med / v));
    if (err < bestErr) {
      bestErr = err;
      best = k;
    }
  }
  return best;
}

function trim(c: RawColumns, n: number): RawColumns {
  const s = (a: Float64Array | null) => (a ? a.slice(0, n) : null);
  return {
    time: c.time.slice(0, n),
    open: c.open.slice(0, n),
    high: c.high.slice(0, n),
    low: c.low.slice(0, n),
    close: c.close.slice(0, n),
    volume: c.volume.slice(0, n),
    adjClose: s(c.adjClose),
    dividends: s(c.dividends),
    splits: s(c.splits),
    line: c.line.slice(0, n),
  };
}
