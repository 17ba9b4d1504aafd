/**
 * The grid: every combination of symbol universe x window x cost setting x strategy parameters, in a fixed
 * order (the last parameter varies fastest), minus the cells the strategy calls invalid (fast >= slow).
 * Each cell becomes a job whose id is a content hash of (data hash, the settings that shape a run, the cell):
 * the same cell of the same data always has the same id, so a resumed or extended sweep skips what is done.
 */
import { ValidationError } from '../core/errors.js';
import { canonicalJson, sha256, type DataRef } from './data.js';
import { SWEEP_STRATEGIES, type CostKey, type Scalar, type StrategyName, type SweepExecution, type SweepSpec, type SweepWindow } from './spec.js';

import { MAX_CELLS_WITHOUT_YES } from './defaults.js';

export { MAX_CELLS_WITHOUT_YES };

/** A grid over MAX_CELLS_WITHOUT_YES cells without `yes`: the command line lacks --yes (exit 2, not a failure). */
export class GridTooLargeError extends ValidationError {}

export interface SweepJob {
  /** Content hash (16 hex digits). */
  readonly id: string;
  /** Position in the grid (valid cells counted from 0): the results table's order. */
  readonly cell: number;
  readonly strategy: StrategyName;
  readonly params: Readonly<Record<string, Scalar>>;
  readonly symbols: readonly string[];
  readonly window: SweepWindow | null;
  readonly costs: Readonly<Record<CostKey, number>>;
  readonly execution: SweepExecution;
  readonly features: readonly string[];
  readonly data: DataRef;
  readonly dataHash: string;
  /** The code that planned it (lib/sweep/code.ts); not part of the id. */
  readonly codeHash: string;
}

/** The symbol universes of a spec given the symbols the data has. */
export function universes(spec: SweepSpec, available: readonly string[]): string[][] {
  if (spec.universe === 'all') return [[...available]];
  if (spec.universe === 'each') return available.map((s) => [s]);
  return spec.universe.map((u, i) => {
    u.forEach((s, j) => {
      if (!available.includes(s)) throw new ValidationError(`universe[${i}][${j}]`, `is not in the data (have ${available.join(', ')})`, s);
    });
    return [...u];
  });
}

/** Cells before dropping invalid ones: the product of the axis lengths (no enumeration). */
export function gridSize(spec: SweepSpec, nUniverses: number): number {
  let n = nUniverses * (spec.windows?.length ?? 1);
  for (const c of spec.costs) n *= c.values.length;
  for (const p of spec.params) n *= p.values.length;
  return n;
}

export interface GridPlan {
  readonly jobs: SweepJob[];
  /** Cells the strategy rejects, by reason ("fast >= slow": 45). */
  readonly skipped: ReadonlyMap<string, number>;
  readonly size: number;
}

/**
 * Enumerate the jobs. Refuses a grid over MAX_CELLS_WITHOUT_YES cells unless `yes`, and an empty grid, before
 * building anything.
 */
export function planJobs(spec: SweepSpec, data: DataRef, dataHashHex: string, available: readonly string[], opts: { yes?: boolean; codeHash?: string } = {}): GridPlan {
  const us = universes(spec, available);
  const size = gridSize(spec, us.length);
  if (size > MAX_CELLS_WITHOUT_YES && !opts.yes) {
    throw new GridTooLargeError('grid', `has ${size.toLocaleString('en-US')} cells, over ${MAX_CELLS_WITHOUT_YES.toLocaleString('en-US')}: pass --yes to run it anyway`);
  }
  const invalid = SWEEP_STRATEGIES[spec.strategy].invalid;
  const codeHash = opts.codeHash ?? '';
  const skipped = new Map<string, number>();
  const jobs: SweepJob[] = [];
  const base = { strategy: spec.strategy, execution: spec.execution, features: spec.features };
  const baseKey = canonicalJson({ v: 1, data: dataHashHex, ...base });
  const windows: Array<SweepWindow | null> = spec.windows ? [...spec.windows] : [null];
  const costSets = product(spec.costs.map((c) => c.values.map((v) => [c.name, v] as const)));
  // The cell key is canonicalJson({params, symbols, window, costs}) built from pieces: a million cells hash in seconds.
  const names = spec.params.map((p) => p.name);
  const sortedIdx = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : 1));
  const valueJson = spec.params.map((p) => p.values.map((v) => `${JSON.stringify(p.name)}:${JSON.stringify(v)}`));
  const sizes = spec.params.map((p) => p.values.length);
  const odo = new Array<number>(names.length).fill(0);
  for (const symbols of us) {
    for (const window of windows) {
      for (const cs of costSets) {
        const costs = Object.fromEntries(cs) as Record<CostKey, number>;
        const head = `${baseKey}|{"costs":${canonicalJson(costs)},"params":{`;
        const tail = `},"symbols":${canonicalJson(symbols)},"window":${canonicalJson(window)}}`;
        odo.fill(0);
        for (;;) {
          const params: Record<string, Scalar> = {};
          for (let k = 0; k < names.length; k++) params[names[k]] = spec.params[k].values[odo[k]];
          const why = invalid?.(params) ?? null;
          if (why !== null) skipped.set(why, (skipped.get(why) ?? 0) + 1);
          else {
            let mid = '';
            for (let k = 0; k < sortedIdx.length; k++) mid += (k ? ',' : '') + valueJson[sortedIdx[k]][odo[sortedIdx[k]]];
            const id = sha256(head + mid + tail).slice(0, 16);
            jobs.push({ id, cell: jobs.length, ...base, params, symbols, window, costs, data, dataHash: dataHashHex, codeHash });
          }
          // next parameter combination, last parameter fastest
          let k = names.length - 1;
          while (k >= 0 && ++odo[k] === sizes[k]) odo[k--] = 0;
          if (k < 0) break;
        }
      }
    }
  }
  if (jobs.length === 0) {
    const reasons = [...skipped].map(([r, n]) => `${n} with ${r}`).join(', ');
    throw new ValidationError('grid', `is empty: every one of its ${size} cells is invalid (${reasons})`);
  }
  return { jobs, skipped, size };
}

/** Cartesian product, last list varying fastest. */
function product<T>(lists: ReadonlyArray<readonly T[]>): T[][] {
  let out: T[][] = [[]];
  for (const l of lists) {
    const next: T[][] = [];
    for (const prefix of out) for (const v of l) next.push([...prefix, v]);
    out = next;
  }
  return out;
}
