/**
 * Walk-forward retraining: refit every `retrainEvery` bars on the preceding window (rolling: the last
 * `trainBars` bars; expanding: everything so far) minus a purge gap, and predict the next block. Every row
 * after the first window gets an out-of-sample probability from a model that never saw its bar or later;
 * rows before it get NaN. These probabilities are what an honest backtest of the model trades.
 */
import { ValidationError } from '../core/errors.js';
import { takeRows, type Matrix } from './matrix.js';
import type { ModelFactory } from './model.js';
import { timeAxis } from './splits.js';
import { SILENT, type Progress } from './progress.js';

export interface WalkForwardOptions {
  /** Bars in the (first) training window. */
  trainBars: number;
  /** Refit every N bars (5 = weekly on daily bars). */
  retrainEvery: number;
  window?: 'rolling' | 'expanding';
  /** Bars dropped between training and prediction (label horizon). */
  purge?: number;
  /** Progress display given the number of folds (e.g. `(n) => progressBar('walk-forward', n)`). */
  progress?: (folds: number) => Progress;
}

export interface Fold {
  /** Indices on the distinct-time axis: train [trainStart, trainEnd), test [testStart, testEnd). */
  trainStart: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
  trainRows: number;
  testRows: number;
}

export interface WalkForwardResult {
  /** P(class 1) per row, NaN where no model existed yet. */
  prob: Float64Array;
  folds: Fold[];
  /** First time (epoch ms) with an out-of-sample prediction. */
  firstPredictedTime: number;
}

export function walkForwardFolds(nTimes: number, opts: WalkForwardOptions): Array<Omit<Fold, 'trainRows' | 'testRows'>> {
  const purge = opts.purge ?? 1;
  const win = opts.window ?? 'rolling';
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new ValidationError(`walkForward.${name}`, `is not an integer >= ${min}`, v);
  };
  int('trainBars', opts.trainBars, 1);
  int('retrainEvery', opts.retrainEvery, 1);
  int('purge', purge, 0);
  if (win !== 'rolling' && win !== 'expanding') throw new ValidationError('walkForward.window', "is not 'rolling' or 'expanding'", win);
  const folds = [];
  for (let s = opts.trainBars + purge; s < nTimes; s += opts.retrainEvery) {
    const trainEnd = s - purge;
    folds.push({ trainStart: win === 'rolling' ? trainEnd - opts.trainBars : 0, trainEnd, testStart: s, testEnd: Math.min(nTimes, s + opts.retrainEvery) });
  }
  return folds;
}

export async function walkForward(X: Matrix, y: ArrayLike<number>, time: ArrayLike<number>, factory: ModelFactory, opts: WalkForwardOptions): Promise<WalkForwardResult> {
  if (y.length !== X.rows || time.length !== X.rows) throw new ValidationError('walkForward', `X has ${X.rows} rows, y ${y.length}, time ${time.length}`);
  const { times, pos } = timeAxis(time);
  const plan = walkForwardFolds(times.length, opts);
  const progress = opts.progress ? opts.progress(plan.length) : SILENT;
  const prob = new Float64Array(X.rows).fill(NaN);
  // Rows grouped by time index so each fold gathers its rows without scanning everything.
  const byTime: number[][] = Array.from({ length: times.length }, () => []);
  for (let i = 0; i < pos.length; i++) byTime[pos[i]].push(i);
  const gather = (a: number, b: number) => {
    const out: number[] = [];
    for (let t = a; t < b; t++) for (const i of byTime[t]) out.push(i);
    return Int32Array.from(out);
  };
  const folds: Fold[] = [];
  for (let f = 0; f < plan.length; f++) {
    const fold = plan[f];
    const tr = gather(fold.trainStart, fold.trainEnd);
    const te = gather(fold.testStart, fold.testEnd);
    folds.push({ ...fold, trainRows: tr.length, testRows: te.length });
    if (tr.length && te.length) {
      const ytr = new Int32Array(tr.length);
      for (let i = 0; i < tr.length; i++) ytr[i] = y[tr[i]];
      const model = factory();
      // bar times let a model hold out its own latest rows honestly (GBDT early stopping)
      await model.fit(takeRows(X, tr), ytr, { time: Array.from(tr, (i) => time[i]), purge: opts.purge ?? 1 });
      const p = model.predictPositive(takeRows(X, te));
      for (let i = 0; i < te.length; i++) prob[te[i]] = p[i];
      model.dispose?.();
    }
    progress.update(f + 1);
  }
  progress.stop();
  return { prob, folds, firstPredictedTime: plan.length ? times[plan[0].testStart] : NaN };
}
