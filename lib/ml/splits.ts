/**
 * Chronological splits only. Rows are ordered by their bar time (several symbols may share a time); the
 * time axis is the sorted distinct timestamps, and a purge gap of `purge` bars (the label horizon) is cut
 * between training and test so no training label looks into the test period. Random shuffles across time
 * are deliberately not offered: they leak the future into evaluation.
 */
import { ValidationError } from '../core/errors.js';

export interface TimeSplit {
  train: Int32Array;
  test: Int32Array;
  /** [first, last] bar time of each side (epoch ms; NaN when empty). */
  trainWindow: [number, number];
  testWindow: [number, number];
}

/** Sorted distinct times and, for each row, the index of its time on that axis. */
export function timeAxis(time: ArrayLike<number>): { times: Float64Array; pos: Int32Array } {
  const times = Float64Array.from(new Set(Array.from(time))).sort();
  const at = new Map<number, number>();
  times.forEach((t, i) => at.set(t, i));
  const pos = new Int32Array(time.length);
  for (let i = 0; i < time.length; i++) pos[i] = at.get(time[i])!;
  return { times, pos };
}

function window(time: ArrayLike<number>, idx: Int32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of idx) {
    if (time[i] < lo) lo = time[i];
    if (time[i] > hi) hi = time[i];
  }
  return idx.length ? [lo, hi] : [NaN, NaN];
}

function rowsWhere(pos: Int32Array, keep: (p: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < pos.length; i++) if (keep(pos[i])) out.push(i);
  return Int32Array.from(out);
}

/**
 * The seed's 80/20 split as a time split: the last `testFraction` of the time axis is the test set, and the
 * `purge` bars before it are dropped from training.
 */
export function chronologicalSplit(time: ArrayLike<number>, opts: { testFraction?: number; purge?: number } = {}): TimeSplit {
  const testFraction = opts.testFraction ?? 0.2;
  const purge = opts.purge ?? 1;
  if (!(testFraction > 0 && testFraction < 1)) throw new ValidationError('split.testFraction', 'is not in (0, 1)', testFraction);
  if (!Number.isInteger(purge) || purge < 0) throw new ValidationError('split.purge', 'is not an integer >= 0', purge);
  const { times, pos } = timeAxis(time);
  const testStart = Math.floor(times.length * (1 - testFraction));
  const trainEnd = testStart - purge;
  if (trainEnd <= 0) throw new ValidationError('split', `leaves no training rows (${times.length} bars, purge ${purge})`);
  const train = rowsWhere(pos, (p) => p < trainEnd);
  const test = rowsWhere(pos, (p) => p >= testStart);
  return { train, test, trainWindow: window(time, train), testWindow: window(time, test) };
}

export interface ThreeBlockSplit {
  train: Int32Array;
  /** Rows for choosing among candidates (model type, threshold, filters): never fitted on. */
  selection: Int32Array;
  /** The untouched final block: only the chosen candidate is scored here, once. */
  test: Int32Array;
  trainWindow: [number, number];
  selectionWindow: [number, number];
  testWindow: [number, number];
}

/**
 * Train | selection | test on the time axis, with `purge` bars cut before the selection block and before the
 * test block so no label of an earlier block reaches into a later one.
 */
export function threeBlockSplit(time: ArrayLike<number>, opts: { selectionFraction: number; testFraction: number; purge?: number }): ThreeBlockSplit {
  const { selectionFraction: sf, testFraction: tf } = opts;
  const purge = opts.purge ?? 1;
  if (!(sf > 0 && sf < 1)) throw new ValidationError('split.selectionFraction', 'is not in (0, 1)', sf);
  if (!(tf > 0 && tf < 1)) throw new ValidationError('split.testFraction', 'is not in (0, 1)', tf);
  if (!(sf + tf < 1)) throw new ValidationError('split', `selectionFraction ${sf} + testFraction ${tf} leave no training block`);
  if (!Number.isInteger(purge) || purge < 0) throw new ValidationError('split.purge', 'is not an integer >= 0', purge);
  const { times, pos } = timeAxis(time);
  const testStart = Math.floor(times.length * (1 - tf));
  const selStart = Math.floor(times.length * (1 - tf - sf));
  if (selStart - purge <= 0 || testStart - purge <= selStart) throw new ValidationError('split', `leaves an empty block (${times.length} bars, purge ${purge})`);
  const train = rowsWhere(pos, (p) => p < selStart - purge);
  const selection = rowsWhere(pos, (p) => p >= selStart && p < testStart - purge);
  const test = rowsWhere(pos, (p) => p >= testStart);
  return { train, selection, test, trainWindow: window(time, train), selectionWindow: window(time, selection), testWindow: window(time, test) };
}
