/**
 * Overfitting statistics over a sweep's grid, from the same lib/metrics functions the promotion gate uses.
 * Cells are grouped by timeline (same symbols and window: their per-bar returns line up); within a group every
 * cell is one trial. For each group: the deflated Sharpe ratio of the best cell given the number of trials and
 * the variance of their Sharpe ratios, and the probability of backtest overfitting by CSCV.
 */
import type { SweepJob } from './grid.js';
import type { ResultRow } from './results.js';

export interface GroupOverfitting {
  readonly trials: number;
  readonly symbols: string;
  readonly window: string;
  readonly bestLabel: string;
  readonly bestSharpeAnnual: number | null;
  readonly expectedMaxSharpeAnnual: number | null;
  /** P(true Sharpe of the best cell > expected max of unskilled trials). */
  readonly deflatedSharpe: number | null;
  /** Probability of backtest overfitting (CSCV). */
  readonly pbo: number | null;
  /** Number of CSCV splits evaluated. */
  readonly splits: number | null;
}

export interface TrialGroup {
  readonly key: string;
  readonly symbols: string;
  readonly window: string;
  readonly jobs: SweepJob[];
}

/** Jobs grouped by timeline (symbols x window), in grid order. */
export function trialGroups(jobs: readonly SweepJob[]): TrialGroup[] {
  const groups = new Map<string, TrialGroup>();
  for (const j of jobs) {
    const symbols = j.symbols.join(' ');
    const window = j.window ? `${j.window.start}..${j.window.end}` : 'all';
    const key = `${symbols}|${window}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, symbols, window, jobs: [] }));
    g.jobs.push(j);
  }
  return [...groups.values()];
}

/** Groups listed in the report at most (the rest are counted). */
export const MAX_GROUPS = 50;

export function overfittingForGroups(
  jobs: readonly SweepJob[],
  _rows: readonly ResultRow[],
  _returnsOf: (id: string) => Float32Array | null,
  _periodsPerYear = 252,
): { groups: GroupOverfitting[] | null; reason: string | null } {
  void trialGroups(jobs);
  return { groups: null, reason: 'The overfitting statistics (lib/metrics/overfitting.ts) are not in this build yet.' };
}
