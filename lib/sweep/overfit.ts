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
const MAX_GROUPS = 50;
/** PBO's cost grows with trials x C(16, 8) splits: beyond this many trials in a group it is left out. */
const MAX_PBO_TRIALS = 5000;

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

/** Streams the stored per-bar returns of the wanted jobs (ResultStore.scanReturns). */
export type ReturnsScan = (ids: ReadonlySet<string>, fn: (id: string, returns: Float32Array) => void) => void;

/** Returns held in memory at once for the statistics (floats); bigger groups are streamed for the DSR alone. */
const RETURNS_BUDGET = 64_000_000;

function cellLabel(j: SweepJob): string {
  return Object.entries(j.params).map(([k, v]) => `${k}=${v}`).join(' ') || `cell ${j.cell}`;
}

export function overfittingForGroups(
  jobs: readonly SweepJob[],
  rows: readonly ResultRow[],
  scan: ReturnsScan,
  periodsPerYear = 252,
  opts: { budget?: number } = {},
): OverfittingReport {
  const budget = opts.budget ?? RETURNS_BUDGET;
  const barsOf = new Map(rows.map((r) => [r.job_id as string, typeof r.bars === 'number' ? r.bars : 0]));
  const all = trialGroups(jobs.filter((j) => barsOf.has(j.id))).filter((g) => g.jobs.length >= 2);
  const listed = all.slice(0, MAX_GROUPS);
  const floats = (g: TrialGroup) => g.jobs.reduce((k, j) => k + barsOf.get(j.id)!, 0);
  const groups: GroupOverfitting[] = [];
  const notes: string[] = [];
  let logits: OverfittingReport['logits'] = null;
  let logitTrials = 0;
  const annual = Math.sqrt(periodsPerYear);
  const load = (gs: readonly TrialGroup[]): Map<string, Float32Array> => {
    const m = new Map<string, Float32Array>();
    scan(new Set(gs.flatMap((g) => g.jobs.map((j) => j.id))), (id, r) => m.set(id, r));
    return m;
  };
  const total = listed.reduce((k, g) => k + floats(g), 0);
  const shared = total <= budget ? load(listed) : null;

  for (const g of listed) {
    const row = (x: Partial<GroupOverfitting>): GroupOverfitting => ({
      trials: g.jobs.length,
      symbols: g.symbols,
      window: g.window,
      bestLabel: '–',
      bestSharpeAnnual: null,
      expectedMaxSharpeAnnual: null,
      deflatedSharpe: null,
      pbo: null,
      splits: null,
      ...x,
    });
    const inMemory = shared ?? (floats(g) <= budget && g.jobs.length <= MAX_PBO_TRIALS ? load([g]) : null);
    if (!inMemory) {
      // Too big to hold: stream once for every trial's Sharpe and the best one's returns; the DSR needs no more.
      const sharpes: number[] = [];
      let bestId = '';
      let bestSr = -Infinity;
      let bestReturns: Float32Array | null = null;
      scan(new Set(g.jobs.map((j) => j.id)), (id, r) => {
        const sr = returnMoments(r).sharpe;
        if (!Number.isFinite(sr)) return;
        sharpes.push(sr);
        if (sr > bestSr) [bestSr, bestId, bestReturns] = [sr, id, r];
      });
      notes.push(`PBO left out for ${g.symbols} ${g.window}: ${g.jobs.length} trials are too many to hold in memory`);
      if (!bestReturns) {
        groups.push(row({}));
        continue;
      }
      const d = deflatedSharpeFromReturns(bestReturns, sharpes, { trials: g.jobs.length });
      groups.push(row({ bestLabel: cellLabel(g.jobs.find((j) => j.id === bestId)!), bestSharpeAnnual: bestSr * annual, expectedMaxSharpeAnnual: d.benchmarkSharpe * annual, deflatedSharpe: d.dsr }));
      continue;
    }
    const rs = g.jobs.map((j) => inMemory.get(j.id));
    if (rs.some((r) => r === undefined)) {
      notes.push(`${g.symbols} ${g.window}: returns missing for some cells`);
      continue;
    }
    const arrays = rs as Float32Array[];
    const sharpes = arrays.map((r) => returnMoments(r).sharpe);
    let best = -1;
    sharpes.forEach((sr, i) => {
      if (Number.isFinite(sr) && (best < 0 || sr > sharpes[best])) best = i;
    });
    if (best < 0) {
      groups.push(row({}));
      continue;
    }
    const d = deflatedSharpeFromReturns(arrays[best], sharpes.filter((sr) => Number.isFinite(sr)), { trials: g.jobs.length });
    let pbo: number | null = null;
    let splits: number | null = null;
    const T = arrays[0].length;
    const blocks = cscvBlocks(T);
    if (g.jobs.length > MAX_PBO_TRIALS) notes.push(`PBO left out for ${g.symbols} ${g.window}: ${g.jobs.length} trials (over ${MAX_PBO_TRIALS})`);
    else if (blocks === null) notes.push(`PBO left out for ${g.symbols} ${g.window}: ${T} periods are too few for CSCV`);
    else {
      const r = probabilityOfBacktestOverfitting(arrays, { blocks });
      pbo = r.pbo;
      splits = r.combinations;
      if (g.jobs.length > logitTrials) {
        logitTrials = g.jobs.length;
        logits = { label: `${g.symbols} · ${g.window}`, values: r.logits };
      }
    }
    groups.push(row({ bestLabel: cellLabel(g.jobs[best]), bestSharpeAnnual: sharpes[best] * annual, expectedMaxSharpeAnnual: d.benchmarkSharpe * annual, deflatedSharpe: d.dsr, pbo, splits }));
  }
  if (all.length > MAX_GROUPS) notes.push(`${all.length - MAX_GROUPS} more groups not shown`);
  return { groups, reason: notes.length ? notes.join('; ') : null, logits };
}
