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
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

/** Files up to this size are read into one string; larger ones in pieces of about this size. */
const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Read and validate a CSV file; returns the series and the list of (non-fatal) issues found. A file larger
 * than CHUNK_BYTES is read and parsed in pieces cut at line ends: a string cannot exceed 512 MB in V8
 * (10 million minute rows are ~600 MB), and the columns are the only copy of the data held.
 */
export function loadCsvFile(path: string, opts: CsvOptions = {}): CsvLoad {
  return loadCsvFileChunked(path, opts, CHUNK_BYTES);
}

/** loadCsvFile with the piece size as a parameter (tests read small files in small pieces). */
export function loadCsvFileChunked(path: string, opts: CsvOptions, chunkBytes: number): CsvLoad {
  const cannot = (e: unknown) => new DataError(path, null, null, `cannot read file: ${(e as Error).message}`);
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
    size = fstatSync(fd).size;
  } catch (e) {
    throw cannot(e);
  }
  const symbol = opts.symbol ?? basename(path, extname(path));
  try {
    let buf = Buffer.alloc(Math.min(size, chunkBytes) + 1);
    let have = 0; // bytes in buf not parsed yet
    let offset = 0; // file position of the next read
    let parser: CsvParser | null = null;
    for (;;) {
      if (have === buf.length) {
        // a line longer than the piece: read on until it ends
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      let got: number;
      try {
        got = readSync(fd, buf, have, buf.length - have, offset);
      } catch (e) {
        throw cannot(e);
      }
      offset += got;
      have += got;
      const eof = got === 0 || offset >= size;
      // cut after the last '\n' (never inside a UTF-8 sequence); at the end of the file, take everything
      const cut = eof ? have : buf.lastIndexOf(10, have - 1) + 1;
      if (cut === 0 && !eof) continue;
      const text = buf.toString('utf8', 0, cut);
      // the first piece must hold the header and a row, which fix the layout
      if (parser === null && !eof && !hasTwoLines(text)) continue;
      if (parser === null) parser = new CsvParser(text, { ...opts, symbol }, path, eof ? null : (text.length * size) / cut);
      else parser.feed(text);
      buf.copy(buf, 0, cut, have);
      have -= cut;
      if (eof) break;
    }
    return parser!.finish();
  } finally {
    closeSync(fd);
  }
}

function hasTwoLines(text: string): boolean {
  const ln = new LineScanner(text);
  return ln.next() && ln.next();
}

/** Read a CSV file into a series; throws DataError (file, row, field) on fatal problems. */
export function readCsvFile(path: string, opts: CsvOptions = {}): BarSeries {
  return loadCsvFile(path, opts).series;
}

export function parseCsv(text: string, opts: CsvOptions & { symbol: string }, source = opts.symbol): CsvLoad {
  return new CsvParser(text, opts, source, null).finish();
}

/**
 * The CSV reader: the first piece of text fixes the layout (header or positional) and is parsed; later
 * pieces (whole lines) are parsed on; finish() validates and builds the series. One pass over the text with
 * indexOf: no array of lines, no array of cells per row (1M rows in well under 1 s).
 */
class CsvParser {
  private readonly layout: Layout;
  private readonly used: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private raw: RawColumns;
  /** Rows whose timestamp carried no zone, and whether any of them has a time of day (an intraday file). */
  private zoneless: Uint8Array;
  private timeOfDay = false;
  private n = 0;
  /** The file line of the last line parsed. */
  private row = 0;

