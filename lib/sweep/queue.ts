/**
 * Sweeps across machines on BullMQ (Redis). The coordinator puts each pending job on the queue under its
 * content-hash id (adding an id twice is a no-op, so a re-run never duplicates work) and collects results as
 * they complete; workers (`npm run worker`) on any machine take jobs and run them on their own thread pool.
 * Jobs carry data by reference (file hashes): a worker whose files differ refuses and stops taking jobs, so
 * the job goes to another worker. A worker killed mid-job stops renewing its lock; BullMQ's stalled-job check
 * puts the job back and another worker runs it. The coordinator records each job id once.
 */
import { hostname } from 'node:os';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_LOCK_MS, DEFAULT_QUEUE_NAME, RedisUnreachableError, type RedisTarget } from './target.js';
import { codeHash } from './code.js';
import { DataMismatchError } from './data.js';
import type { SweepJob } from './grid.js';
import type { JobResult } from './job.js';
import { SweepPool } from './pool.js';

export { DEFAULT_LOCK_MS, DEFAULT_QUEUE_NAME, parseRedisUrl, RedisUnreachableError, type RedisTarget } from './target.js';

function connectionOf(t: RedisTarget): { host: string; port: number; username?: string; password?: string; db?: number; maxRetriesPerRequest: null } {
  return { host: t.host, port: t.port, username: t.username, password: t.password, db: t.db, maxRetriesPerRequest: null };
}

/** Connect and PING once, failing fast (no retries) with a message naming the server. */
export async function checkRedis(t: RedisTarget, timeoutMs = 3000): Promise<void> {
  const r = new Redis({ ...connectionOf(t), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  const seen: { cause: Error | null } = { cause: null };
  r.on('error', (e: Error) => (seen.cause ??= e)); // the socket's own error; connect() then only says "Connection is closed"
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    let why = seen.cause?.message ?? ((e as Error).message || String(e));
    if (/Unknown RESP type/.test(why)) why = 'the server there does not speak the Redis protocol';
    throw new RedisUnreachableError(`cannot reach Redis at ${t.display}: ${why} (is redis-server running there? apt-get install redis-server)`);
  } finally {
    r.disconnect();
  }
}

/** BullMQ refuses ids that look like integers; a prefix keeps the content hash intact. */
export function queueJobId(id: string): string {
  return `j-${id}`;
}

export interface QueueRunOptions {
  readonly target: RedisTarget;
  readonly name?: string;
  /** Called once per job id with its result. */
  readonly onResult: (job: SweepJob, r: JobResult) => void;
  readonly signal?: AbortSignal;
  /** Called once when jobs are queued and nothing has completed for a while (tell the user to start workers). */
  readonly onIdle?: (pending: number) => void;
  /** Retries of a job that failed (not one that stalled: those are always retried). */
  readonly attempts?: number;
}

export interface QueueRunStats {
  /** Jobs whose result was already in the queue from an earlier run (taken without running them). */
  readonly reused: number;
  /** Jobs that stalled (their worker died) and were put back, as reported by BullMQ. */
  readonly stalled: number;
  /** Completion events for ids already recorded (a retried job completing twice): ignored. */
  readonly duplicates: number;
}

type Payload = { readonly job: SweepJob };

/** Run these jobs through the queue and wait until each has a result (or one fails for good: then throw). */
export async function runOnQueue(jobs: readonly SweepJob[], o: QueueRunOptions): Promise<QueueRunStats> {
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const connection = connectionOf(o.target);
  const byQid = new Map(jobs.map((j) => [queueJobId(j.id), j]));
  const pending = new Set(byQid.keys());
  let stalled = 0;
  let duplicates = 0;
  let reused = 0;
  let failure: Error | null = null;
  let wake: () => void = () => undefined;
  let lastProgress = Date.now();

  const accept = (qid: string, value: unknown): void => {
    const job = byQid.get(qid);
    if (!job) return; // another sweep's job on the same queue
    if (!pending.has(qid)) {
      duplicates++;
      return;
    }
    const r = (typeof value === 'string' ? JSON.parse(value) : value) as JobResult;
    if (!r || r.id !== job.id) {
      failure = new Error(`job ${qid} returned a result for ${r?.id ?? 'nothing'}`);
      wake();
      return;
    }
    try {
      o.onResult(job, r);
    } catch (e) {
      failure = e as Error; // e.g. the results disk is full: stop, the job stays in Redis for a re-run
      wake();
      return;
    }
    pending.delete(qid);
    lastProgress = Date.now();
    // Recorded on disk: drop it from Redis, so Redis holds only the jobs not yet collected however big the grid.
    removals.push(queue.remove(qid).catch(() => 0));
    wake();
  };
  const removals: Array<Promise<unknown>> = [];

  const queue = new Queue<Payload, JobResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  try {
    await events.waitUntilReady();
    events.on('completed', ({ jobId, returnvalue }) => accept(jobId, returnvalue));
    events.on('stalled', ({ jobId }) => {
      if (byQid.has(jobId)) stalled++;
    });
    events.on('failed', ({ jobId, failedReason }) => {
      if (!pending.has(jobId)) return;
      void queue
        .getJob(jobId)
        .then(async (j) => {
          // Only a final failure (attempts used up, or unrecoverable) ends the sweep.
          if (j && (await j.getState()) === 'failed') {
            failure = new Error(`job ${jobId} (cell ${byQid.get(jobId)!.cell}) failed: ${failedReason}`);
            wake();
          }
        })
        .catch(() => undefined); // the queue closed meanwhile
    });

    // Take results already in the queue, re-queue final failures, add the rest (duplicates are no-ops).
    const toAdd: SweepJob[] = [];
    const ids = [...byQid.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const existing = await Promise.all(chunk.map((id) => queue.getJob(id)));
      for (let k = 0; k < chunk.length; k++) {
        const j = existing[k] as Job<Payload, JobResult> | undefined;
        if (!j) toAdd.push(byQid.get(chunk[k])!);
        else {
          const state = await j.getState();
          if (state === 'completed') {
            reused++;
            accept(chunk[k], j.returnvalue);
          } else if (state === 'failed') await j.retry('failed');
        }
      }
    }
    // Completed jobs wait for their coordinator (a re-run after a crash collects them), at most a week.
    const opts = { attempts: o.attempts ?? 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 7 * 86_400 } };
    const add = (js: readonly SweepJob[]) => queue.addBulk(js.map((job) => ({ name: 'cell', data: { job }, opts: { ...opts, jobId: queueJobId(job.id) } })));
    for (let i = 0; i < toAdd.length; i += 500) await add(toAdd.slice(i, i + 500));

    let idleTold = false;
    let lastCheck = Date.now();
    while (pending.size > 0) {
      if (failure) throw failure;
      if (o.signal?.aborted) throw new Error('interrupted');
      await new Promise<void>((res) => {
        wake = res;
        setTimeout(res, 2000);
      });
      if (pending.size === 0 || failure) continue;
      if (Date.now() - lastProgress > 2000 && Date.now() - lastCheck > 10_000) {
        // Quiet for a while: catch completions whose events we did not see (the events stream is trimmed), and
        // re-add jobs that vanished from Redis (removed by age, or the server restarted without persistence).
        lastCheck = Date.now();
        const ids = [...pending].slice(0, 2000);
        const found = await Promise.all(ids.map((qid) => queue.getJob(qid) as Promise<Job<Payload, JobResult> | undefined>));
        const lost: SweepJob[] = [];
        for (let k = 0; k < ids.length; k++) {
          const j = found[k];
          if (!j) lost.push(byQid.get(ids[k])!);
          else if (j.finishedOn && (await j.getState()) === 'completed') accept(ids[k], j.returnvalue);
        }
        if (lost.length) await add(lost);
        if (!idleTold && pending.size > 0 && Date.now() - lastProgress > 10_000) {
          idleTold = true;
          o.onIdle?.(pending.size);
        }
      }
    }
    if (failure) throw failure;
    return { reused, stalled, duplicates };
  } finally {
    await Promise.allSettled(removals);
    await events.close();
    await queue.close();
  }
}

