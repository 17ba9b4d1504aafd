/**
 * Combinatorial purged cross-validation (López de Prado, "Advances in Financial Machine Learning", ch. 12).
 * The time axis is cut into N contiguous groups; every choice of k groups is one test set (C(N, k) splits),
 * the other groups train. Around each test group, training bars are purged (their h-bar labels would overlap
 * the test labels: `purge` bars before the group and `purge` after it) and an `embargo` of further bars after
 * it is dropped too (serial correlation). Each group is tested in C(N-1, k-1) splits, which assemble into
 * phi = k/N * C(N, k) complete out-of-sample backtest paths. Rows are ordered by bar time as in splits.ts;
 * several symbols sharing a time belong to the same bar.
 */
import { ValidationError } from '../core/errors.js';
import { combinations } from '../metrics/overfitting.js';
import { timeAxis } from './splits.js';

export interface CpcvOptions {
  /** N: number of contiguous groups the time axis is cut into (>= 2). */
  groups: number;
  /** k: groups in each test set (1 <= k < N). */
  testGroups: number;
  /** Bars purged on each side of a test group: the label horizon (default 1). */
  purge?: number;
  /** Bars dropped after each test group on top of the purge (default 0). */
  embargo?: number;
}

export interface CpcvSplit {
  /** Row indices. */
  train: Int32Array;
  test: Int32Array;
  /** Indices of the groups tested. */
  testGroups: number[];
}

export interface CpcvPlan {
  splits: CpcvSplit[];
  /** [first, last] time-axis index of each group. */
  groupBounds: Array<[number, number]>;
  /**
   * Backtest paths: paths[p][g] = index of the split whose model predicts group g in path p. Every group
   * appears in exactly one split of each path, so a path is a full out-of-sample history.
   */
  paths: number[][];
}


export function combinatorialPurgedSplits(time: ArrayLike<number>, opts: CpcvOptions): CpcvPlan {
  const N = opts.groups;
  const k = opts.testGroups;
  const purge = opts.purge ?? 1;
  const embargo = opts.embargo ?? 0;
  if (!Number.isInteger(N) || N < 2) throw new ValidationError('cpcv.groups', 'is not an integer >= 2', N);
  if (!Number.isInteger(k) || k < 1 || k >= N) throw new ValidationError('cpcv.testGroups', `is not an integer in [1, groups ${N})`, k);
  if (!Number.isInteger(purge) || purge < 0) throw new ValidationError('cpcv.purge', 'is not an integer >= 0', purge);
  if (!Number.isInteger(embargo) || embargo < 0) throw new ValidationError('cpcv.embargo', 'is not an integer >= 0', embargo);
  const { times, pos } = timeAxis(time);
  const T = times.length;
  if (T < N) throw new ValidationError('cpcv.groups', `is more than the ${T} distinct bar times`, N);
  const groupBounds: Array<[number, number]> = [];
  for (let g = 0; g < N; g++) groupBounds.push([Math.floor((g * T) / N), Math.floor(((g + 1) * T) / N) - 1]);

  const splits: CpcvSplit[] = [];
  const role = new Int8Array(T); // 0 train, 1 test, 2 purged/embargoed
  for (const testGroups of combinations(N, k)) {
    role.fill(0);
    for (const g of testGroups) {
      const [a, b] = groupBounds[g];
      role.fill(1, a, b + 1);
    }
    for (const g of testGroups) {
      const [a, b] = groupBounds[g];
      for (let t = Math.max(0, a - purge); t < a; t++) if (role[t] === 0) role[t] = 2;
      for (let t = b + 1; t <= Math.min(T - 1, b + purge + embargo); t++) if (role[t] === 0) role[t] = 2;
    }
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < pos.length; i++) {
      const r = role[pos[i]];
      if (r === 0) train.push(i);
      else if (r === 1) test.push(i);
    }
    splits.push({ train: Int32Array.from(train), test: Int32Array.from(test), testGroups });
  }
  // Path p takes, for each group, the p-th split (in order) that tests it.
  const byGroup: number[][] = Array.from({ length: N }, () => []);
  splits.forEach((s, i) => s.testGroups.forEach((g) => byGroup[g].push(i)));
  const nPaths = byGroup[0].length;
  const paths = Array.from({ length: nPaths }, (_, p) => byGroup.map((list) => list[p]));
  return { splits, groupBounds, paths };
}
