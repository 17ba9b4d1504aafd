/**
 * npm run sweep -- --config sweep.yaml [options]: a grid of backtests on every core, or across machines through
 * a Redis queue (--queue redis://HOST:PORT, with `npm run worker` on each machine). Results stream to
 * OUT/results.csv (and results.parquet) as jobs finish; re-running the same command resumes. Exit codes:
 * 0 done, 2 bad usage or input (nothing run), 1 failure (e.g. Redis unreachable, a job failed), 130 interrupted.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataError, ValidationError } from '../lib/core/errors.js';
import { defaultWorkers } from '../lib/sweep/pool.js';
import { RedisUnreachableError, DEFAULT_QUEUE_NAME } from '../lib/sweep/queue.js';
import { runSweep } from '../lib/sweep/run.js';
import { loadSweepSpec } from '../lib/sweep/spec.js';

export const HELP = `usage: npm run sweep -- --config FILE [options]

Runs every cell of the grid in FILE (strategy parameters x symbols x costs x windows; see sweep.yaml).

options:
  --config FILE         the sweep file (YAML), required
  --out DIR             results folder (default: reports/sweeps/NAME, NAME from the file)
  --workers N           worker threads for a local sweep (default: one per core, ${defaultWorkers()} here)
  --queue URL           run through a BullMQ queue on Redis instead, e.g. redis://10.0.0.5:6379;
                        start workers with: npm run worker -- --queue URL (default: local, no Redis)
  --queue-name NAME     BullMQ queue name (default: ${DEFAULT_QUEUE_NAME})
  --yes                 allow a grid of more than 1,000,000 cells (default: refuse)
  --fresh               discard the results already in --out instead of resuming (default: resume)
  --dry-run             check the file and the data, count the cells, run nothing
  --report FILE         HTML report path (default: OUT/report.html)
  --no-report           write no HTML report
  --progress MODE       auto | bar | lines | none (default: auto: a bar on a terminal, else a line per 10 %)
  -h, --help            this text

exit codes: 0 done, 2 bad usage or input (nothing run), 1 failure, 130 interrupted (re-run to resume)`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface SweepCliArgs {
  config: string;
  out?: string;
  workers?: number;
  queue?: string;
  queueName?: string;
  yes: boolean;
  fresh: boolean;
  dryRun: boolean;
  report?: string | false;
  progress: 'auto' | 'bar' | 'lines' | 'none';
  help: boolean;
}

export function parseSweepArgs(argv: readonly string[]): SweepCliArgs {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        workers: { type: 'string' },
        queue: { type: 'string' },
        'queue-name': { type: 'string' },
        yes: { type: 'boolean', default: false },
        fresh: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        report: { type: 'string' },
        'no-report': { type: 'boolean', default: false },
        progress: { type: 'string', default: 'auto' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (v.help) return { config: '', yes: false, fresh: false, dryRun: false, progress: 'auto', help: true };
  if (!v.config) throw new UsageError('--config FILE is required (a sweep file such as sweep.yaml)');
  let workers: number | undefined;
  if (v.workers !== undefined) {
    workers = Number(v.workers);
    if (!(Number.isInteger(workers) && workers >= 1)) throw new UsageError(`--workers: "${v.workers}" is not a whole number >= 1`);
  }
  if (v.queue !== undefined && v.workers !== undefined) throw new UsageError('--workers is for local sweeps; with --queue, give each worker machine its own: npm run worker -- --concurrency N');
  if (v['queue-name'] !== undefined && v.queue === undefined) throw new UsageError('--queue-name needs --queue');
  if (v['no-report'] && v.report !== undefined) throw new UsageError('--report and --no-report exclude each other');
  const progress = v.progress as string;
  if (!['auto', 'bar', 'lines', 'none'].includes(progress)) throw new UsageError(`--progress: "${progress}" is not one of auto, bar, lines, none`);
  return {
    config: v.config,
    out: v.out,
    workers,
    queue: v.queue,
    queueName: v['queue-name'],
    yes: v.yes as boolean,
    fresh: v.fresh as boolean,
    dryRun: v['dry-run'] as boolean,
    report: v['no-report'] ? false : v.report,
    progress: progress as SweepCliArgs['progress'],
    help: false,
  };
}

export async function main(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  let args: SweepCliArgs;
  try {
    args = parseSweepArgs(argv);
  } catch (e) {
    log(`sweep: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const ac = new AbortController();
  const onSigint = (): void => {
    log('sweep: interrupt: finishing the jobs in flight (Ctrl-C again to quit at once)');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const spec = loadSweepSpec(args.config);
    const r = await runSweep({
      spec,
      out: args.out,
      workers: args.workers,
      queue: args.queue,
      queueName: args.queueName,
      yes: args.yes,
      fresh: args.fresh,
      dryRun: args.dryRun,
      report: args.report,
      progress: args.progress,
      log,
      signal: ac.signal,
    });
    if (args.dryRun) {
      log(`dry run: ${r.cells} cells would run; nothing was run`);
      return 0;
    }
    log(`done: ${r.cells} cells (${r.ran} run now, ${r.resumed} from earlier) in ${r.seconds.toFixed(1)} s -> ${r.out}/results.csv, results.parquet${r.reportPath ? `, ${r.reportPath}` : ''}`);
    if (r.queue && (r.queue.stalled > 0 || r.queue.reused > 0)) log(`queue: ${r.queue.stalled} stalled job(s) retried, ${r.queue.reused} result(s) reused from the queue`);
    return 0;
  } catch (e) {
    if (e instanceof ValidationError || e instanceof DataError) {
      log(`sweep: ${e.message}`);
      return 2;
    }
    if (e instanceof RedisUnreachableError) {
      log(`sweep: ${e.message}`);
      return 1;
    }
    if (ac.signal.aborted) {
      log(`sweep: interrupted; the finished cells are saved: run the same command again to resume`);
      return 130;
    }
    log(`sweep: ${(e as Error).message}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

if ((process.argv[1] ?? '').endsWith(join('scripts', 'sweep.ts'))) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
