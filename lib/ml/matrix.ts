/**
 * The dense numeric dataset every model here takes: a row-major Float64Array of `rows x cols` feature
 * values and, for training, integer class labels 0..K-1. Feature columns are named so a saved model can
 * refuse input built from a different feature list.
 */
import { ValidationError } from '../core/errors.js';

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major: value of feature j in row i at data[i * cols + j]. */
  readonly data: Float64Array;
  readonly columns?: readonly string[];
}

export function makeMatrix(rows: number, cols: number, data?: Float64Array, columns?: readonly string[]): Matrix {
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new ValidationError('matrix.data', `has ${d.length} values, expected rows*cols = ${rows * cols}`);
  if (columns && columns.length !== cols) throw new ValidationError('matrix.columns', `has ${columns.length} names, expected ${cols}`, columns);
  return { rows, cols, data: d, columns };
}

/** From an array of rows (tests, small fixtures). */
export function matrixFromRows(rows: readonly (readonly number[])[], columns?: readonly string[]): Matrix {
  const cols = rows.length ? rows[0].length : (columns?.length ?? 0);
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new ValidationError(`matrix.rows[${i}]`, `has ${r.length} values, expected ${cols}`);
    data.set(r, i * cols);
  });
  return makeMatrix(rows.length, cols, data, columns);
}

/** From named feature columns of equal length (the layout feature code produces). */
export function matrixFromColumns(cols: Readonly<Record<string, ArrayLike<number>>>, names: readonly string[] = Object.keys(cols)): Matrix {
  const n = names.length ? cols[names[0]].length : 0;
  const data = new Float64Array(n * names.length);
  names.forEach((name, j) => {
    const c = cols[name];
    if (!c) throw new ValidationError('matrix.columns', `has no column "${name}"`, Object.keys(cols));
    if (c.length !== n) throw new ValidationError(`matrix.columns.${name}`, `has ${c.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) data[i * names.length + j] = c[i];
  });
  return makeMatrix(n, names.length, data, names);
}

/** Rows [start, end) as a zero-copy view. */
export function sliceRows(m: Matrix, start: number, end: number = m.rows): Matrix {
  const a = Math.max(0, Math.min(start, m.rows));
  const b = Math.max(a, Math.min(end, m.rows));
  return { rows: b - a, cols: m.cols, data: m.data.subarray(a * m.cols, b * m.cols), columns: m.columns };
}

/** The listed rows, copied. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) out.set(m.data.subarray(idx[i] * m.cols, (idx[i] + 1) * m.cols), i * m.cols);
  return { rows: idx.length, cols: m.cols, data: out, columns: m.columns };
}

export function rowHasNaN(m: Matrix, i: number): boolean {
  for (let j = 0; j < m.cols; j++) if (Number.isNaN(m.data[i * m.cols + j])) return true;
  return false;
}

/** Throw a ValidationError naming the first non-finite value (models need complete rows). */
export function assertFinite(m: Matrix, what = 'X'): void {
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      if (!Number.isFinite(v)) {
        throw new ValidationError(`${what}[${i}].${m.columns?.[j] ?? j}`, 'is not a finite number (drop warm-up rows with NaN features first)', v);
      }
    }
  }
}

/** Labels as class indices 0..K-1; returns K. */
export function checkLabels(y: ArrayLike<number>, rows: number, what = 'y'): number {
  if (y.length !== rows) throw new ValidationError(what, `has ${y.length} labels, X has ${rows} rows`);
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) throw new ValidationError(`${what}[${i}]`, 'is not a class index (an integer >= 0)', v);
    if (v + 1 > k) k = v + 1;
  }
  return Math.max(k, 2);
}
