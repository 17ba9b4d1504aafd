/**
 * npm run sweep -- --config sweep.yaml [options]: a grid of backtests on every core, or across machines through
 * a Redis queue (--queue redis://HOST:PORT, with `npm run worker` on each machine). Results stream to
 * OUT/results.csv (and results.parquet) as jobs finish; re-running the same command resumes. Exit codes:
 * 0 done, 2 a wrong command line (nothing run), 1 failure (a bad sweep file or data, Redis unreachable, a job
 * failed), 130 interrupted.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandExitCode, intArg, parseCommand, runCommand, UsageError, type Values } from '../lib/cli.js';
import { DEFAULT_QUEUE_NAME, MAX_CELLS_WITHOUT_YES } from '../lib/sweep/defaults.js';
import type { ProgressMode } from '../lib/sweep/progress.js';

export const SPEC = {
  name: 'sweep',
  usage: 'npm run sweep -- --config FILE [options]',
  summary:
    'Runs every cell of the grid in FILE (strategy parameters x symbols x costs x windows; see sweep.yaml) on a\n' +
    'worker-thread pool, or through a Redis queue served by `npm run worker`, with a progress bar and ETA. Results\n' +
    'stream to OUT/results.csv and results.parquet; run the same command again after an interruption to resume.',
  options: {
    config: { type: 'string', arg: 'FILE', help: 'the sweep file (YAML), required' },
    out: { type: 'string', arg: 'DIR', help: 'results folder', defaultText: 'reports/sweeps/NAME, NAME from the file' },
    workers: { type: 'string', arg: 'N', help: 'worker threads for a local sweep', defaultText: `one per core, ${availableParallelism()} here` },
    queue: { type: 'string', arg: 'URL', help: 'run through a BullMQ queue on Redis instead, e.g. redis://10.0.0.5:6379; start workers with: npm run worker -- --queue URL', defaultText: 'local, no Redis' },
    'queue-name': { type: 'string', arg: 'NAME', help: 'BullMQ queue name; only with --queue', defaultText: DEFAULT_QUEUE_NAME },
    yes: { type: 'boolean', help: `allow a grid of more than ${MAX_CELLS_WITHOUT_YES.toLocaleString('en-US')} cells`, defaultText: 'refuse' },
    fresh: { type: 'boolean', help: 'discard the results already in OUT instead of resuming', defaultText: 'resume' },
    'dry-run': { type: 'boolean', help: 'check the file and the data, count the cells and those already done in OUT; run and write nothing' },
    report: { type: 'string', arg: 'FILE', help: 'HTML report path', defaultText: 'OUT/report.html' },
    'no-report': { type: 'boolean', help: 'write no HTML report' },
    progress: { type: 'string', choices: ['auto', 'bar', 'lines', 'none'], default: 'auto', help: 'auto: a bar with rate and ETA on a terminal, else a line per 10 %; bar: the bar even when piped' },
  },
  footer:
    'exit codes: 0 done, 2 wrong command line (nothing run), 1 failure (bad sweep file or data, Redis unreachable,\n' +
    'a job failed), 130 interrupted (re-run the same command to resume)',
} as const;

export interface SweepCliArgs {
  readonly config: string;
  readonly out?: string;
  readonly workers?: number;
  readonly queue?: string;
  readonly queueName?: string;
  readonly yes: boolean;
  readonly fresh: boolean;
  readonly dryRun: boolean;
  readonly report?: string | false;
  readonly progress: ProgressMode;
}

/** Options that do nothing in a dry run (nothing is run or written): refused rather than ignored. */
const NOT_IN_DRY_RUN = ['report', 'no-report', 'progress'] as const;

/** The command line as settings; null after printing --help. Throws UsageError naming the option. */
export function parseSweepArgs(argv: readonly string[], out?: (s: string) => void): SweepCliArgs | null {
  const parsed = parseCommand(SPEC, argv, out);
  if (!parsed) return null;
  const v: Values<typeof SPEC.options> = parsed.values;
  const given = parsed.given;
  if (!v.config) throw new UsageError('--config FILE is required (a sweep file such as sweep.yaml)');
  if (v.queue !== undefined && v.workers !== undefined) throw new UsageError('--workers is for local sweeps; with --queue, give each worker machine its own: npm run worker -- --concurrency N');
  if (given.has('queue-name') && v.queue === undefined) throw new UsageError('--queue-name needs --queue');
  if (v['no-report'] && v.report !== undefined) throw new UsageError('--report and --no-report exclude each other');
  if (v['dry-run']) {
    for (const o of NOT_IN_DRY_RUN) if (given.has(o)) throw new UsageError(`--${o} has no effect with --dry-run (nothing is run or written)`);
  }
  return {
    config: v.config,
    out: v.out,
    workers: v.workers === undefined ? undefined : intArg('workers', v.workers, 1),
    queue: v.queue,
    queueName: v['queue-name'],
    yes: v.yes,
    fresh: v.fresh,
    dryRun: v['dry-run'],
    report: v['no-report'] ? false : v.report,
    progress: v.progress as ProgressMode,
  };
}

/** Runs the command; throws UsageError for a wrong command line. Returns the exit code. */
export async function run(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  const args = parseSweepArgs(argv);
  if (!args) return 0;
  // Loaded after the arguments: --help and usage errors answer without BullMQ, piscina and polars.
  const { GridTooLargeError } = await import('../lib/sweep/grid.js');
  const { parseRedisUrl } = await import('../lib/sweep/queue.js');
  const { runSweep } = await import('../lib/sweep/run.js');
  const { loadSweepSpec } = await import('../lib/sweep/spec.js');
  if (args.queue !== undefined) {
    try {
      parseRedisUrl(args.queue);
    } catch (e) {
      throw new UsageError((e as Error).message); // a malformed URL is a command-line error (exit 2)
    }
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
      log(`dry run: ${r.cells - r.resumed} of ${r.cells} cells would run; nothing was run or written`);
      return 0;
    }
    log(`done: ${r.cells} cells (${r.ran} run now, ${r.resumed} from earlier) in ${r.seconds.toFixed(1)} s -> ${r.out}/results.csv, results.parquet${r.reportPath ? `, ${r.reportPath}` : ''}`);
    const q = r.queue;
    if (q && (q.stalled > 0 || q.reused > 0 || q.replaced > 0)) {
      log(`queue: ${q.stalled} stalled job(s) retried, ${q.reused} result(s) reused from the queue, ${q.replaced} job(s) of other code replaced`);
    }
    return 0;
  } catch (e) {
    if (e instanceof GridTooLargeError) throw new UsageError(e.message);
    if (ac.signal.aborted) {
      log('sweep: interrupted; the finished cells are saved: run the same command again to resume');
      return 130;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** The command: run() with errors as one message (exit 2 for the command line, 1 for a failure). */
export function main(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  return commandExitCode('sweep', () => run(argv, log), log);
}

if ((process.argv[1] ?? '').endsWith(join('scripts', 'sweep.ts'))) runCommand('sweep', () => run(process.argv.slice(2)), { exit: true });
