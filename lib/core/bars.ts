/**
 * The one OHLCV type the whole library uses: a columnar series of bars for one symbol.
 * Columns are Float64Arrays (cheap to iterate, zero-copy slices). Prices here are floats: they are
 * market observations feeding indicators and models. Money (cash, fills, P&L) is exact, see core/decimal.
 *
 * `time` is the bar's start in epoch milliseconds (UTC; for daily bars, midnight UTC of the trading date).
 * A bar is known only at its close: code that acts "at bar t" may use bars 0..t and nothing later.
 */
export type Interval = '1m' | '5m' | '15m' | '30m' | '1h' | '1d' | '1wk';

export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
  '1wk': 604_800_000,
};

export const INTERVALS = Object.keys(INTERVAL_MS) as Interval[];

export interface BarSeries {
  readonly symbol: string;
  readonly interval: Interval;
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Split- and dividend-adjusted close as delivered by the vendor, if any. */
  readonly adjClose: Float64Array | null;
  /** Cash dividend per share paid on the bar (0 when none), if known. */
  readonly dividends: Float64Array | null;
  /** Split ratio effective on the bar (1 when none; 2 for a 2-for-1 split), if known. */
  readonly splits: Float64Array | null;
  /** True once OHLC have been adjusted for splits and dividends (see data/adjust). */
  readonly adjusted: boolean;
}

/** One bar, for streaming consumers (indicators' update(), the live runner). */
export interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface SeriesColumns {
  time: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
  adjClose?: ArrayLike<number> | null;
  dividends?: ArrayLike<number> | null;
  splits?: ArrayLike<number> | null;
}

function toF64(a: ArrayLike<number>): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

/** Build a series from columns, checking they all have the same length. */
export function makeSeries(symbol: string, interval: Interval, cols: SeriesColumns, adjusted = false): BarSeries {
  const n = cols.time.length;
  const named: Array<[string, ArrayLike<number> | null | undefined]> = [
    ['open', cols.open],
    ['high', cols.high],
    ['low', cols.low],
    ['close', cols.close],
    ['volume', cols.volume],
    ['adjClose', cols.adjClose],
    ['dividends', cols.dividends],
    ['splits', cols.splits],
  ];
  for (const [name, col] of named) {
    if (col != null && col.length !== n) {
      throw new Error(`makeSeries(${symbol}): column ${name} has ${col.length} values, time has ${n}`);
    }
  }
  return {
    symbol,
    interval,
    length: n,
    time: toF64(cols.time),
    open: toF64(cols.open),
    high: toF64(cols.high),
    low: toF64(cols.low),
    close: toF64(cols.close),
    volume: toF64(cols.volume),
    adjClose: cols.adjClose ? toF64(cols.adjClose) : null,
    dividends: cols.dividends ? toF64(cols.dividends) : null,
    splits: cols.splits ? toF64(cols.splits) : null,
    adjusted,
  };
}

export function barAt(s: BarSeries, i: number): Bar {
  return { time: s.time[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
}

/** Bars [start, end) as zero-copy views. */
export function sliceSeries(s: BarSeries, start: number, end: number = s.length): BarSeries {
  const a = Math.max(0, Math.min(start, s.length));
  const b = Math.max(a, Math.min(end, s.length));
  const v = (x: Float64Array | null) => (x ? x.subarray(a, b) : null);
  return {
    ...s,
    length: b - a,
    time: s.time.subarray(a, b),
    open: s.open.subarray(a, b),
    high: s.high.subarray(a, b),
    low: s.low.subarray(a, b),
    close: s.close.subarray(a, b),
    volume: s.volume.subarray(a, b),
    adjClose: v(s.adjClose),
    dividends: v(s.dividends),
    splits: v(s.splits),
  };
}

/** Bars with start <= time < end (epoch ms), by binary search on the sorted time column. */
export function sliceByTime(s: BarSeries, startMs: number, endMs: number): BarSeries {
  return sliceSeries(s, lowerBound(s.time, startMs), lowerBound(s.time, endMs));
}

/** First index i with xs[i] >= x (xs ascending). */
export function lowerBound(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Concatenate series of one symbol (already sorted, non-overlapping) into one. */
export function concatSeries(parts: readonly BarSeries[]): BarSeries {
  if (parts.length === 0) throw new Error('concatSeries needs at least one series');
  const first = parts[0];
  const n = parts.reduce((k, p) => k + p.length, 0);
  const cat = (pick: (p: BarSeries) => Float64Array | null, fill: number): Float64Array | null => {
    if (parts.every((p) => pick(p) === null)) return null;
    const out = new Float64Array(n);
    let o = 0;
    for (const p of parts) {
      const col = pick(p);
      if (col) out.set(col, o);
      else out.fill(fill, o, o + p.length);
      o += p.length;
    }
    return out;
  };
  return {
    symbol: first.symbol,
    interval: first.interval,
    length: n,
    time: cat((p) => p.time, NaN)!,
    open: cat((p) => p.open, NaN)!,
    high: cat((p) => p.high, NaN)!,
    low: cat((p) => p.low, NaN)!,
    close: cat((p) => p.close, NaN)!,
    volume: cat((p) => p.volume, NaN)!,
    adjClose: cat((p) => p.adjClose ?? p.close, NaN),
    dividends: cat((p) => p.dividends, 0),
    splits: cat((p) => p.splits, 1),
    adjusted: first.adjusted,
  };
}

/** YYYY-MM-DD of an epoch-ms timestamp (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO timestamp without milliseconds, or the date alone for midnight-UTC (daily) bars. */
export function isoTime(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : `${s.slice(0, 19)}Z`;
}
