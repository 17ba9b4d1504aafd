/**
 * Returns per calendar period (UTC day, month or year) of an equity curve, compounding from the last equity
 * of the previous period (the curve's first value for the first period), so a year's days compound exactly to
 * the year. A first period that holds only the curve's first bar is left out (nothing happened in it yet). Best and worst day, month and year come from these, as in quantstats' best()/worst().
 */
import type { EquityCurve } from './types.js';
import { DAY_MS } from './returns.js';

export type CalendarUnit = 'day' | 'month' | 'year';

export interface CalendarReturns {
  /** Start of each period (epoch ms, UTC midnight of its first day), ascending. */
  readonly start: Float64Array;
  /** Return of each period as a fraction. */
  readonly value: Float64Array;
}

function periodKey(t: number, unit: CalendarUnit): number {
  if (unit === 'day') return Math.floor(t / DAY_MS);
  const d = new Date(t);
  return unit === 'year' ? d.getUTCFullYear() : d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function keyStart(key: number, unit: CalendarUnit): number {
  if (unit === 'day') return key * DAY_MS;
  if (unit === 'year') return Date.UTC(key, 0, 1);
  return Date.UTC(Math.floor(key / 12), key % 12, 1);
}

export function calendarReturns(curve: EquityCurve, unit: CalendarUnit): CalendarReturns {
  const { time, equity } = curve;
  const n = time.length;
  const starts: number[] = [];
  const values: number[] = [];
  if (n === 0) return { start: new Float64Array(0), value: new Float64Array(0) };
  let base = equity[0];
  // Months and years change only when the day does: convert a time to a key once per UTC day.
  let lastDay = NaN;
  let key = 0;
  const keyAt = (t: number): number => {
    const day = Math.floor(t / DAY_MS);
    if (day !== lastDay) {
      lastDay = day;
      key = unit === 'day' ? day : periodKey(t, unit);
    }
    return key;
  };
  let cur = keyAt(time[0]);
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? keyAt(time[i + 1]) : NaN;
    if (next === cur) continue;
    // A first period holding only the first bar has no return to observe (it would be a spurious 0).
    if (i > 0) {
      starts.push(keyStart(cur, unit));
      values.push(base > 0 ? equity[i] / base - 1 : 0);
    }
    base = equity[i];
    cur = next;
  }
  return { start: Float64Array.from(starts), value: Float64Array.from(values) };
}

export interface BestWorst {
  readonly best: number | null;
  readonly worst: number | null;
}

export function bestWorst(xs: ArrayLike<number>): BestWorst {
  if (xs.length === 0) return { best: null, worst: null };
  let best = -Infinity;
  let worst = Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] > best) best = xs[i];
    if (xs[i] < worst) worst = xs[i];
  }
  return { best, worst };
}

export interface YearlyComparison {
  readonly year: number;
  readonly strategy: number;
  /** null when the benchmark has no bar in that year. */
  readonly benchmark: number | null;
}

/** Calendar-year returns of the strategy beside the benchmark's for the same years. */
export function yearlyVsBenchmark(curve: EquityCurve, benchmark?: EquityCurve): YearlyComparison[] {
  const s = calendarReturns(curve, 'year');
  const b = benchmark ? calendarReturns(benchmark, 'year') : null;
  const byYear = new Map<number, number>();
  if (b) for (let i = 0; i < b.start.length; i++) byYear.set(new Date(b.start[i]).getUTCFullYear(), b.value[i]);
  const out: YearlyComparison[] = [];
  for (let i = 0; i < s.start.length; i++) {
    const year = new Date(s.start[i]).getUTCFullYear();
    out.push({ year, strategy: s.value[i], benchmark: byYear.get(year) ?? null });
  }
  return out;
}
