/**
 * Overfitting statistics over a sweep's grid, from the same lib/metrics functions the promotion gate uses.
 * Cells are grouped by timeline (same symbols and window: their per-bar returns line up); within a group every
 * cell is one trial. For each group: the deflated Sharpe ratio of the best cell given the number of trials and
 * the variance of their Sharpe ratios, and the probability of backtest overfitting by CSCV.
 */
import { deflatedSharpeFromReturns, probabilityOfBacktestOverfitting, returnMoments } from '../metrics/overfitting.js';
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
/** PBO's cost grows with trials x C(16, 8) splits: beyond this many trials in a group it is left out. */
export const MAX_PBO_TRIALS = 5000;

/** CSCV blocks for T periods: the paper's 16 when each block gets >= 20 periods, else fewer (even, >= 2), else none. */
export function cscvBlocks(periods: number): number | null {
  for (let s = 16; s >= 2; s -= 2) if (periods >= s * 20) return s;
  return null;
}

export interface OverfittingReport {
  readonly groups: GroupOverfitting[] | null;
  /** Why there are no statistics, or what was left out. */
  readonly reason: string | null;
  /** PBO logits of the largest group (for the histogram), with its label. */
  readonly logits: { readonly label: string; readonly values: Float64Array } | null;
}

export function overfittingForGroups(
  jobs: readonly SweepJob[],
  rows: readonly ResultRow[],
  returnsOf: (id: string) => ArrayLike<number> | null,
  periodsPerYear = 252,
): OverfittingReport {
  const finished = new Set(rows.map((r) => r.job_id));
  const all = trialGroups(jobs.filter((j) => finished.has(j.id))).filter((g) => g.jobs.length >= 2);
  const groups: GroupOverfitting[] = [];
  const notes: string[] = [];
  let logits: OverfittingReport['logits'] = null;
  let logitTrials = 0;
  const annual = Math.sqrt(periodsPerYear);
  for (const g of all.slice(0, MAX_GROUPS)) {
    const returns = g.jobs.map((j) => returnsOf(j.id));
    if (returns.some((r) => r === null)) continue;
    const rs = returns as ArrayLike<number>[];
    const sharpes = rs.map((r) => returnMoments(r).sharpe);
    let best = -1;
    sharpes.forEach((s, i) => {
      if (Number.isFinite(s) && (best < 0 || s > sharpes[best])) best = i;
    });
    const finite = sharpes.filter((s) => Number.isFinite(s));
    const label = best < 0 ? '–' : Object.entries(g.jobs[best].params).map(([k, v]) => `${k}=${v}`).join(' ') || `cell ${g.jobs[best].cell}`;
    let dsr: number | null = null;
    let sr0: number | null = null;
    if (best >= 0 && finite.length >= 1) {
      const d = deflatedSharpeFromReturns(rs[best], finite, { trials: g.jobs.length });
      dsr = d.dsr;
      sr0 = d.benchmarkSharpe * annual;
    }
    let pbo: number | null = null;
    let splits: number | null = null;
    const T = rs[0].length;
    const blocks = cscvBlocks(T);
    if (g.jobs.length > MAX_PBO_TRIALS) notes.push(`PBO left out for ${g.symbols} ${g.window}: ${g.jobs.length} trials (over ${MAX_PBO_TRIALS})`);
    else if (blocks === null) notes.push(`PBO left out for ${g.symbols} ${g.window}: ${T} periods are too few for CSCV`);
    else {
      const r = probabilityOfBacktestOverfitting(rs, { blocks });
      pbo = r.pbo;
      splits = r.combinations;
      if (g.jobs.length > logitTrials) {
        logitTrials = g.jobs.length;
        logits = { label: `${g.symbols} · ${g.window}`, values: r.logits };
      }
    }
    groups.push({
      trials: g.jobs.length,
      symbols: g.symbols,
      window: g.window,
      bestLabel: label,
      bestSharpeAnnual: best >= 0 ? sharpes[best] * annual : null,
      expectedMaxSharpeAnnual: sr0,
      deflatedSharpe: dsr,
      pbo,
      splits,
    });
  }
  if (all.length > MAX_GROUPS) notes.push(`${all.length - MAX_GROUPS} more groups not shown`);
  return { groups, reason: notes.length ? notes.join('; ') : null, logits };
}
