/**
 * npm run sweep -- --config sweep.yaml [options]: a grid of backtests on every core, or across machines through
 * a Redis queue (--queue redis://HOST:PORT, with `npm run worker` on each machine). Results stream to
 * OUT/results.csv (and results.parquet) as jobs finish; re-running the same command resumes. Exit codes as
 * every command's (lib/cli.ts): 0 done, 2 a wrong command line (nothing run), 1 a failure (a bad sweep file or
 * data, Redis unreachable, a job failed), and 130 when interrupted (re-run to resume).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandExitCode, EXIT_FAILURE, EXIT_USAGE, intArg, parseCommand, UsageError } from '../lib/cli.js';
import { DEFAULT_QUEUE_NAME, parseRedisUrl } from '../lib/sweep/target.js';

const EXIT_INTERRUPTED = 130;

export const SPEC = {
  name: 'sweep',
  usage: 'npm run sweep -- --config FILE [options]',
  summary: 'Run every cell of the grid in FILE (strategy parameters x symbols x costs x windows; see sweep.yaml) on this\nmachine\'s cores, or through a Redis queue with `npm run worker` on other machines. Re-running resumes.',
  options: {
    config: { type: 'string', arg: 'FILE', help: 'the sweep file (YAML); required' },
    out: { type: 'string', arg: 'DIR', help: 'results folder', defaultText: 'reports/sweeps/NAME, NAME from the file' },
    workers: { type: 'string', arg: 'N', help: 'worker threads for a local sweep', defaultText: `one per core, ${availableParallelism()} here` },
    queue: { type: 'string', arg: 'URL', help: 'run through a BullMQ queue on Redis instead, e.g. redis://10.0.0.5:6379; start workers with: npm run worker -- --queue URL', defaultText: 'local, no Redis' },
    'queue-name': { type: 'string', arg: 'NAME', default: DEFAULT_QUEUE_NAME, help: 'BullMQ queue name (with --queue)' },
    yes: { type: 'boolean', help: 'allow a grid of more than 1,000,000 cells (default: refuse)' },
    fresh: { type: 'boolean', help: 'discard the results already in --out instead of resuming (default: resume)' },
    'dry-run': { type: 'boolean', help: 'check the file and the data, count the cells, run nothing' },
    report: { type: 'string', arg: 'FILE', help: 'HTML report path', defaultText: 'OUT/report.html' },
    'no-report': { type: 'boolean', help: 'write no HTML report' },
    progress: { type: 'string', choices: ['auto', 'bar', 'lines', 'none'], default: 'auto', help: 'progress display: auto is a bar on a terminal, else a line per 10 %' },
  },
  footer: 'exit codes: 0 done, 2 a wrong command line (nothing run), 1 a failure, 130 interrupted (re-run to resume)',
} as const;

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
}

/** The command line checked as far as it can be without reading files; null after printing --help. */
export function parseSweepArgs(argv: readonly string[], out?: (s: string) => void): SweepCliArgs | null {
  const parsed = parseCommand(SPEC, argv, out);
  if (!parsed) return null;
  const v = parsed.values;
  if (!v.config) throw new UsageError('--config FILE is required (a sweep file such as sweep.yaml)');
  const workers = v.workers === undefined ? undefined : intArg('workers', v.workers);
  if (v.queue !== undefined && workers !== undefined) throw new UsageError('--workers is for local sweeps; with --queue, give each worker machine its own: npm run worker -- --concurrency N');
  if (parsed.given.has('queue-name') && v.queue === undefined) throw new UsageError('--queue-name needs --queue');
  if (v['no-report'] && v.report !== undefined) throw new UsageError('--report and --no-report exclude each other');
  if (v.queue !== undefined) asUsage(() => parseRedisUrl(v.queue!));
  // A dry run only plans: options about running or writing would do nothing, so they are refused.
  if (v['dry-run']) for (const k of ['workers', 'fresh', 'report', 'no-report', 'progress'] as const) if (parsed.given.has(k)) throw new UsageError(`--${k} does nothing with --dry-run (which runs and writes nothing)`);
  return {
    config: v.config,
    out: v.out,
    workers,
    queue: v.queue,
    queueName: v.queue === undefined ? undefined : v['queue-name'],
    yes: v.yes,
    fresh: v.fresh,
    dryRun: v['dry-run'],
    report: v['no-report'] ? false : v.report,
    progress: v.progress as SweepCliArgs['progress'],
  };
}

/** A check of a command-line value that throws the library's ValidationError: a usage error (exit 2). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The command; returns its exit code (messages go to `log`, stderr by default; --help to stdout). */
export async function main(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  let args: SweepCliArgs | null;
  try {
    args = parseSweepArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    log(`sweep: ${e.message}\n(sweep --help lists the options)`);
    return EXIT_USAGE;
  }
  if (!args) return 0;
  const a = args;
  const ac = new AbortController();
  const onSigint = (): void => {
    log('sweep: interrupt: finishing the jobs in flight (Ctrl-C again to quit at once)');
    ac.abort();
    process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED));
  };
  process.once('SIGINT', onSigint);
  try {
    const { loadSweepSpec } = await import('../lib/sweep/spec.js');
    const { runSweep } = await import('../lib/sweep/run.js');
    const spec = loadSweepSpec(a.config);
    const r = await runSweep({ spec, out: a.out, workers: a.workers, queue: a.queue, queueName: a.queueName, yes: a.yes, fresh: a.fresh, dryRun: a.dryRun, report: a.report, progress: a.progress, log, signal: ac.signal });
    if (a.dryRun) {
      log(`dry run: ${r.cells} cells would run; nothing was run`);
      return 0;
    }
    log(`done: ${r.cells} cells (${r.ran} run now, ${r.resumed} from earlier) in ${r.seconds.toFixed(1)} s -> ${r.out}/results.csv, results.parquet${r.reportPath ? `, ${r.reportPath}` : ''}`);
    if (r.queue && (r.queue.stalled > 0 || r.queue.reused > 0)) log(`queue: ${r.queue.stalled} stalled job(s) retried, ${r.queue.reused} result(s) reused from the queue`);
    return 0;
  } catch (e) {
    if (ac.signal.aborted) {
      log(`sweep: interrupted; the finished cells are saved: run the same command again to resume`);
      return EXIT_INTERRUPTED;
    }
    log(`sweep: ${(e as Error).message}${process.env.TSTRADER_DEBUG ? `\n${(e as Error).stack}` : ''}`);
    return EXIT_FAILURE;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

if ((process.argv[1] ?? '').endsWith(join('scripts', 'sweep.ts'))) {
  // process.exit: the thread pool and Redis connections must not keep a finished sweep alive.
  void commandExitCode('sweep', () => main(process.argv.slice(2))).then((code) => process.exit(code));
}