  /** `estimatedChars`: the whole file's length in characters when `text` is only its first piece. */
  constructor(
    text: string,
    private readonly opts: CsvOptions & { symbol: string },
    private readonly source: string,
    estimatedChars: number | null,
  ) {
    const ln = new LineScanner(text);
    if (!ln.next()) throw new DataError(source, null, null, 'file is empty');
    const head = splitRow(ln.text);
    const headRow = ln.row;
    const hasHeader = !/^\d{4}-?\d{2}-?\d{2}/.test(head[0].trim());
    const dataStart = hasHeader ? ln.mark() : ln.current();
    if (hasHeader && !ln.next()) throw new DataError(source, null, null, 'no data rows');
    const sample = splitRow(ln.text);
    const layout = hasHeader ? headerLayout(head, sample, source, headRow) : positionalLayout(sample);
    this.layout = layout;
    // Rows in this piece, exactly; for a file read in pieces, scaled to the file's size with a margin (grown if short).
    const lines = countLines(text, dataStart.pos);
    const cap = estimatedChars === null ? lines : Math.ceil((lines * estimatedChars * 1.02) / Math.max(1, text.length - dataStart.pos)) + 1024;
    this.raw = {
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
    this.zoneless = new Uint8Array(cap);
    // Fields to locate: the layout's width, or further when a used column lies beyond it (headerless volume).
    this.used = Math.max(layout.width, ...[layout.date, layout.time, layout.open, layout.high, layout.low, layout.close, layout.volume, layout.adjClose, layout.dividends, layout.splits].map((k) => (k ?? -1) + 1));
    this.starts = new Int32Array(this.used);
    this.ends = new Int32Array(this.used);
    this.row = dataStart.row;
    this.parse(text, dataStart.pos);
  }

  /** The next piece: whole lines following the previous piece's. */
  feed(text: string): void {
    this.parse(text, 0);
  }

  private grow(): void {
    const cap = Math.ceil(this.raw.time.length * 1.25) + 1024;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (k: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    const f = (a: Float64Array) => g(a, (k) => new Float64Array(k));
    const r = this.raw;
    this.raw = {
      time: f(r.time),
      open: f(r.open),
      high: f(r.high),
      low: f(r.low),
      close: f(r.close),
      volume: f(r.volume),
      adjClose: r.adjClose && f(r.adjClose),
      dividends: r.dividends && f(r.dividends),
      splits: r.splits && f(r.splits),
      line: g(r.line, (k) => new Int32Array(k)),
    };
    this.zoneless = g(this.zoneless, (k) => new Uint8Array(k));
  }

  private parse(text: string, from: number): void {
    const { layout, used, starts, ends, source } = this;
    const width = layout.width;
    const cell = (k: number) => text.slice(starts[k], ends[k]);
    const field = (k: number) => fastNum(text, starts[k], ends[k]);
    const ln = new LineScanner(text);
    ln.reset({ pos: from, row: this.row });
    // The next quote at or after the current line (found once, not rescanned per line: that would be quadratic).
    let quote = text.indexOf('"', from);
    // The row count, columns and flags in locals for the loop (written back at the end and around a grow).
    let n = this.n;
    let raw = this.raw;
    let zoneless = this.zoneless;
    let timeOfDay = this.timeOfDay;
    while (ln.next()) {
      if (n === raw.time.length) {
        this.n = n;
        this.grow();
        raw = this.raw;
        zoneless = this.zoneless;
      }
      const row = ln.row;
      if (quote >= 0 && quote < ln.pos) quote = text.indexOf('"', ln.pos);
      if (quote >= 0 && quote < ln.end) {
        // Quoted fields (rare): split the line and parse its cells the general way.
        const cells = splitRow(ln.text);
        if (cells.length < width) throw new DataError(source, row, null, `expected ${width} fields, found ${cells.length}`);
        if (parseQuotedRow(cells, layout, raw, n, source, row)) {
          zoneless[n] = 1;
          if (raw.time[n] % DAY_MS !== 0) timeOfDay = true;
        }
        raw.line[n++] = row;
        continue;
      }
      let found = 0;
      let a = ln.pos;
      while (found < used) {
        const c = text.indexOf(',', a);
        const e = c < 0 || c > ln.end ? ln.end : c;
        starts[found] = a;
        ends[found] = e;
        found++;
        if (e === ln.end) break;
        a = e + 1;
      }
      if (found < width) throw new DataError(source, row, null, `expected ${width} fields, found ${ln.text.split(',').length}`);
      for (let k = found; k < used; k++) starts[k] = ends[k] = ln.end; // missing optional trailing fields read as empty
      let t = layout.time === undefined ? fastTimestamp(text, starts[layout.date], ends[layout.date]) : fastDateTime(text, starts[layout.date], ends[layout.date], starts[layout.time], ends[layout.time]);
      // The fast forms carry no zone; the general parser's input is checked.
      let noZone = true;
      if (t !== t) {
        // Not the common layout: the general parser decides (and names the row when it cannot).
        const dateText = layout.time === undefined ? cell(layout.date) : `${cell(layout.date)} ${cell(layout.time)}`;
        t = parseTimestamp(dateText);
        if (Number.isNaN(t)) throw new DataError(source, row, 'date', `cannot read ${JSON.stringify(dateText)} as a date`);
        noZone = ZONELESS.test(dateText.trim());
      }
      if (noZone) {
        zoneless[n] = 1;
        if (t % DAY_MS !== 0) timeOfDay = true;
      }
      raw.time[n] = t;
      raw.open[n] = field(layout.open);
      raw.high[n] = field(layout.high);
      raw.low[n] = field(layout.low);
      raw.close[n] = field(layout.close);
      raw.volume[n] = layout.volume === undefined ? 0 : field(layout.volume);
      if (raw.adjClose) raw.adjClose[n] = field(layout.adjClose!);
      if (raw.dividends) raw.dividends[n] = field(layout.dividends!) || 0;
      if (raw.splits) raw.splits[n] = field(layout.splits!) || 1;
      raw.line[n++] = row;
    }
    this.n = n;
    this.timeOfDay = timeOfDay;
    this.row = ln.row;
  }

  finish(): CsvLoad {
    const { opts, source, raw, n, zoneless } = this;
    const tz = opts.timezone ?? DEFAULT_TIMEZONE;
    if (this.timeOfDay && tz !== 'UTC') {
      // One offset per wall-clock day when it is the same at the day's first and last millisecond (every day
      // but a DST change's, which is converted row by row): two tz look-ups a day, not three a row.
      let day = NaN;
      let off = NaN;
      for (let i = 0; i < n; i++) {
        if (!zoneless[i]) continue;
        const w = raw.time[i];
        const d = Math.floor(w / DAY_MS);
        if (d !== day) {
          day = d;
          const a = d * DAY_MS;
          const first = a - zonedToUtc(a, tz);
          off = a + DAY_MS - 1 - zonedToUtc(a + DAY_MS - 1, tz) === first ? first : NaN;
        }
        raw.time[i] = off === off ? w - off : zonedToUtc(w, tz);
      }
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
}

/** Parses one row of quoted fields into slot n; true when its timestamp carried no zone. */
function parseQuotedRow(cells: string[], layout: Layout, raw: RawColumns, n: number, source: string, row: number): boolean {
  const dateText = layout.time === undefined ? cells[layout.date] : `${cells[layout.date]} ${cells[layout.time]}`;
  const t = parseTimestamp(dateText);
  if (Number.isNaN(t)) throw new DataError(source, row, 'date', `cannot read ${JSON.stringify(dateText)} as a date`);
  raw.time[n] = t;
  raw.open[n] = num(cells[layout.open]);
  raw.high[n] = num(cells[layout.high]);
  raw.low[n] = num(cells[layout.low]);
  raw.close[n] = num(cells[layout.close]);
  raw.volume[n] = layout.volume === undefined ? 0 : num(cells[layout.volume]);
  if (raw.adjClose) raw.adjClose[n] = num(cells[layout.adjClose!]);
  if (raw.dividends) raw.dividends[n] = num(cells[layout.dividends!]) || 0;
  if (raw.splits) raw.splits[n] = num(cells[layout.splits!]) || 1;
  return ZONELESS.test(dateText.trim());
}

/** Lines of a text by offsets, without allocating per line: next() moves pos/end/row to the next non-blank line. */
class LineScanner {
  /** Start and end (before \r?\n) of the current line, and its 1-based number. */
  pos = 0;
  end = 0;
  row = 0;
  private nextPos = 0;
  constructor(private readonly src: string) {}
  get text(): string {
    return this.src.slice(this.pos, this.end);
  }
  /** Where the scan stands (to come back with reset). */
  mark(): { pos: number; row: number } {
    return { pos: this.nextPos, row: this.row };
  }
  current(): { pos: number; row: number } {
    return { pos: this.pos, row: this.row - 1 };
  }
  reset(m: { pos: number; row: number }): void {
    this.nextPos = m.pos;
    this.row = m.row;
  }
  next(): boolean {
    const s = this.src;
    while (this.nextPos < s.length) {
      const pos = this.nextPos;
      let nl = s.indexOf('\n', pos);
      if (nl < 0) nl = s.length;
      const end = nl > pos && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.row++;
      this.nextPos = nl + 1;
      if (end > pos && (s.charCodeAt(pos) > 32 || s.slice(pos, end).trim() !== '')) {
        this.pos = pos;
        this.end = end;
        return true;
      }
    }
    return false;
  }
}

function countLines(s: string, from: number): number {
  let n = 1;
  for (let i = s.indexOf('\n', from); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const TWO53 = 2 ** 53;

/**
 * A plain decimal field (-?digits[.digits]) parsed from the text without a substring: an integer mantissa
 * below 2^53 divided by an exact power of ten is correctly rounded (Clinger's fast path), so the result is
 * exactly Number(field). Anything else (exponents, spaces, 'null', long mantissas) goes through num().
 */
function fastNum(s: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  if (i < b && s.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      m = m * 10 + c;
      digits++;
      if (frac >= 0) frac++;
    } else if (c === -2 && frac < 0) frac = 0; // '.'
    else return num(s.slice(a, b));
  }
  if (digits === 0 || m >= TWO53 || frac > 22) return num(s.slice(a, b));
  const v = frac > 0 ? m / POW10[frac] : m;
  return neg ? -v : v;
}

const CUM_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/** YYYY-MM-DD at s[a..a+10) as UTC ms, NaN when it is not a valid calendar date in that form. */
function fastDate(s: string, a: number): number {
  if (s.charCodeAt(a + 4) !== 45 || s.charCodeAt(a + 7) !== 45) return NaN;
  const y = d2(s, a) * 100 + d2(s, a + 2);
  const mo = d2(s, a + 5);
  const d = d2(s, a + 8);
  if (!(mo >= 1 && mo <= 12 && d >= 1)) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = mo === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (d > dim) return NaN;
  // Days since 1970-01-01 (proleptic Gregorian), exactly as Date.UTC.
  const yy = y - 1;
  const days = (y - 1970) * 365 + (Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) - 477) + CUM_DAYS[mo - 1] + (mo > 2 && leap ? 1 : 0) + d - 1;
  return days * 86_400_000;
}

/** HH:MM[:SS] at s[a..b) as ms of the day, NaN otherwise. */
function fastTime(s: string, a: number, b: number): number {
  const len = b - a;
  if (len !== 5 && len !== 8) return NaN;
  if (s.charCodeAt(a + 2) !== 58 || (len === 8 && s.charCodeAt(a + 5) !== 58)) return NaN;
  const h = d2(s, a);
  const mi = d2(s, a + 3);
  const se = len === 8 ? d2(s, a + 6) : 0;
  if (!(h <= 23 && mi <= 59 && se <= 59)) return NaN;
  return ((h * 60 + mi) * 60 + se) * 1000;
}

/** The common timestamp forms (YYYY-MM-DD, optionally with ' ' or 'T' and HH:MM[:SS]); NaN sends the row to parseTimestamp. */
function fastTimestamp(s: string, a: number, b: number): number {
  const len = b - a;
  if (len === 10) return fastDate(s, a);
  if (len !== 16 && len !== 19) return NaN;
  const sep = s.charCodeAt(a + 10);
  if (sep !== 32 && sep !== 84) return NaN;
  return fastDate(s, a) + fastTime(s, a + 11, b);
}

function fastDateTime(s: string, a: number, b: number, ta: number, tb: number): number {
  return b - a === 10 ? fastDate(s, a) + fastTime(s, ta, tb) : NaN;
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

/** Views of the first n rows (no copy: the columns were sized by a line count, at most a few rows too long). */
function trim(c: RawColumns, n: number): RawColumns {
  const s = (a: Float64Array | null) => (a ? a.subarray(0, n) : null);
  return {
    time: c.time.subarray(0, n),
    open: c.open.subarray(0, n),
    high: c.high.subarray(0, n),
    low: c.low.subarray(0, n),
    close: c.close.subarray(0, n),
    volume: c.volume.subarray(0, n),
    adjClose: s(c.adjClose),
    dividends: s(c.dividends),
    splits: s(c.splits),
    line: c.line.subarray(0, n),
  };
}
