/**
 * npm run worker -- --queue redis://HOST:PORT [options]: take sweep jobs from the BullMQ queue and run them on
 * this machine's cores until stopped (Ctrl-C / SIGTERM finish the jobs in flight). Jobs name their data by
 * content hash; a worker whose files differ refuses the job (it goes to another worker) and exits 1.
 */
import { hostname, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandExitCode, EXIT_FAILURE, EXIT_USAGE, intArg, parseCommand, UsageError } from '../lib/cli.js';
import { DEFAULT_LOCK_MS, DEFAULT_QUEUE_NAME, parseRedisUrl, RedisUnreachableError, type RedisTarget } from '../lib/sweep/target.js';

export const SPEC = {
  name: 'worker',
  usage: 'npm run worker -- --queue URL [options]',
  summary: 'Take the jobs of `npm run sweep -- --queue URL` and run them on this machine until stopped (Ctrl-C or SIGTERM\nfinish the jobs in flight).',
  options: {
    queue: { type: 'string', arg: 'URL', help: 'Redis of the sweep, e.g. redis://10.0.0.5:6379; required' },
    'queue-name': { type: 'string', arg: 'NAME', default: DEFAULT_QUEUE_NAME, help: 'BullMQ queue name' },
    concurrency: { type: 'string', arg: 'N', help: 'jobs at once, one thread each', defaultText: `one per core, ${availableParallelism()} here` },
    'data-dir': { type: 'string', arg: 'DIR', help: "where this machine keeps the sweep's data files, found by file name", defaultText: 'the paths the sweep was started with' },
    'lock-ms': { type: 'string', arg: 'MS', default: String(DEFAULT_LOCK_MS), help: "job lock; a dead worker's job is retried after about this long" },
    name: { type: 'string', arg: 'NAME', help: 'worker name shown in the queue', defaultText: 'HOST:PID' },
  },
  footer: "exit codes: 0 stopped, 2 a wrong command line, 1 a failure (Redis unreachable, or this machine's data differs from a job's)",
} as const;

export interface WorkerCliArgs {
  queue: string;
  target: RedisTarget;
  queueName: string;
  concurrency?: number;
  dataDir?: string;
  lockMs: number;
  name: string;
}

/** The command line checked; null after printing --help. */
export function parseWorkerArgs(argv: readonly string[], out?: (s: string) => void): WorkerCliArgs | null {
  const parsed = parseCommand(SPEC, argv, out);
  if (!parsed) return null;
  const v = parsed.values;
  if (!v.queue) throw new UsageError('--queue redis://HOST:PORT is required');
  let target: RedisTarget;
  try {
    target = parseRedisUrl(v.queue);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    queue: v.queue,
    target,
    queueName: v['queue-name'],
    concurrency: v.concurrency === undefined ? undefined : intArg('concurrency', v.concurrency),
    dataDir: v['data-dir'],
    lockMs: intArg('lock-ms', v['lock-ms'], 100),
    name: v.name ?? `${hostname()}:${process.pid}`,
  };
}

/** The command; returns its exit code (messages go to `log`, stderr by default; --help to stdout). */
export async function main(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  let args: WorkerCliArgs | null;
  try {
    args = parseWorkerArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    log(`worker: ${e.message}\n(worker --help lists the options)`);
    return EXIT_USAGE;
  }
  if (!args) return 0;
  const { checkRedis, startQueueWorker } = await import('../lib/sweep/queue.js');
  try {
    await checkRedis(args.target);
  } catch (e) {
    if (e instanceof RedisUnreachableError) {
      log(`worker: ${e.message}`);
      return EXIT_FAILURE;
    }
    throw e;
  }
  const w = await startQueueWorker({ target: args.target, name: args.queueName, concurrency: args.concurrency, dataDir: args.dataDir, lockMs: args.lockMs, workerName: args.name, log });
  log(`worker ${w.name}: taking jobs from ${args.queueName} on ${args.target.display} (Ctrl-C to stop)`);
  const stop = (): void => {
    log(`worker ${w.name}: stopping after the jobs in flight`);
    void w.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const end = await w.stopped;
  log(`worker ${w.name}: stopped after ${end.jobs} job(s)`);
  return end.refused === null ? 0 : EXIT_FAILURE;
}

if ((process.argv[1] ?? '').endsWith(join('scripts', 'worker.ts'))) {
  void commandExitCode('worker', () => main(process.argv.slice(2))).then((code) => process.exit(code));
}
