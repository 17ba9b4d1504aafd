/**
 * Training rows from bar series: the named features at bar t (bars <= t) and the label "return over the
 * next `horizon` bars exceeds `threshold`" (bars t+1..t+h). Rows with an incomplete feature vector or an
 * unknown label are dropped; rows of several symbols are ordered by time so time splits stay honest.
 */
import type { BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { featureMatrix, forwardReturn, resolveFeatureNames } from '../features/index.js';
import { makeMatrix, type Matrix } from './matrix.js';

export interface LabelSpec {
  kind: 'next_return';
  horizon: number;
  threshold: number;
}

export const DEFAULT_LABEL: Readonly<LabelSpec> = { kind: 'next_return', horizon: 1, threshold: 0.005 };

export interface Dataset {
  X: Matrix;
  /** 0/1 labels. */
  y: Uint8Array;
  /** Bar time per row (epoch ms). */
  time: Float64Array;
  /** Index into `symbols` per row. */
  symbolIndex: Int32Array;
  /** Index of the row's bar in its series. */
  barIndex: Int32Array;
  /** Return over the label horizon from the row's close. */
  forwardReturn: Float64Array;
  /** Return of the next bar alone (close to close): what holding one bar earns, for the baselines. */
  nextBarReturn: Float64Array;
  symbols: string[];
  features: readonly string[];
  label: LabelSpec;
}

export function buildDataset(series: readonly BarSeries[], opts: { features?: readonly string[]; label?: Partial<LabelSpec> } = {}): Dataset {
  if (series.length === 0) throw new ValidationError('dataset.series', 'is empty: give at least one symbol');
  const features = resolveFeatureNames(opts.features);
  const label: LabelSpec = { ...DEFAULT_LABEL, ...opts.label };
  if (!Number.isInteger(label.horizon) || label.horizon < 1) throw new ValidationError('label.horizon', 'is not an integer >= 1', label.horizon);
  if (!Number.isFinite(label.threshold)) throw new ValidationError('label.threshold', 'is not a finite number', label.threshold);
  type Row = { t: number; s: number; i: number };
  const rows: Row[] = [];
  const mats = series.map((s) => featureMatrix(s, features));
  const fwd = series.map((s) => forwardReturn(s.close, label.horizon));
  const next = series.map((s) => forwardReturn(s.close, 1));
  series.forEach((s, si) => {
    const m = mats[si];
    for (let i = 0; i < s.length; i++) {
      if (!Number.isFinite(fwd[si][i])) continue;
      let ok = true;
      for (let k = i * m.cols, e = k + m.cols; k < e; k++) {
        if (!Number.isFinite(m.data[k])) {
          ok = false;
          break;
        }
      }
      if (ok) rows.push({ t: s.time[i], s: si, i });
    }
  });
  rows.sort((a, b) => a.t - b.t || a.s - b.s);
  const cols = features.length;
  const data = new Float64Array(rows.length * cols);
  const y = new Uint8Array(rows.length);
  const time = new Float64Array(rows.length);
  const symbolIndex = new Int32Array(rows.length);
  const barIndex = new Int32Array(rows.length);
  const forward = new Float64Array(rows.length);
  const nextBar = new Float64Array(rows.length);
  rows.forEach((r, k) => {
    data.set(mats[r.s].data.subarray(r.i * cols, (r.i + 1) * cols), k * cols);
    forward[k] = fwd[r.s][r.i];
    nextBar[k] = next[r.s][r.i];
    y[k] = forward[k] > label.threshold ? 1 : 0;
    time[k] = r.t;
    symbolIndex[k] = r.s;
    barIndex[k] = r.i;
  });
  return {
    X: makeMatrix(rows.length, cols, data, features),
    y,
    time,
    symbolIndex,
    barIndex,
    forwardReturn: forward,
    nextBarReturn: nextBar,
    symbols: series.map((s) => s.symbol),
    features,
    label,
  };
}

/** The subset of a dataset at the given rows (copies). */
export function subset(d: Dataset, idx: ArrayLike<number>): Dataset {
  const cols = d.X.cols;
  const data = new Float64Array(idx.length * cols);
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const out = make(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = a[idx[k]];
    return out;
  };
  for (let k = 0; k < idx.length; k++) data.set(d.X.data.subarray(idx[k] * cols, (idx[k] + 1) * cols), k * cols);
  return {
    ...d,
    X: makeMatrix(idx.length, cols, data, d.features),
    y: pick(d.y, (n) => new Uint8Array(n)),
    time: pick(d.time, (n) => new Float64Array(n)),
    symbolIndex: pick(d.symbolIndex, (n) => new Int32Array(n)),
    barIndex: pick(d.barIndex, (n) => new Int32Array(n)),
    forwardReturn: pick(d.forwardReturn, (n) => new Float64Array(n)),
    nextBarReturn: pick(d.nextBarReturn, (n) => new Float64Array(n)),
  };
}
