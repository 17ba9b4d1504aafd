/**
 * The local worker-thread pool (piscina): one thread per core by default. Each thread keeps its own bars
 * (loaded on its first job), so a sweep loads the data once per thread, not once per job.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Piscina } from 'piscina';
import { DataMismatchError } from './data.js';
import type { SweepJob } from './grid.js';
import type { JobResult } from './job.js';
import type { ThreadReply } from './worker-thread.js';

const ENTRY = join('lib', 'sweep', 'pool-worker.mjs');

/**
 * Where the thread entry lives. No import.meta here: notebooks compile lib/ to CommonJS. CommonJS has
 * __dirname; ESM (tsx, vitest) finds it from the working directory up (or TSTRADER_ROOT).
 */
export function poolWorkerFile(): string {
  const tried: string[] = [];
  if (typeof __dirname !== 'undefined') tried.push(join(__dirname, 'pool-worker.mjs'));
  if (process.env.TSTRADER_ROOT) tried.push(join(process.env.TSTRADER_ROOT, ENTRY));
  for (let d = process.cwd(); ; d = dirname(d)) {
    tried.push(join(d, ENTRY));
    if (dirname(d) === d) break;
  }
  const found = tried.find((p) => existsSync(p));
  if (!found) throw new Error(`${ENTRY} not found (tried ${tried.join(', ')}): run from the tstrader checkout or set TSTRADER_ROOT`);
  return found;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

export interface PoolStats {
  /** Data loads summed over threads (one per thread that ran a job, unless the data changed). */
  readonly loads: number;
  readonly threads: number;
}

export interface PooledResult {
  readonly result: JobResult;
  readonly thread: number;
  readonly ms: number;
}

export class SweepPool {
  private readonly pool: Piscina;
  private readonly loadsByThread = new Map<number, number>();

  constructor(opts: { workers?: number; dataDir?: string } = {}) {
    const n = opts.workers ?? defaultWorkers();
    this.pool = new Piscina({
      filename: poolWorkerFile(),
      minThreads: n,
      maxThreads: n,
      idleTimeout: 60_000,
      workerData: { dataDir: opts.dataDir },
    });
  }

  get threads(): number {
    return this.pool.maxThreads;
  }

  /** Run one job on a free thread; DataMismatchError when the thread's data cannot match the job's. */
  async run(job: SweepJob): Promise<PooledResult> {
    const reply = (await this.pool.run(job)) as ThreadReply;
    if (reply.kind === 'refused') throw new DataMismatchError(reply.refused);
    this.loadsByThread.set(reply.thread, reply.loads);
    return { result: reply.result, thread: reply.thread, ms: reply.ms };
  }

  stats(): PoolStats {
    let loads = 0;
    for (const v of this.loadsByThread.values()) loads += v;
    return { loads, threads: this.loadsByThread.size };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
