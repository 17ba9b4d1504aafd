/** Load several symbols from one provider, with a line of progress per symbol. */
import type { BarSeries, Interval } from '../core/bars.js';
import type { DataProvider } from './provider.js';

export interface LoadManyOptions {
  readonly start?: string | number;
  readonly end?: string | number;
  readonly interval?: Interval;
  readonly onProgress?: (done: number, total: number, symbol: string) => void;
}

export async function loadSymbols(provider: DataProvider, symbols: readonly string[], opts: LoadManyOptions = {}): Promise<BarSeries[]> {
  const out: BarSeries[] = [];
  for (const symbol of symbols) {
    out.push(await provider.load({ symbol, start: opts.start, end: opts.end, interval: opts.interval }));
    opts.onProgress?.(out.length, symbols.length, symbol);
  }
  return out;
}
