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
  for (let i = 0; i < n; i++) {
    const d = new Date(time[i]);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const endOfMonth = i === n - 1 || !sameMonth(d, new Date(time[i + 1]));
    if (!endOfMonth) continue;
    const yi = y - first;
    values[yi][m] = base > 0 ? equity[i] / base - 1 : null;
    base = equity[i];
    const endOfYear = i === n - 1 || new Date(time[i + 1]).getUTCFullYear() !== y;
    if (endOfYear) {
      yearly[yi] = yearBase > 0 ? equity[i] / yearBase - 1 : null;
      yearBase = equity[i];
    }
  }
  return { years, values, yearly };
}

function sameMonth(a: Date, b: Date): boolean {
  return a.getUTCFullYear() === b.getUTCFullYear() && a.getUTCMonth() === b.getUTCMonth();
}
