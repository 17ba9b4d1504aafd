/**
 * npm run worker -- --queue redis://HOST:PORT [options]: take sweep jobs from the BullMQ queue and run them on
 * this machine's cores until stopped (Ctrl-C / SIGTERM finish the jobs in flight). Jobs name their data by
 * content hash; a worker whose files differ refuses the job (it goes to another worker) and exits 1.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ValidationError } from '../lib/core/errors.js';
import { defaultWorkers } from '../lib/sweep/pool.js';
import { checkRedis, DEFAULT_LOCK_MS, DEFAULT_QUEUE_NAME, parseRedisUrl, RedisUnreachableError, startQueueWorker } from '../lib/sweep/queue.js';

export const HELP = `usage: npm run worker -- --queue URL [options]

Takes jobs of \`npm run sweep -- --queue URL\` and runs them here.

options:
  --queue URL           Redis of the sweep, e.g. redis://10.0.0.5:6379 (required)
  --queue-name NAME     BullMQ queue name (default: ${DEFAULT_QUEUE_NAME})
  --concurrency N       jobs at once, one thread each (default: one per core, ${defaultWorkers()} here)
  --data-dir DIR        where this machine keeps the sweep's data files, found by file name
                        (default: the paths the sweep was started with)
  --lock-ms MS          job lock; a dead worker's job is retried after about this long (default: ${DEFAULT_LOCK_MS})
  --name NAME           worker name shown in the queue (default: HOST:PID)
  -h, --help            this text

exit codes: 0 stopped, 2 bad usage, 1 failure (Redis unreachable, or this machine's data differs from a job's)`;

export interface WorkerCliArgs {
  queue: string;
  queueName?: string;
  concurrency?: number;
  dataDir?: string;
  lockMs?: number;
  name?: string;
  help: boolean;
}

class UsageError extends Error {}

function int(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min)) throw new UsageError(`${flag}: "${v}" is not a whole number >= ${min}`);
  return n;
}

export function parseWorkerArgs(argv: readonly string[]): WorkerCliArgs {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        queue: { type: 'string' },
        'queue-name': { type: 'string' },
        concurrency: { type: 'string' },
        'data-dir': { type: 'string' },
        'lock-ms': { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (v.help) return { queue: '', help: true };
  if (!v.queue) throw new UsageError('--queue redis://HOST:PORT is required');
  return {
    queue: v.queue,
    queueName: v['queue-name'],
    concurrency: int('--concurrency', v.concurrency, 1),
    dataDir: v['data-dir'],
    lockMs: int('--lock-ms', v['lock-ms'], 100),
    name: v.name,
    help: false,
  };
}

export async function main(argv: readonly string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  let args: WorkerCliArgs;
  let target;
  try {
    args = parseWorkerArgs(argv);
    if (args.help) {
      console.log(HELP);
      return 0;
    }
    target = parseRedisUrl(args.queue);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ValidationError) {
      log(`worker: ${e.message}\n${HELP}`);
      return 2;
    }
    throw e;
  }
  try {
    await checkRedis(target);
  } catch (e) {
    if (e instanceof RedisUnreachableError) {
      log(`worker: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const w = await startQueueWorker({ target, name: args.queueName, concurrency: args.concurrency, dataDir: args.dataDir, lockMs: args.lockMs, workerName: args.name, log });
  log(`worker ${w.name}: taking jobs from ${args.queueName ?? DEFAULT_QUEUE_NAME} on ${target.display} (Ctrl-C to stop)`);
  const stop = (): void => {
    log(`worker ${w.name}: stopping after the jobs in flight`);
    void w.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const end = await w.stopped;
  log(`worker ${w.name}: stopped after ${end.jobs} job(s)`);
  return end.refused === null ? 0 : 1;
}

if ((process.argv[1] ?? '').endsWith(join('scripts', 'worker.ts'))) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
