/**
 * Downsampling long series for display, so a report stays a few MB at any length. Screens show ~2,000
 * points across; shipping 1M of them only makes the file big and the browser slow. The numbers in tables and
 * metrics are computed from the full series; only the drawn lines are thinned.
 */

/**
 * Largest-Triangle-Three-Buckets: S. Steinarsson, "Downsampling Time Series for Visual Representation"
 * (MSc thesis, University of Iceland, 2013), algorithm 4.1 (the method of the flot/uPlot/ECharts samplers).
 * Keeps the first and last points; splits the rest into threshold - 2 equal buckets and keeps from each the
 * point forming the largest triangle with the point kept before it and the mean of the next bucket, which
 * preserves peaks and troughs far better than every-k-th sampling. Returns the kept indices, ascending;
 * all indices when n <= threshold (or threshold < 3). NaN values are not allowed here (callers skip them).
 */
export function lttb(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Int32Array {
  const n = Math.min(x.length, y.length);
  if (threshold >= n || threshold < 3) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(threshold);
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  out[0] = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // mean of the next bucket (the last point for the last bucket)
    const avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += x[j];
      avgY += y[j];
    }
    const len = avgEnd - avgStart;
    avgX /= len;
    avgY /= len;
    // the point of this bucket with the largest triangle (a, point, next-bucket mean)
    const from = Math.floor(i * every) + 1;
    const to = Math.floor((i + 1) * every) + 1;
    const ax = x[a];
    const ay = y[a];
    let maxArea = -1;
    let pick = from;
    for (let j = from; j < to; j++) {
      const area = Math.abs((ax - avgX) * (y[j] - ay) - (ax - x[j]) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        pick = j;
      }
    }
    out[i + 1] = pick;
    a = pick;
  }
  out[threshold - 1] = n - 1;
  return out;
}

/**
 * Indices to draw of a series: LTTB down to `threshold` points over its finite values, plus every index in
 * `keep` (e.g. the bars of trades, the deepest drawdown), ascending and unique. Of each run of non-finite
 * values the first index is kept too (up to `threshold` of them), so the drawn line breaks there instead of
 * bridging the gap with a straight segment.
 */
export function displayIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number, keep: Iterable<number> = []): Int32Array {
  const n = Math.min(x.length, y.length);
  let finite = 0;
  let a = -1;
  let b = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) continue;
    finite++;
    if (a < 0) a = i;
    b = i;
  }
  const chosen = new Set<number>();
  if (finite > 0 && finite === b - a + 1) {
    // the common cases, without copies (three copies of a 10M-bar series are 200 MB): no gaps, or only a
    // leading run (a rolling statistic's first window) and a trailing one
    for (const j of lttb(view(x, a, b + 1), view(y, a, b + 1), threshold)) chosen.add(a + j);
  } else if (finite > 0) {
    const idx = new Int32Array(finite);
    const fx = new Float64Array(finite);
    const fy = new Float64Array(finite);
    for (let i = 0, k = 0; i < n; i++) {
      if (!Number.isFinite(y[i])) continue;
      idx[k] = i;
      fx[k] = x[i];
      fy[k] = y[i];
      k++;
    }
    for (const j of lttb(fx, fy, threshold)) chosen.add(idx[j]);
  }
  for (const i of keep) if (i >= 0 && i < n && Number.isFinite(y[i])) chosen.add(i);
  const gaps: number[] = [];
  for (let i = 1; i < n && gaps.length <= threshold; i++) if (!Number.isFinite(y[i]) && Number.isFinite(y[i - 1])) gaps.push(i);
  if (gaps.length <= threshold) for (const i of gaps) chosen.add(i);
  return Int32Array.from(chosen).sort();
}

/** Elements [from, to) of an array: a view of a typed array, a copy of anything else. */
function view(a: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  if (from === 0 && to === a.length) return a;
  return ArrayBuffer.isView(a) ? (a as Float64Array).subarray(from, to) : Array.prototype.slice.call(a, from, to);
}

/** The bars of an OHLC series grouped for display: consecutive blocks of `size` bars become one candle. */
export interface OhlcBlocks {
  /** Bars per displayed candle (1 = unchanged). */
  readonly size: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

/**
 * OHLC resampling to at most `maxCandles` candles: each block of `size` consecutive bars becomes one candle
 * (first open, highest high, lowest low, last close, stamped at the block's first bar), as a chart library
 * does when zoomed out. Every price the bars reached stays inside some candle's range.
 */
export function ohlcBlocks(
  s: { readonly time: ArrayLike<number>; readonly open: ArrayLike<number>; readonly high: ArrayLike<number>; readonly low: ArrayLike<number>; readonly close: ArrayLike<number> },
  maxCandles: number,
): OhlcBlocks {
  const n = s.time.length;
  const size = Math.max(1, Math.ceil(n / Math.max(1, maxCandles)));
  const m = Math.ceil(n / size);
  const out = { size, time: new Float64Array(m), open: new Float64Array(m), high: new Float64Array(m), low: new Float64Array(m), close: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    const a = k * size;
    const b = Math.min(n, a + size);
    let hi = -Infinity;
    let lo = Infinity;
    for (let i = a; i < b; i++) {
      if (s.high[i] > hi) hi = s.high[i];
      if (s.low[i] < lo) lo = s.low[i];
    }
    out.time[k] = s.time[a];
    out.open[k] = s.open[a];
    out.high[k] = hi;
    out.low[k] = lo;
    out.close[k] = s.close[b - 1];
  }
  return out;
}
