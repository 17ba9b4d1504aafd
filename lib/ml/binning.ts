/**
 * Quantile pre-binning for histogram split search: each feature column becomes <= 255 ordered bins
 * (Uint8Array, column-major), so finding the best threshold costs one pass over a node's rows plus a scan
 * of at most 255 bins instead of a sort. Bin edges are midpoints between distinct training values, so a
 * split "bin <= b" is exactly the float rule "x <= edges[b]" used at prediction time.
 */
export interface BinnedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** bins[j * rows + i]: bin of feature j in row i. */
  readonly bins: Uint8Array;
  /** edges[j]: ascending thresholds; bin b holds edges[b-1] < x <= edges[b]. */
  readonly edges: Float64Array[];
  /** Smallest / largest training value in each bin of feature j (NaN when empty): split thresholds go
   * midway between the last value left and the first value right, as exact CART does. */
  readonly binMin: Float64Array[];
  readonly binMax: Float64Array[];
}

/** Ascending thresholds for one column: all distinct midpoints when few, quantile midpoints otherwise. */
export function binEdges(values: Float64Array, maxBins: number): Float64Array {
  const v = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < v.length; i++) if (i === 0 || v[i] !== v[i - 1]) distinct.push(v[i]);
  if (distinct.length <= maxBins) {
    const e = new Float64Array(Math.max(0, distinct.length - 1));
    for (let i = 0; i + 1 < distinct.length; i++) e[i] = midpoint(distinct[i], distinct[i + 1]);
    return e;
  }
  const out: number[] = [];
  const n = v.length;
  for (let q = 1; q < maxBins; q++) {
    let pos = Math.floor((q * n) / maxBins) - 1;
    if (pos < 0) pos = 0;
    const lo = v[pos];
    // next distinct value above lo
    let k = pos + 1;
    while (k < n && v[k] === lo) k++;
    if (k >= n) break;
    const t = midpoint(lo, v[k]);
    if (out.length === 0 || t > out[out.length - 1]) out.push(t);
  }
  return Float64Array.from(out);
}

/** Threshold between two adjacent distinct values (never rounds up to b). */
export function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // Guard against rounding up to b, which would put b on the left side.
  return m < b ? m : a;
}

/** Index of the bin holding x: the first edge >= x. */
export function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How a column's bin edges are chosen: quantile midpoints (the forest) or LightGBM's rule (the GBDT). */
export type BinRule = 'quantile' | 'lightgbm';

/** Bin a row-major matrix column by column. */
export function binMatrix(data: Float64Array, rows: number, cols: number, maxBins = 255, rule: BinRule = 'quantile'): BinnedMatrix {
  const bins = new Uint8Array(rows * cols);
  const edges: Float64Array[] = [];
  const binMin: Float64Array[] = [];
  const binMax: Float64Array[] = [];
  const col = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) col[i] = data[i * cols + j];
    const mb = Math.min(255, Math.max(2, maxBins));
    const e = rule === 'lightgbm' ? lightgbmBinEdges(col, mb) : binEdges(col, mb);
    edges.push(e);
    const base = j * rows;
    const lo = new Float64Array(e.length + 1).fill(NaN);
    const hi = new Float64Array(e.length + 1).fill(NaN);
    for (let i = 0; i < rows; i++) {
      const b = binOf(e, col[i]);
      bins[base + i] = b;
      const x = col[i];
      if (!(lo[b] <= x)) lo[b] = x;
      if (!(hi[b] >= x)) hi[b] = x;
    }
    binMin.push(lo);
    binMax.push(hi);
  }
  return { rows, cols, bins, edges, binMin, binMax };
}

/** LightGBM's kZeroThreshold (1e-35 as a float, read as a double): |x| at or below it counts as zero. */
export const K_ZERO = Math.fround(1e-35);

/** LightGBM's bin boundary: the double just above the midpoint (GetDoubleUpperBound). */
function upperBound(a: number, b: number): number {
  return nextUp((a + b) / 2);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// little-endian: u32[0] low word, u32[1] high word
/** The smallest double greater than x (x finite). */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  if (x > 0) {
    if (u32[0] === 0xffffffff) {
      u32[0] = 0;
      u32[1]++;
    } else u32[0]++;
  } else if (u32[0] === 0) {
    u32[0] = 0xffffffff;
    u32[1]--;
  } else u32[0]--;
  return f64[0];
}

/** b is a or the double right above it (LightGBM's CheckDoubleEqualOrdered). */
function sameValue(a: number, b: number): boolean {
  return b === a || b <= nextUp(a);
}

