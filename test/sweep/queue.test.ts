/**
 * Sweeps across processes on Redis (BullMQ): two worker processes, one SIGKILLed while it runs a job; the sweep
 * still completes with every cell exactly once and the same table as a local run. Needs Debian's redis-server
 * (started here on a free port); without it the suite skips loudly, and under CI=true that is a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeHash } from '../../lib/sweep/code.js';
import { dataHash, dataRefFor } from '../../lib/sweep/data.js';
import { planJobs } from '../../lib/sweep/grid.js';
import { parseRedisUrl, queueJobId, startQueueWorker } from '../../lib/sweep/queue.js';
import { RESULTS_CSV } from '../../lib/sweep/results.js';
import { runSweep } from '../../lib/sweep/run.js';
import { parseSweepSpec, type SweepSpec } from '../../lib/sweep/spec.js';
import { main as sweepMain } from '../../scripts/sweep.js';
import { REDIS_MISSING, redisAvailable, startRedis, type TestRedis } from '../helpers/redis.js';
import { writeCsvMarket } from './fixture.js';

const available = redisAvailable();
if (!available) {
  console.warn(`\n*** SKIPPING the Redis queue tests: ${REDIS_MISSING} ***\n`);
  if (process.env.CI === 'true') {
    describe('redis-server (required in CI)', () => {
      it('is installed', () => {
        throw new Error(`CI=true and ${REDIS_MISSING}; .ci/run installs it`);
      });
    });
  }
}

interface WorkerProc {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnWorker(url: string, args: string[]): Promise<WorkerProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts', '--queue', url, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (out.includes('taking jobs from')) {
        clearInterval(t);
        resolve({ child, output: () => out, exited });
      } else if (child.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`worker exited ${child.exitCode}: ${out}`));
      }
    }, 50);
  });
}

describe.skipIf(!available)('sweep through a Redis queue', () => {
  let redis: TestRedis;
  let dir: string;
  let spec: SweepSpec;
  let localCsv: string;
  const workers: WorkerProc[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'sweep-queue-'));
    writeCsvMarket(join(dir, 'data'), ['AAA', 'BBB']);
    // ML cells (walk-forward Random Forests) take a few hundred ms each: long enough to kill a worker inside one.
    spec = parseSweepSpec({
      name: 'queue-test',
      data: { csv_dir: join(dir, 'data') },
      strategy: 'ml-rf',
      universe: 'each',
      params: { n_estimators: [20, 40], max_depth: [3, 6], threshold: [0.55, 0.6], train_bars: 250, retrain_every: 50 },
    });
    const local = await runSweep({ spec, out: join(dir, 'local'), workers: 2, progress: 'none', report: false, log: () => undefined });
    expect(local.cells).toBe(16);
    localCsv = readFileSync(join(dir, 'local', RESULTS_CSV), 'utf8');
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two worker processes, one SIGKILLed mid-job: every cell exactly once, the same table as a local run', async () => {
    const qname = 'kill-test';
    const common = ['--queue-name', qname, '--concurrency', '1', '--lock-ms', '1500'];
    const a = await spawnWorker(redis.url, [...common, '--name', 'worker-a']);
    const b = await spawnWorker(redis.url, [...common, '--name', 'worker-b']);
    workers.push(a, b);
    const target = parseRedisUrl(redis.url);
    const watch = new Queue(qname, { connection: { host: target.host, port: target.port } });
    let killedDuring: string | null = null;
    // Kill worker A as soon as it is seen running a job.
    const killer = (async () => {
      for (let i = 0; i < 2000 && killedDuring === null; i++) {
        const active = await watch.getActive();
        const mine = active.find((j) => j.processedBy === 'worker-a');
        if (mine) {
          a.child.kill('SIGKILL');
          killedDuring = mine.id ?? '?';
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const out = join(dir, 'queued');
    const r = await runSweep({ spec, out, queue: redis.url, queueName: qname, progress: 'none', report: false, log: () => undefined });
    await killer;
    expect(killedDuring).not.toBeNull();
    expect((await a.exited).signal).toBe('SIGKILL');
    expect(r.cells).toBe(16);
    expect(r.queue!.stalled).toBeGreaterThanOrEqual(1); // the killed worker's job came back and ran elsewhere
    const csv = readFileSync(join(out, RESULTS_CSV), 'utf8');
    const ids = csv.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(ids).toHaveLength(16);
    expect(new Set(ids).size).toBe(16);
    expect(csv).toBe(localCsv);
    expect(b.output()).not.toContain('refusing');
    await watch.close();
  }, 180_000);

  it('collected results leave Redis; a coordinator that stopped early collects on re-run what workers finished meanwhile', async () => {
    // the surviving worker of the kill test stops cleanly on SIGTERM
    const b = workers[1];
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    expect(b.output()).toMatch(/worker worker-b: stopped after \d+ job\(s\)/);
    const target = parseRedisUrl(redis.url);
    const conn = { host: target.host, port: target.port };
    const killQueue = new Queue('kill-test', { connection: conn });
    const left = await killQueue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
    expect(Object.values(left).reduce((a, c) => a + c, 0)).toBe(0); // every collected job was removed
    await killQueue.close();

    const qname = 'resume-test';
    const gone = new AbortController();
    gone.abort(); // the coordinator queues the jobs and stops at once (as if killed)
    await expect(runSweep({ spec, out: join(dir, 'resume'), queue: redis.url, queueName: qname, progress: 'none', report: false, log: () => undefined, signal: gone.signal })).rejects.toThrow('interrupted');
    const w = await startQueueWorker({ target, name: qname, concurrency: 2, lockMs: 1500, log: () => undefined });
    const q = new Queue(qname, { connection: conn });
    for (let i = 0; i < 600 && (await q.getJobCounts('completed')).completed < 16; i++) await new Promise((r) => setTimeout(r, 100));
    await w.close();
    expect((await w.stopped).jobs).toBe(16);
    const r = await runSweep({ spec, out: join(dir, 'resume'), queue: redis.url, queueName: qname, progress: 'none', report: false, log: () => undefined });
    expect(r.queue!.reused).toBe(16); // nothing ran again: no worker is running now
    expect(readFileSync(join(dir, 'resume', RESULTS_CSV), 'utf8')).toBe(localCsv);
    await q.close();
  }, 120_000);

  it('a worker whose data differs refuses the job and stops; a matching worker then completes the sweep', async () => {
    const qname = 'mismatch-test';
    const bad = join(dir, 'bad-data');
    cpSync(join(dir, 'data'), bad, { recursive: true });
    appendFileSync(join(bad, 'BBB.csv'), '\n');
    const small = parseSweepSpec({ name: 'small', data: { csv_dir: join(dir, 'data') }, strategy: 'sma-crossover', params: { fast: [5, 10], slow: 30 } });
    const target = parseRedisUrl(redis.url);
    const logs: string[] = [];
    const badWorker = await startQueueWorker({ target, name: qname, concurrency: 1, dataDir: bad, lockMs: 1500, workerName: 'bad', log: (s) => logs.push(s) });
    const sweep = runSweep({ spec: small, out: join(dir, 'mismatch'), queue: redis.url, queueName: qname, progress: 'none', report: false, log: () => undefined });
    const stopped = await badWorker.stopped;
    expect(stopped.refused).toMatch(/BBB\.csv has sha256 .* but the sweep expects .*: this machine's data differs from the sweep's/);
    expect(stopped.jobs).toBe(0);
    expect(logs.join('\n')).toContain('this worker stops');
    const good = await startQueueWorker({ target, name: qname, concurrency: 1, dataDir: join(dir, 'data'), lockMs: 1500, workerName: 'good', log: () => undefined });
    const r = await sweep;
    expect(r.rows).toHaveLength(2);
    await good.close();
    expect((await good.stopped).jobs).toBe(2);
  }, 60_000);

  it('a worker refuses a job planned by other code', async () => {
    const qname = 'code-test';
    const target = parseRedisUrl(redis.url);
    const small = parseSweepSpec({ name: 'code', data: { csv_dir: join(dir, 'data') }, strategy: 'buy-and-hold' });
    const ref = dataRefFor(small.data);
    const [job] = planJobs(small, ref, dataHash(ref), ['AAA', 'BBB'], { codeHash: '0123456789abcdef' }).jobs;
    const q = new Queue(qname, { connection: { host: target.host, port: target.port } });
    await q.add('cell', { job }, { jobId: queueJobId(job.id), attempts: 1 });
    const w = await startQueueWorker({ target, name: qname, concurrency: 1, lockMs: 1500, log: () => undefined });
    const stopped = await w.stopped;
    expect(stopped.refused).toBe(`the job comes from other code (lib 0123456789abcdef, this worker runs ${codeHash()}): run the same tstrader version on every machine`);
    const failed = await q.getJob(queueJobId(job.id));
    expect(await failed!.getState()).toBe('failed');
    await q.close();
  }, 60_000);

  it('jobs another version of the code left waiting are replaced, so up-to-date workers take them instead of refusing', async () => {
    const qname = 'stale-test';
    const target = parseRedisUrl(redis.url);
    const small = parseSweepSpec({ name: 'stale', data: { csv_dir: join(dir, 'data') }, strategy: 'sma-crossover', params: { fast: [5, 10], slow: 30 } });
    const ref = dataRefFor(small.data);
    const stale = planJobs(small, ref, dataHash(ref), ['AAA', 'BBB'], { codeHash: '0123456789abcdef' }).jobs;
    const q = new Queue(qname, { connection: { host: target.host, port: target.port } });
    // as a coordinator of the older code left them (same ids: ids do not include the code), no worker running
    await q.addBulk(stale.map((job) => ({ name: 'cell', data: { job }, opts: { jobId: queueJobId(job.id) } })));
    const sweep = runSweep({ spec: small, out: join(dir, 'stale'), queue: redis.url, queueName: qname, progress: 'none', report: false, log: () => undefined });
    const fresh = async (): Promise<boolean> => {
      const js = await Promise.all(stale.map((j) => q.getJob(queueJobId(j.id))));
      return js.every((j) => j?.data.job.codeHash === codeHash());
    };
    for (let i = 0; i < 300 && !(await fresh()); i++) await new Promise((r) => setTimeout(r, 100));
    const w = await startQueueWorker({ target, name: qname, concurrency: 1, lockMs: 1500, log: () => undefined });
    const r = await sweep;
    await w.close();
    expect(r.queue!.replaced).toBe(2);
    expect(r.rows).toHaveLength(2);
    expect(await w.stopped).toEqual({ refused: null, jobs: 2 });
    await q.close();
  }, 60_000);

  it('npm run sweep --queue URL --queue-name NAME: the CLI queues on that queue and collects every cell', async () => {
    const qname = 'cli-test';
    const target = parseRedisUrl(redis.url);
    const config = join(dir, 'cli.yaml');
    writeFileSync(config, `data: { csv_dir: ${JSON.stringify(join(dir, 'data'))} }\nstrategy: sma-crossover\nparams: { fast: [5, 10], slow: 30 }\n`);
    const w = await startQueueWorker({ target, name: qname, concurrency: 1, lockMs: 1500, log: () => undefined });
    const lines: string[] = [];
    const code = await sweepMain(['--config', config, '--queue', redis.url, '--queue-name', qname, '--out', join(dir, 'cli-out'), '--progress', 'none'], (s) => lines.push(s));
    await w.close();
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain(`running 2 on queue ${qname} on ${redis.url}`);
    expect((await w.stopped).jobs).toBe(2);
    expect(readFileSync(join(dir, 'cli-out', RESULTS_CSV), 'utf8').trim().split('\n')).toHaveLength(3);
  }, 60_000);
});
