/** The shared timeline of several series: every distinct bar time, ascending. */
import type { BarSeries } from '../core/bars.js';

export function mergedTimes(series: readonly BarSeries[]): Float64Array {
  if (series.length === 0) return new Float64Array(0);
  if (series.every((s) => sameTimes(s.time, series[0].time))) return series[0].time;
  let n = 0;
  for (const s of series) n += s.length;
  const all = new Float64Array(n);
  let o = 0;
  for (const s of series) {
    all.set(s.time, o);
    o += s.length;
  }
  all.sort();
  let k = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[k - 1]) all[k++] = all[i];
  return all.slice(0, k);
}

/** Same calendar (the common case for daily bars of one market): no merge needed. */
function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
