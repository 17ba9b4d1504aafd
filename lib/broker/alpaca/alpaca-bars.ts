/** Historical bars from Alpaca's market-data API (GET /v2/stocks/{symbol}/bars), paginated, as a BarSeries. */
import type { Alpaca } from '@alpacahq/alpaca-trade-api';
import { makeSeries, type BarSeries, type Interval } from '../../core/bars.js';
import type { Clock } from '../../core/clock.js';
import { BrokerError } from '../broker.js';
import { toEpochMs, type DataProvider, type DataRequest } from '../../data/provider.js';

const TIMEFRAME: Record<Interval, string> = {
  '1m': '1Min',
  '5m': '5Min',
  '15m': '15Min',
  '30m': '30Min',
  '1h': '1Hour',
  '1d': '1Day',
  '1wk': '1Week',
};

/**
 * Bars with start <= t < end. Daily bars are stamped at midnight UTC of their trading date (the library's
 * convention); Alpaca stamps them at 04:00 or 05:00 UTC (midnight New York).
 */
export async function alpacaBars(client: Alpaca, symbol: string, interval: Interval, startMs: number, endMs: number): Promise<BarSeries> {
  const t: number[] = [];
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    let resp;
    try {
      resp = await client.marketData.stocks.stockBarSingle({
        symbol,
        timeframe: TIMEFRAME[interval],
        start: new Date(startMs),
        end: new Date(endMs - 1),
        limit: 10_000,
        adjustment: 'all',
        ...(pageToken ? { pageToken } : {}),
      });
    } catch (e) {
      const status = (e as { status?: number }).status;
      throw new BrokerError(`alpaca bars ${symbol}: ${status ?? 'network'} ${(e as Error).message}`, status === undefined || status === 429 || status >= 500, status);
    }
    for (const b of resp.bars ?? []) {
      let ms = b.t.getTime();
      if (interval === '1d' || interval === '1wk') ms = Date.UTC(b.t.getUTCFullYear(), b.t.getUTCMonth(), b.t.getUTCDate());
      if (ms < startMs || ms >= endMs) continue;
      t.push(ms);
      o.push(b.o);
      h.push(b.h);
      l.push(b.l);
      c.push(b.c);
      v.push(b.v);
    }
    pageToken = resp.nextPageToken ?? undefined;
    if (!pageToken) break;
  }
  return makeSeries(symbol, interval, { time: t, open: o, high: h, low: l, close: c, volume: v }, true);
}

/** Alpaca market data as a DataProvider (config `data.provider: alpaca`, with the Alpaca broker's credentials). */
export class AlpacaDataProvider implements DataProvider {
  readonly name = 'alpaca';
  constructor(
    private readonly client: Alpaca,
    private readonly clock: Clock,
  ) {}
  async load(req: DataRequest): Promise<BarSeries> {
    return alpacaBars(this.client, req.symbol, req.interval ?? '1d', toEpochMs(req.start, 0), toEpochMs(req.end, this.clock.nowMs()));
  }
}
