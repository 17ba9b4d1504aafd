/**
 * The batch feature matrix: every selected feature over a whole series, row-major (the layout lib/ml takes),
 * with the first row where every feature is defined.
 */
import type { BarSeries } from '../core/bars.js';
import { featureDef, resolveFeatureNames } from './registry.js';
import { source } from './sources.js';

export interface FeatureMatrix {
  readonly names: readonly string[];
  /** Same as names; makes a FeatureMatrix usable wherever lib/ml expects a Matrix. */
  readonly columns: readonly string[];
  readonly rows: number;
  readonly cols: number;
  /** Row-major: feature j at bar i is data[i * cols + j]; NaN where not yet defined. */
  readonly data: Float64Array;
  /** Each feature as its own column (the same numbers as `data`). */
  readonly values: Readonly<Record<string, Float64Array>>;
  /** Bar times (epoch ms), one per row. */
  readonly time: Float64Array;
  /** First row from which every row is all finite (rows when none is): warm-up and any bad rows come before it. */
  readonly valid: number;
}

/** Each feature of `names` as a column over the series; sources shared by several features are computed once. */
export function featureColumns(series: BarSeries, names?: readonly string[]): Record<string, Float64Array> {
  const list = resolveFeatureNames(names);
  const cache = new Map<string, Float64Array>();
  const col = (key: string): Float64Array => {
    let c = cache.get(key);
    if (!c) {
      c = source(key).batch(series);
      cache.set(key, c);
    }
    return c;
  };
  const n = series.length;
  const out: Record<string, Float64Array> = {};
  for (const name of list) {
    const def = featureDef(name);
    const f = def.compute;
    const [a, b, c] = def.inputs.map(col);
    const dst = new Float64Array(n);
    if (b === undefined) {
      for (let i = 0; i < n; i++) {
        const x = a[i];
        dst[i] = x !== x ? NaN : f(x, 0, 0);
      }
    } else if (c === undefined) {
      for (let i = 0; i < n; i++) {
        const x = a[i];
        const y = b[i];
        dst[i] = x !== x || y !== y ? NaN : f(x, y, 0);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = a[i];
        const y = b[i];
        const z = c[i];
        dst[i] = x !== x || y !== y || z !== z ? NaN : f(x, y, z);
      }
    }
    out[name] = dst;
  }
  return out;
}

export function featureMatrix(series: BarSeries, names?: readonly string[]): FeatureMatrix {
  const list = resolveFeatureNames(names);
  const values = featureColumns(series, list);
  const rows = series.length;
  const cols = list.length;
  const data = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const c = values[list[j]];
    for (let i = 0, k = j; i < rows; i++, k += cols) data[k] = c[i];
  }
  let valid = rows;
  for (let i = rows - 1; i >= 0; i--) {
    let ok = true;
    for (let k = i * cols, e = k + cols; k < e; k++) {
      if (!Number.isFinite(data[k])) {
        ok = false;
        break;
      }
    }
    if (!ok) break;
    valid = i;
  }
  return { names: list, columns: list, rows, cols, data, values, time: series.time, valid };
}
