/**
 * Yahoo Finance bars through yahoo-finance2's chart endpoint, with an on-disk cache (only missing ranges are
 * fetched), retries with backoff on transient failures, and a clear error for unknown symbols.
 *
 * Yahoo's chart OHLCV is already split-adjusted; `adjclose` also folds in dividends. The series therefore
 * carries dividends but no split column (re-applying splits would double-count them), and adjustment uses
 * adjclose/close. Daily bars are stamped at midnight UTC of the exchange-local trading date.
 * For tests or proxies, pass `fetch` (any fetch-compatible function) or `baseUrl` (e.g. a local server).
 */
import type YahooFinance from 'yahoo-finance2';
import { INTERVAL_MS, makeSeries, sliceByTime, type BarSeries, type Interval } from '../core/bars.js';
import type { Clock } from '../core/clock.js';
import { SystemClock } from '../core/clock.js';
import { DataError, UnknownSymbolError } from '../core/errors.js';
import { adjustSeries } from './adjust.js';
import { BarCache, missingRanges, type Range } from './cache.js';
import type { DataProvider, DataRequest } from './provider.js';
import { toEpochMs } from './provider.js';
import { withRetry } from './retry.js';

export interface YahooOptions {
  /** Cache folder; null disables the cache. */
  readonly cacheDir?: string | null;
  readonly fetch?: typeof fetch;
  /** Replace https://query2.finance.yahoo.com with this origin (e.g. http://127.0.0.1:8123). */
  readonly baseUrl?: string;
  readonly retries?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: Clock;
  /** Adjust OHLC for splits and dividends (default true). */
  readonly adjust?: boolean;
  /** Called with a line of progress text per network fetch. */
  readonly onProgress?: (msg: string) => void;
}

const YAHOO_INTERVAL: Record<Interval, string> = { '1m': '1m', '5m': '5m', '15m': '15m', '30m': '30m', '1h': '60m', '1d': '1d', '1wk': '1wk' };
const DEFAULT_HISTORY_MS = 10 * 365 * 86_400_000;

interface ChartObject {
  meta: { gmtoffset?: number };
  timestamp?: number[];
  events?: { dividends?: Record<string, { amount: number; date: number | Date }> };
  indicators: {
    quote: Array<{ open?: Array<number | null>; high?: Array<number | null>; low?: Array<number | null>; close?: Array<number | null>; volume?: Array<number | null> }>;
    adjclose?: Array<{ adjclose?: Array<number | null> }>;
  };
}

export class YahooProvider implements DataProvider {
  readonly name = 'yahoo';
  /** Number of network requests made (for cache tests and progress). */
  requests = 0;
  /** The yahoo-finance2 client, made on the first fetch: importing lib/data must not load it. */
  private yf: Promise<InstanceType<typeof YahooFinance>> | null = null;
  private readonly fetchFn: typeof fetch;
  private readonly cache: BarCache | null;
  private readonly clock: Clock;

  constructor(private readonly opts: YahooOptions = {}) {
    const base = opts.baseUrl;
    const inner = opts.fetch ?? globalThis.fetch;
    const f: typeof fetch = base
      ? (input, init) => inner(String(input instanceof Request ? input.url : input).replace(/^https?:\/\/[^/]+/, base.replace(/\/$/, '')), init)
      : inner;
    this.fetchFn = f;
    this.cache = opts.cacheDir === null ? null : new BarCache(opts.cacheDir ?? '.cache/bars');
    this.clock = opts.clock ?? new SystemClock();
  }

