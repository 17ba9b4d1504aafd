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

/** Bin a row-major matrix column by column. */
export function binMatrix(data: Float64Array, rows: number, cols: number, maxBins = 255): BinnedMatrix {
  const bins = new Uint8Array(rows * cols);
  const edges: Float64Array[] = [];
  const binMin: Float64Array[] = [];
  const binMax: Float64Array[] = [];
  const col = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) col[i] = data[i * cols + j];
    const e = binEdges(col, Math.min(255, Math.max(2, maxBins)));
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
