/**
 * Split and dividend adjustment. Adjusted OHLC = OHLC * (adjusted close / close), so returns across a split
 * or an ex-dividend date are the holder's real return. Volume is adjusted for splits only (share counts
 * change at a split; a dividend does not change how many shares traded).
 */
import { makeSeries, type BarSeries } from '../core/bars.js';

/** Per-bar price factor: from the vendor's adjusted close when present, else from the split/dividend columns. */
export function adjustmentFactors(s: BarSeries): Float64Array {
  const n = s.length;
  const f = new Float64Array(n).fill(1);
  if (s.adjClose) {
    for (let i = 0; i < n; i++) f[i] = s.adjClose[i] / s.close[i];
    return f;
  }
  // Backward cumulative product (CRSP convention): a split of r on bar j divides prices before j by r;
  // a dividend d going ex on bar j multiplies prices before j by (1 - d / close[j-1]).
  let cum = 1;
  for (let j = n - 1; j >= 0; j--) {
    f[j] = cum;
    const r = s.splits ? s.splits[j] : 1;
    const d = s.dividends ? s.dividends[j] : 0;
    if (j > 0) {
      if (r > 0 && r !== 1) cum /= r;
      if (d > 0) cum *= 1 - d / s.close[j - 1];
    }
  }
  return f;
}

/** Cumulative split factor per bar (product of split ratios strictly after the bar). */
export function splitFactors(s: BarSeries): Float64Array {
  const n = s.length;
  const f = new Float64Array(n).fill(1);
  if (!s.splits) return f;
  let cum = 1;
  for (let j = n - 1; j >= 0; j--) {
    f[j] = cum;
    const r = s.splits[j];
    if (j > 0 && r > 0 && r !== 1) cum *= r;
  }
  return f;
}

/** The series with adjusted OHLC and split-adjusted volume; returns the input when already adjusted. */
export function adjustSeries(s: BarSeries): BarSeries {
  if (s.adjusted) return s;
  const n = s.length;
  // Nothing to adjust (no adjusted close, no split or dividend on any bar): the same columns, marked adjusted.
  // Multiplying by factors of 1 would give the same values in five new arrays (400 MB at 10M bars).
  if (!s.adjClose && (!s.splits || s.splits.every((r) => r === 1 || !(r > 0))) && (!s.dividends || s.dividends.every((d) => !(d > 0)))) {
    return makeSeries(s.symbol, s.interval, { time: s.time, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume, adjClose: s.close, dividends: s.dividends, splits: s.splits }, true);
  }
  const f = adjustmentFactors(s);
  const sf = splitFactors(s);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    open[i] = s.open[i] * f[i];
    high[i] = s.high[i] * f[i];
    low[i] = s.low[i] * f[i];
    close[i] = s.adjClose ? s.adjClose[i] : s.close[i] * f[i];
    volume[i] = s.volume[i] * sf[i];
  }
  return makeSeries(
    s.symbol,
    s.interval,
    { time: s.time, open, high, low, close, volume, adjClose: s.adjClose ?? close, dividends: s.dividends, splits: s.splits },
    true,
  );
}
