/**
 * npm run worker -- --queue redis://HOST:PORT [options]: take sweep jobs from the BullMQ queue and run them on
 * this machine's cores until stopped (Ctrl-C / SIGTERM finish the jobs in flight). Jobs name their data by
 * content hash; a worker whose files differ refuses the job (it goes to another worker) and exits 1.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandExitCode, intArg, parseCommand, runCommand, UsageError } from '../lib/cli.js';
import { DEFAULT_LOCK_MS, DEFAULT_QUEUE_NAME } from '../lib/sweep/defaults.js';

export const SPEC = {
  name: 'worker',
  usage: 'npm run worker -- --queue URL [options]',
  summary: 'Takes the jobs of `npm run sweep -- --queue URL` and runs them on this machine until stopped (Ctrl-C or\nSIGTERM finish the jobs in flight).',
  options: {
    queue: { type: 'string', arg: 'URL', help: 'Redis of the sweep, e.g. redis://10.0.0.5:6379 (required)' },
    'queue-name': { type: 'string', arg: 'NAME', default: DEFAULT_QUEUE_NAME, help: 'BullMQ queue name (the sweep\'s --queue-name)' },
    concurrency: { type: 'string', arg: 'N', help: 'jobs at once, one thread each', defaultText: `one per core, ${availableParallelism()} here` },
    'data-dir': { type: 'string', arg: 'DIR', help: "where this machine keeps the sweep's data files, found by file name", defaultText: 'the paths the sweep was started with' },
    'lock-ms': { type: 'string', arg: 'MS', default: String(DEFAULT_LOCK_MS), help: "job lock; a dead worker's job is retried after about this long" },
    name: { type: 'string', arg: 'NAME', help: 'worker name shown in the queue', defaultText: 'HOST:PID' },
  },
  footer: "exit codes: 0 stopped, 2 wrong command line, 1 failure (Redis unreachable, or this machine's data or code\ndiffers from a job's)",
} as const;

export interface WorkerCliArgs {
  readonly queue: string;
  readonly queueName: string;
  readonly concurrency?: number;
  readonly dataDir?: string;
  readonly lockMs: number;
  readonly name?: string;
}

/** The command line as settings; null after printing --help. Throws UsageError naming the option. */
export function parseWorkerArgs(argv: readonly string[], out?: (s: string) => void): WorkerCliArgs | null {
  const parsed = parseCommand(SPEC, argv, out);
  if (!parsed) return null;
  const v = parsed.values;
  if (!v.queue) throw new UsageError('--queue redis://HOST:PORT is required');
  return {
    queue: v.queue,
    queueName: v['queue-name'],
    concurrency: v.concurrency === undefined ? undefined : intArg('concurrency', v.concurrency, 1),
    dataDir: v['data-dir'],
    lockMs: intArg('lock-ms', v['lock-ms'], 100),
    name: v.name,
  };
}

/** Runs the worker until stopped; throws UsageError for a wrong command line. Returns the exit code. */
export async function run(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  const args = parseWorkerArgs(argv);
  if (!args) return 0;
  const { existsSync, statSync } = await import('node:fs');
  if (args.dataDir !== undefined && !(existsSync(args.dataDir) && statSync(args.dataDir).isDirectory())) throw new UsageError(`--data-dir: "${args.dataDir}" is not a folder`);
  const { checkRedis, parseRedisUrl, startQueueWorker } = await import('../lib/sweep/queue.js');
  let target;
  try {
    target = parseRedisUrl(args.queue);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  await checkRedis(target); // unreachable: exit 1 with the reason, before the thread pool starts
  const w = await startQueueWorker({ target, name: args.queueName, concurrency: args.concurrency, dataDir: args.dataDir, lockMs: args.lockMs, workerName: args.name, log });
  log(`worker ${w.name}: taking jobs from ${args.queueName} on ${target.display} (Ctrl-C to stop)`);
  const stop = (): void => {
    log(`worker ${w.name}: stopping after the jobs in flight`);
    void w.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const end = await w.stopped;
    log(`worker ${w.name}: stopped after ${end.jobs} job(s)`);
    return end.refused === null ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

/** The command: run() with errors as one message (exit 2 for the command line, 1 for a failure). */
export function main(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  return commandExitCode('worker', () => run(argv, log), log);
}

if ((process.argv[1] ?? '').endsWith(join('scripts', 'worker.ts'))) runCommand('worker', () => run(process.argv.slice(2)), { exit: true });
