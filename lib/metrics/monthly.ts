/**
 * Calendar (UTC) monthly and yearly returns of an equity curve. A month's return compounds from the last
 * equity of the previous month (or the curve's first value, for the first month) to the month's last equity,
 * so the months of a year compound exactly to the year's return.
 */
import type { EquityCurve } from './types.js';

export interface MonthlyReturns {
  /** Calendar years covered, ascending. */
  readonly years: readonly number[];
  /** values[y][m]: return of month m (0 = January) of years[y] as a fraction; null where the curve has no bar. */
  readonly values: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Return of each year (partial years cover only the bars present). */
  readonly yearly: ReadonlyArray<number | null>;
}

export function monthlyReturns(curve: EquityCurve): MonthlyReturns {
  const { time, equity } = curve;
  const n = time.length;
  if (n === 0) return { years: [], values: [], yearly: [] };
  const first = new Date(time[0]).getUTCFullYear();
  const last = new Date(time[n - 1]).getUTCFullYear();
  const years: number[] = [];
  for (let y = first; y <= last; y++) years.push(y);
  const values: Array<Array<number | null>> = years.map(() => new Array<number | null>(12).fill(null));
  const yearly: Array<number | null> = years.map(() => null);
  let base = equity[0];
  let yearBase = equity[0];
  // The month and year of the current bar as [start, end) in ms, recomputed only when a bar leaves them:
  // no Date per bar (10M bars made 20M Dates and most of the report's garbage).
  let y = 0;
  let m = 0;
  let mStart = NaN;
  let mEnd = NaN;
  let yStart = NaN;
  let yEnd = NaN;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (!(t >= mStart && t < mEnd)) {
      const d = new Date(t);
      y = d.getUTCFullYear();
      m = d.getUTCMonth();
      mStart = utcMonthStart(y, m);
      mEnd = utcMonthStart(y, m + 1);
      yStart = utcMonthStart(y, 0);
      yEnd = utcMonthStart(y + 1, 0);
    }
    const next = i === n - 1 ? NaN : time[i + 1];
    const endOfMonth = !(next >= mStart && next < mEnd);
    if (!endOfMonth) continue;
    const yi = y - first;
    values[yi][m] = base > 0 ? equity[i] / base - 1 : null;
    base = equity[i];
    const endOfYear = !(next >= yStart && next < yEnd);
    if (endOfYear) {
      yearly[yi] = yearBase > 0 ? equity[i] / yearBase - 1 : null;
      yearBase = equity[i];
    }
  }
  return { years, values, yearly };
}

/** Midnight UTC of the first day of month m (0-based; 12 rolls into the next year) of year y, any year. */
function utcMonthStart(y: number, m: number): number {
  const d = new Date(0);
  d.setUTCFullYear(y, m, 1);
  return d.getTime();
}
