/**
 * runSweep: the whole sweep as one call (the CLI and notebooks both use it). Order of work:
 *   1. check everything that can be checked (Redis reachable, data present and hashed, the grid's size and
 *      validity) before any job runs;
 *   2. open the results folder and skip every job already recorded there (resume);
 *   3. run the rest on the local thread pool or through the Redis queue, recording each result as it lands;
 *   4. rewrite the table in grid order (CSV + Parquet) and write the HTML report.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { periodsPerYearFor } from '../metrics/periods.js';
import { dataHash as hashOf, dataRefFor, loadDataRef } from './data.js';
import { codeHash } from './code.js';
import { planJobs, type SweepJob } from './grid.js';
import { windowSeries, type JobResult } from './job.js';
import { defaultWorkers, SweepPool, type PoolStats } from './pool.js';
import { sweepProgress, type ProgressMode } from './progress.js';
import { checkRedis, DEFAULT_QUEUE_NAME, parseRedisUrl, runOnQueue, type QueueRunStats } from './queue.js';
import { ResultStore, resultRow, type ResultRow } from './results.js';
import type { SweepSpec } from './spec.js';
import { writeSweepReport } from './report.js';

export interface RunSweepOptions {
  readonly spec: SweepSpec;
  /** Results folder (default reports/sweeps/NAME). */
  readonly out?: string;
  /** Worker threads for a local sweep (default: one per core). */
  readonly workers?: number;
  /** redis://HOST:PORT: put the jobs on this BullMQ queue instead of running them here. */
  readonly queue?: string;
  readonly queueName?: string;
  /** Allow grids over 1,000,000 cells. */
  readonly yes?: boolean;
  /** Discard earlier results in the folder instead of resuming. */
  readonly fresh?: boolean;
  /** Plan the grid and count the cells already done in `out`; run and write nothing. */
  readonly dryRun?: boolean;
  /** HTML report path; false for none (default OUT/report.html). */
  readonly report?: string | false;
  readonly progress?: ProgressMode;
  readonly log?: (s: string) => void;
  readonly signal?: AbortSignal;
  /** Called with each new row as its job finishes (live results in a notebook). */
  readonly onResult?: (row: ResultRow) => void;
}

export interface SweepOutcome {
  readonly out: string;
  readonly dataHash: string;
  /** Valid cells (= jobs) of the grid. */
  readonly cells: number;
  /** Cells the strategy rejects, by reason. */
  readonly skipped: ReadonlyMap<string, number>;
  /** Jobs found done in the results folder and not run again (a dry run: that would not run). */
  readonly resumed: number;
  /** Jobs run (or taken from the queue) in this call. */
  readonly ran: number;
  readonly seconds: number;
  /** The results table in grid order (empty for a dry run). */
  readonly rows: readonly ResultRow[];
  readonly jobs: readonly SweepJob[];
  readonly reportPath: string | null;
  readonly pool?: PoolStats & { readonly workers: number };
  readonly queue?: QueueRunStats;
}

export function defaultOut(spec: SweepSpec): string {
  return resolve('reports', 'sweeps', spec.name.replace(/[^\w.-]+/g, '_'));
}

