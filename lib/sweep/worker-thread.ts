/**
 * Worker-thread side of the pool: one JobRunner per thread, so the bars are loaded once per thread and reused
 * by every job of the sweep. A job whose data this thread cannot match is refused (returned, not thrown, so
 * the refusal keeps its meaning across the thread boundary).
 */
import { threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import { DataMismatchError } from './data.js';
import type { SweepJob } from './grid.js';
import { JobRunner, type JobResult } from './job.js';

export type ThreadReply =
  | { readonly kind: 'done'; readonly result: JobResult; readonly thread: number; readonly loads: number; readonly ms: number }
  | { readonly kind: 'refused'; readonly refused: string; readonly thread: number };

const runner = new JobRunner({ dataDir: (workerData as { dataDir?: string } | null)?.dataDir });

export default async function runInThread(job: SweepJob): Promise<ThreadReply> {
  const t0 = performance.now();
  try {
    const result = await runner.run(job);
    return { kind: 'done', result, thread: threadId, loads: runner.data.loads, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof DataMismatchError) return { kind: 'refused', refused: e.message, thread: threadId };
    throw e;
  }
}
