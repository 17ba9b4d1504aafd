import type { BarSeries, Interval } from '../core/bars.js';

/** What to load: a symbol over [start, end) at an interval. Dates are ISO strings or epoch ms. */
export interface DataRequest {
  readonly symbol: string;
  readonly start?: string | number;
  readonly end?: string | number;
  readonly interval?: Interval;
}

/** Every market-data source (synthetic, CSV, Yahoo, cache) behind one interface. */
export interface DataProvider {
  readonly name: string;
  load(req: DataRequest): Promise<BarSeries>;
}

export function toEpochMs(x: string | number | undefined, fallback: number): number {
  if (x === undefined) return fallback;
  if (typeof x === 'number') return x;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(x) ? `${x}T00:00:00Z` : x);
  if (!Number.isFinite(t)) throw new Error(`not a date: ${JSON.stringify(x)}`);
  return t;
}