/** LightGBM's GreedyFindBin: upper bounds (last = +Infinity) of at most maxBin bins over sorted distinct values. */
function greedyFindBin(values: number[], counts: number[], from: number, to: number, maxBin: number, total: number, minDataInBin: number): number[] {
  const out: number[] = [];
  const n = to - from;
  if (n <= maxBin) {
    let cur = 0;
    for (let i = from; i < to - 1; i++) {
      cur += counts[i];
      if (cur >= minDataInBin) {
        const v = upperBound(values[i], values[i + 1]);
        if (out.length === 0 || !sameValue(out[out.length - 1], v)) {
          out.push(v);
          cur = 0;
        }
      }
    }
    out.push(Infinity);
    return out;
  }
  if (minDataInBin > 0) maxBin = Math.max(1, Math.min(maxBin, Math.floor(total / minDataInBin)));
  let meanBinSize = total / maxBin;
  let restBinCnt = maxBin;
  let restSampleCnt = total;
  const big = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (counts[from + i] >= meanBinSize) {
      big[i] = 1;
      restBinCnt--;
      restSampleCnt -= counts[from + i];
    }
  }
  meanBinSize = restSampleCnt / restBinCnt;
  const upper = new Array<number>(maxBin).fill(Infinity);
  const lower = new Array<number>(maxBin).fill(Infinity);
  let binCnt = 0;
  lower[0] = values[from];
  let cur = 0;
  for (let i = 0; i < n - 1; i++) {
    if (!big[i]) restSampleCnt -= counts[from + i];
    cur += counts[from + i];
    if (big[i] || cur >= meanBinSize || (big[i + 1] && cur >= Math.max(1, meanBinSize * 0.5))) {
      upper[binCnt] = values[from + i];
      binCnt++;
      lower[binCnt] = values[from + i + 1];
      if (binCnt >= maxBin - 1) break;
      cur = 0;
      if (!big[i]) {
        restBinCnt--;
        meanBinSize = restSampleCnt / restBinCnt;
      }
    }
  }
  binCnt++;
  for (let i = 0; i < binCnt - 1; i++) {
    const v = upperBound(upper[i], lower[i + 1]);
    if (out.length === 0 || !sameValue(out[out.length - 1], v)) out.push(v);
  }
  out.push(Infinity);
  return out;
}

/**
 * Bin edges as LightGBM 4 chooses them for a numeric feature without missing values (BinMapper::FindBin with
 * FindBinWithZeroAsOneBin and GreedyFindBin, min_data_in_bin 3): zero gets a bin of its own, negative and
 * positive values share the other bins in proportion to their counts, frequent values get bins of their own,
 * and each boundary is the double just above the midpoint of two neighbouring distinct values. The GBDT uses
 * these so that, given the same data, it searches the same thresholds LightGBM does.
 */
export function lightgbmBinEdges(column: Float64Array, maxBin: number, minDataInBin = 3): Float64Array {
  const sorted = new Float64Array(column.length);
  let nz = 0;
  for (let i = 0; i < column.length; i++) if (Math.abs(column[i]) > K_ZERO) sorted[nz++] = column[i];
  const zeroCnt = column.length - nz;
  sorted.subarray(0, nz).sort();
  const values: number[] = [];
  const counts: number[] = [];
  const m = nz;
  if (m === 0 || (sorted[0] > 0 && zeroCnt > 0)) {
    values.push(0);
    counts.push(zeroCnt);
  }
  if (m > 0) {
    values.push(sorted[0]);
    counts.push(1);
  }
  for (let i = 1; i < m; i++) {
    if (!sameValue(sorted[i - 1], sorted[i])) {
      if (sorted[i - 1] < 0 && sorted[i] > 0) {
        values.push(0);
        counts.push(zeroCnt);
      }
      values.push(sorted[i]);
      counts.push(1);
    } else {
      values[values.length - 1] = sorted[i];
      counts[counts.length - 1]++;
    }
  }
  if (m > 0 && sorted[m - 1] < 0 && zeroCnt > 0) {
    values.push(0);
    counts.push(zeroCnt);
  }
  // FindBinWithZeroAsOneBin
  const total = column.length;
  let leftCntData = 0;
  let cntZero = 0;
  let rightCntData = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] <= -K_ZERO) leftCntData += counts[i];
    else if (values[i] > K_ZERO) rightCntData += counts[i];
    else cntZero += counts[i];
  }
  let leftCnt = values.findIndex((v) => v > -K_ZERO);
  if (leftCnt < 0) leftCnt = values.length;
  let bounds: number[] = [];
  if (leftCnt > 0 && maxBin > 1) {
    const leftMaxBin = Math.max(1, Math.floor((leftCntData / (total - cntZero)) * (maxBin - 1)));
    bounds = greedyFindBin(values, counts, 0, leftCnt, leftMaxBin, leftCntData, minDataInBin);
    if (bounds.length > 0) bounds[bounds.length - 1] = -K_ZERO;
  }
  let rightStart = -1;
  for (let i = leftCnt; i < values.length; i++) {
    if (values[i] > K_ZERO) {
      rightStart = i;
      break;
    }
  }
  const rightMaxBin = maxBin - 1 - bounds.length;
  if (rightStart >= 0 && rightMaxBin > 0) {
    const right = greedyFindBin(values, counts, rightStart, values.length, rightMaxBin, rightCntData, minDataInBin);
    bounds.push(K_ZERO, ...right);
  } else {
    bounds.push(Infinity);
  }
  // our edges: every upper bound but the last (+Infinity)
  return Float64Array.from(bounds.slice(0, -1));
}