  private client(): Promise<InstanceType<typeof YahooFinance>> {
    this.yf ??= import('yahoo-finance2').then(({ default: YF }) => {
      const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, dir: () => {} };
      return new YF({ fetch: this.fetchFn, versionCheck: false, suppressNotices: ['yahooSurvey', 'ripHistorical'], logger: quiet });
    });
    return this.yf;
  }

  async load(req: DataRequest): Promise<BarSeries> {
    const interval = req.interval ?? '1d';
    const now = this.clock.nowMs();
    const end = toEpochMs(req.end, now);
    const start = toEpochMs(req.start, end - DEFAULT_HISTORY_MS);
    if (!(end > start)) throw new DataError('yahoo', null, 'end', `end ${new Date(end).toISOString()} must be after start ${new Date(start).toISOString()}`);
    // A bar that has not closed yet must not be cached as final: coverage stops at the last completed bar.
    const settled = Math.min(end, Math.floor(now / INTERVAL_MS[interval]) * INTERVAL_MS[interval]);

    let series: BarSeries | null;
    if (this.cache) {
      const cached = this.cache.read(this.name, req.symbol, interval);
      series = cached.series;
      for (const [a, b] of missingRanges(start, end, cached.coverage)) {
        const fresh = await this.fetchRange(req.symbol, interval, a, b);
        const covered: Range = [a, Math.min(b, settled)];
        series = this.cache.write(this.name, req.symbol, interval, fresh, covered);
      }
    } else {
      series = await this.fetchRange(req.symbol, interval, start, end);
    }
    if (!series || series.length === 0) throw new DataError(`yahoo:${req.symbol}`, null, null, 'no bars in the requested range');
    const window = sliceByTime(series, start, end);
    return this.opts.adjust === false ? window : adjustSeries(window);
  }

  private async fetchRange(symbol: string, interval: Interval, start: number, end: number): Promise<BarSeries> {
    this.opts.onProgress?.(`yahoo: fetching ${symbol} ${interval} ${new Date(start).toISOString().slice(0, 10)}..${new Date(end).toISOString().slice(0, 10)}`);
    const result = await withRetry(
      async () => {
        this.requests++;
        try {
          const yf = await this.client();
          return (await yf.chart(symbol, {
            period1: new Date(start),
            period2: new Date(end),
            interval: YAHOO_INTERVAL[interval] as '1d',
            events: 'div|split',
            return: 'object',
          })) as unknown as ChartObject;
        } catch (e) {
          throw classify(symbol, e);
        }
      },
      {
        retries: this.opts.retries ?? 4,
        baseDelayMs: this.opts.baseDelayMs ?? 500,
        sleep: this.opts.sleep,
        isRetryable: (e) => e instanceof TransientError,
        onRetry: (n, ms, e) => this.opts.onProgress?.(`yahoo: ${symbol} attempt ${n} failed (${(e as Error).message}); retrying in ${ms} ms`),
      },
    ).catch((e: unknown) => {
      throw e instanceof TransientError ? new DataError(`yahoo:${symbol}`, null, null, `gave up after retries: ${e.message}`) : e;
    });
    return chartToSeries(symbol, interval, result);
  }
}

class TransientError extends Error {}

function classify(symbol: string, e: unknown): Error {
  const err = e as { message?: string; code?: number; name?: string; cause?: unknown };
  const msg = String(err?.message ?? e);
  if (/no data found|not found|delisted|symbol may be/i.test(msg) || err?.code === 404) return new UnknownSymbolError(symbol, 'yahoo', msg);
  const status = typeof err?.code === 'number' ? err.code : 0;
  if (status === 429 || status >= 500 || err?.name === 'TypeError' || /fetch failed|ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket|timeout/i.test(msg)) {
    return new TransientError(status ? `HTTP ${status}: ${msg.slice(0, 200)}` : msg);
  }
  return e instanceof Error ? e : new Error(msg);
}

function chartToSeries(symbol: string, interval: Interval, chart: ChartObject): BarSeries {
  const ts = chart.timestamp ?? [];
  const q = chart.indicators.quote[0] ?? {};
  const adj = chart.indicators.adjclose?.[0]?.adjclose;
  const offset = (chart.meta.gmtoffset ?? 0) * 1000;
  const daily = interval === '1d' || interval === '1wk';
  const day = 86_400_000;
  const rows: number[] = [];
  for (let i = 0; i < ts.length; i++) if (q.close?.[i] != null && q.open?.[i] != null) rows.push(i);
  const stamp = (sec: number) => (daily ? Math.floor((sec * 1000 + offset) / day) * day : sec * 1000);
  const time = rows.map((i) => stamp(ts[i]));
  const pick = (a: Array<number | null> | undefined) => rows.map((i) => a?.[i] ?? NaN);
  const dividends = new Float64Array(rows.length);
  const divs = chart.events?.dividends ?? {};
  const index = new Map(time.map((t, k) => [t, k]));
  for (const d of Object.values(divs)) {
    const sec = d.date instanceof Date ? d.date.getTime() / 1000 : d.date;
    const k = index.get(stamp(sec));
    if (k !== undefined) dividends[k] += d.amount;
  }
  return makeSeries(symbol, interval, {
    time,
    open: pick(q.open),
    high: pick(q.high),
    low: pick(q.low),
    close: pick(q.close),
    volume: rows.map((i) => q.volume?.[i] ?? 0),
    adjClose: adj ? pick(adj) : null,
    dividends,
  });
}