function describeCell(j: SweepJob): string {
  const ps = Object.entries(j.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${ps}${ps ? ' ' : ''}on ${j.symbols.join(' ')}${j.window ? ` ${j.window.start}..${j.window.end}` : ''}`;
}

export async function runSweep(o: RunSweepOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  const spec = o.spec;
  const log = o.log ?? ((s: string) => console.error(s));
  const workers = o.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1)) throw new ValidationError('--workers', 'must be a whole number >= 1', workers);
  const target = o.queue !== undefined ? parseRedisUrl(o.queue) : null;
  if (target) await checkRedis(target);

  const ref = dataRefFor(spec.data);
  const hash = hashOf(ref);
  const available = ref.kind === 'csv' ? ref.files.map((f) => f.symbol) : [...ref.symbols];
  const code = codeHash();
  // The grid is counted (and refused when too big or empty) before the bars are even parsed.
  const plan = planJobs(spec, ref, hash, available, { yes: o.yes, codeHash: code });
  const loaded = loadDataRef(ref);
  for (const w of spec.windows ?? []) windowSeries([...loaded.series.values()], { window: w });
  const jobs = plan.jobs;
  const out = resolve(o.out ?? defaultOut(spec));
  const skippedText = [...plan.skipped].map(([why, n]) => `${n.toLocaleString('en-US')} skipped: ${why}`).join(', ');
  const files = ref.kind === 'csv' ? `${ref.files.length} files` : `synthetic seed ${ref.seed}`;
  log(`sweep ${spec.name}: ${spec.strategy}, ${jobs.length.toLocaleString('en-US')} cells${skippedText ? ` (${skippedText})` : ''}, data ${hash.slice(0, 12)} (${files})`);

  const manifest = join(out, 'sweep.json');
  const prev = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; strategy?: string; dataHash?: string; codeHash?: string }) : null;
  if (prev && !o.fresh && (prev.dataHash !== hash || prev.strategy !== spec.strategy)) {
    // Resuming into it would drop that sweep's rows from the table: refuse before touching anything.
    throw new ValidationError('--out', `${out} holds another sweep's results (${prev.name}: ${prev.strategy} on data ${String(prev.dataHash).slice(0, 12)}); use another --out, or --fresh to replace them`);
  }
  const where = target ? `queue ${o.queueName ?? DEFAULT_QUEUE_NAME} on ${target.display}` : `${workers} worker thread${workers === 1 ? '' : 's'}`;
  if (o.dryRun) {
    // What a real run would do: the cells already in OUT (unless fresh) are skipped.
    const seen = o.fresh || !existsSync(out) ? null : new ResultStore(out, spec, { readOnly: true });
    const done = seen ? jobs.filter((j) => seen.has(j.id)).length : 0;
    log(`would run ${jobs.length - done} on ${where}${done > 0 ? ` (${done} already in ${out})` : ''}`);
    return { out, dataHash: hash, cells: jobs.length, skipped: plan.skipped, resumed: done, ran: 0, seconds: (performance.now() - t0) / 1000, rows: [], jobs, reportPath: null };
  }
  const store = new ResultStore(out, spec, { fresh: o.fresh });
  const before = prev && store.size > 0 ? prev.codeHash : undefined;
  if (before !== undefined && before !== code) log(`note: the results already in ${out} come from other code (${before}, now ${code}); --fresh recomputes them`);
  writeFileSync(manifest, `${JSON.stringify({ name: spec.name, source: spec.source, strategy: spec.strategy, dataHash: hash, codeHash: code, data: ref, cells: jobs.length, columns: store.columns, spec }, null, 2)}\n`);
  const pending = jobs.filter((j) => !store.has(j.id));
  const resumed = jobs.length - pending.length;
  if (resumed > 0) log(`resuming: ${resumed} of ${jobs.length} cells already in ${out}`);
  if (pending.length > 0) log(`running ${pending.length} on ${where}; results stream to ${join(out, 'results.csv')}`);
  const progress = sweepProgress(jobs.length, resumed, { mode: o.progress, log });
  const record = (job: SweepJob, r: JobResult): void => {
    if (store.add(job, r)) {
      progress.tick();
      o.onResult?.(resultRow(job, r));
      store.checkpoint(jobs);
    }
  };
  let poolStats: (PoolStats & { workers: number }) | undefined;
  let queueStats: QueueRunStats | undefined;
  try {
    if (pending.length > 0 && target) {
      queueStats = await runOnQueue(pending, {
        target,
        name: o.queueName,
        onResult: record,
        signal: o.signal,
        onIdle: (n) => log(`waiting: ${n} jobs queued and none finished lately; start workers with: npm run worker -- --queue ${target.display}`),
      });
    } else if (pending.length > 0) {
      const pool = new SweepPool({ workers });
      try {
        let next = 0;
        let failed: Error | null = null;
        const lane = async (): Promise<void> => {
          while (!failed && !o.signal?.aborted && next < pending.length) {
            const job = pending[next++];
            try {
              const { result } = await pool.run(job);
              record(job, result);
            } catch (e) {
              failed ??= new Error(`cell ${job.cell} (${describeCell(job)}) failed: ${(e as Error).message}`);
            }
          }
        };
        // A few jobs in flight per thread keep every thread busy without queueing the whole grid in memory.
        await Promise.all(Array.from({ length: Math.min(pending.length, workers * 2) }, lane));
        if (failed) throw failed;
        if (o.signal?.aborted) throw new Error('interrupted');
        poolStats = { ...pool.stats(), workers };
      } finally {
        await pool.close();
      }
    }
  } finally {
    progress.stop();
  }
  const rows = store.finish(jobs);
  let reportPath: string | null = null;
  if (o.report !== false) {
    reportPath = resolve(o.report ?? join(out, 'report.html'));
    writeSweepReport(reportPath, { spec, jobs, store, dataHash: hash, periodsPerYear: periodsPerYearFor([...loaded.series.values()][0].interval) });
  }
  return {
    out,
    dataHash: hash,
    cells: jobs.length,
    skipped: plan.skipped,
    resumed,
    ran: pending.length,
    seconds: (performance.now() - t0) / 1000,
    rows,
    jobs,
    reportPath,
    pool: poolStats,
    queue: queueStats,
  };
}