export interface QueueWorkerOptions {
  readonly target: RedisTarget;
  readonly name?: string;
  /** Jobs run at once (threads in this process's pool); default one per core. */
  readonly concurrency?: number;
  /** Where this machine keeps the data files (looked up by file name); default: the coordinator's paths. */
  readonly dataDir?: string;
  readonly lockMs?: number;
  readonly log?: (s: string) => void;
  /** Worker name shown in BullMQ (job.processedBy); default host:pid. */
  readonly workerName?: string;
  /** Jobs taken per thread at once (default 2): the next job's Redis round trip overlaps the current job. */
  readonly prefetch?: number;
}

export interface QueueWorkerHandle {
  readonly name: string;
  /** Resolves when the worker stops: after close(), or when it refused a job because its data differs. */
  readonly stopped: Promise<{ refused: string | null; jobs: number }>;
  close(): Promise<void>;
}

/** Take jobs from the queue until closed. A job whose data does not match makes this worker stop taking jobs. */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const log = o.log ?? ((s: string) => console.error(s));
  const pool = new SweepPool({ workers: o.concurrency, dataDir: o.dataDir });
  const lockDuration = o.lockMs ?? DEFAULT_LOCK_MS;
  const workerName = o.workerName ?? `${hostname()}:${process.pid}`;
  let refused: string | null = null;
  let jobs = 0;
  const ownCode = codeHash();
  /** Fail this attempt (another worker takes the retry) and stop taking jobs here. */
  const refuse = (j: SweepJob, why: string): never => {
    if (refused === null) {
      refused = why;
      log(`worker ${workerName}: refusing jobs of data ${j.dataHash.slice(0, 12)}…: ${why}; this worker stops`);
      setImmediate(() => void close());
    }
    throw new Error(`worker ${workerName} refused the job: ${why}`);
  };
  let resolveStopped: (v: { refused: string | null; jobs: number }) => void = () => undefined;
  const stopped = new Promise<{ refused: string | null; jobs: number }>((res) => (resolveStopped = res));
  const worker = new Worker<Payload, JobResult>(
    name,
    async (job) => {
      const theirs = job.data.job.codeHash;
      if (theirs && theirs !== ownCode) refuse(job.data.job, `the job comes from other code (lib ${theirs}, this worker runs ${ownCode}): run the same tstrader version on every machine`);
      try {
        const { result } = await pool.run(job.data.job);
        jobs++;
        return result;
      } catch (e) {
        if (e instanceof DataMismatchError) refuse(job.data.job, e.message);
        throw e;
      }
    },
    { connection: connectionOf(o.target), concurrency: pool.threads * (o.prefetch ?? 2), lockDuration, stalledInterval: lockDuration, maxStalledCount: 5, name: workerName },
  );
  worker.on('error', (e) => log(`worker ${workerName}: ${e.message}`));
  await worker.waitUntilReady();
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await worker.close();
      await pool.close();
      resolveStopped({ refused, jobs });
    })());
  return { name: workerName, stopped, close };
}
