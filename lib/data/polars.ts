/**
 * Conversion between BarSeries and nodejs-polars DataFrames, for notebooks. The library itself works on
 * BarSeries; DataFrames are the research surface (group-bys, joins, quick stats).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type plTypes from 'nodejs-polars';
import { makeSeries, type BarSeries, type Interval } from '../core/bars.js';

export type DataFrame = plTypes.DataFrame;

// Loaded on first use: importing lib/data must not pay for the native polars module (no import.meta:
// tslab compiles lib/ to CommonJS).
let plMod: typeof plTypes | null = null;
function polars(): typeof plTypes {
  const req = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));
  const m = req('nodejs-polars') as { default?: typeof plTypes };
  plMod ??= m.default ?? (m as unknown as typeof plTypes);
  return plMod;
}

/** Columns: date (Datetime ms, UTC), open, high, low, close, volume [, adj_close, dividends, splits], symbol. */
export function toDataFrame(s: BarSeries): DataFrame {
  const pl = polars();
  const cols: Record<string, plTypes.Series> = {
    date: pl.Series('date', Array.from(s.time, (t) => new Date(t))),
    open: pl.Series('open', s.open),
    high: pl.Series('high', s.high),
    low: pl.Series('low', s.low),
    close: pl.Series('close', s.close),
    volume: pl.Series('volume', s.volume),
  };
  if (s.adjClose) cols.adj_close = pl.Series('adj_close', s.adjClose);
  if (s.dividends) cols.dividends = pl.Series('dividends', s.dividends);
  if (s.splits) cols.splits = pl.Series('splits', s.splits);
  return pl.DataFrame(Object.values(cols)).withColumn(pl.lit(s.symbol).alias('symbol'));
}

/** Inverse of toDataFrame (the `date` column may be Datetime or epoch-ms numbers). */
export function fromDataFrame(df: DataFrame, symbol: string, interval: Interval = '1d', adjusted = true): BarSeries {
  const pl = polars();
  const f64 = (name: string): Float64Array | null => (df.columns.includes(name) ? Float64Array.from(df.getColumn(name).cast(pl.Float64).toArray() as number[]) : null);
  const dates = df.getColumn('date').toArray() as Array<Date | number>;
  const time = Float64Array.from(dates, (d) => (d instanceof Date ? d.getTime() : Number(d)));
  return makeSeries(
    symbol,
    interval,
    { time, open: f64('open')!, high: f64('high')!, low: f64('low')!, close: f64('close')!, volume: f64('volume')!, adjClose: f64('adj_close'), dividends: f64('dividends'), splits: f64('splits') },
    adjusted,
  );
}
