/**
 * Sweeps: a 1,000-cell SMA crossover grid (fast 5..54 x slow 60..250 step 10) over the 20 pooksoft symbols
 * (5,402 bars each, one 20-symbol portfolio per cell; synthetic data when ../shared/data is absent) on 2 worker
 * threads and on 1 (target: under 60 s on 2 cores, 2 workers >= 1.7x faster than 1), with the process RSS over
 * the sweep (flat: bars are loaded once per thread). Then, with redis-server installed: the queue's overhead
 * per trivial job (one worker process, one job at a time), and the same 1,000 cells through Redis with two
 * worker processes, one SIGKILLed a third of the way in, compared with the local table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JobRunner } from '../lib/sweep/job.js';
import { RESULTS_CSV } from '../lib/sweep/results.js';
import { runSweep, type SweepOutcome } from '../lib/sweep/run.js';
import { parseSweepSpec, type SweepSpec } from '../lib/sweep/spec.js';
import { dataHash, dataRefFor } from '../lib/sweep/data.js';
import { planJobs } from '../lib/sweep/grid.js';
import { SHARED_DATA } from './util.js';
import { redisAvailable, startRedis } from '../test/helpers/redis.js';

/** SWEEP_BENCH_CELLS (default 1000, a multiple of 50: fast 5..54 x slow from 60 in steps of 10) for a shorter run. */
const CELLS = Number(process.env.SWEEP_BENCH_CELLS ?? 1000);
/** SWEEP_BENCH_PARTS: the parts to run (default all): local, queue, kill. */
const PARTS = new Set((process.env.SWEEP_BENCH_PARTS ?? 'local,queue,kill').split(','));

function checkEnv(): void {
  if (!(Number.isInteger(CELLS) && CELLS >= 50 && CELLS % 50 === 0)) throw new Error(`SWEEP_BENCH_CELLS: "${process.env.SWEEP_BENCH_CELLS}" is not a multiple of 50 (fast 5..54 x slow steps)`);
  const bad = [...PARTS].filter((p) => !['local', 'queue', 'kill'].includes(p));
  if (bad.length) throw new Error(`SWEEP_BENCH_PARTS: ${bad.join(', ')} is not one of local, queue, kill`);
}

function smaSpec(): { spec: SweepSpec; source: string } {
  const dir = resolve(SHARED_DATA, 'pooksoft_sp500');
  const slowTo = 60 + 10 * (Math.ceil(CELLS / 50) - 1);
  const params = { fast: { from: 5, to: 54 }, slow: { from: 60, to: slowTo, step: 10 } };
  if (existsSync(dir)) return { spec: parseSweepSpec({ name: 'bench-sma', data: { csv_dir: dir }, strategy: 'sma-crossover', params }), source: 'pooksoft_sp500, 20 symbols' };
  const symbols = Array.from({ length: 20 }, (_, i) => `SYN${i}`);
  return { spec: parseSweepSpec({ name: 'bench-sma', data: { synthetic: { symbols, start: '2000-01-03', end: '2021-04-21', seed: 7 } }, strategy: 'sma-crossover', params }), source: 'synthetic (../shared/data absent), 20 symbols' };
}

interface Measured {
  readonly outcome: SweepOutcome;
  readonly wall: number;
  /** Seconds from the first result to the last: the pool's steady state, without thread start-up. */
  readonly warm: number;
  readonly rss: Array<{ done: number; mb: number }>;
  readonly cpu: number;
}

async function measure(spec: SweepSpec, workers: number, out: string): Promise<Measured> {
  const rss: Array<{ done: number; mb: number }> = [];
  let done = 0;
  let first = 0;
  let last = 0;
  const timer = setInterval(() => rss.push({ done, mb: process.memoryUsage().rss / 1e6 }), 250);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await runSweep({
    spec,
    out,
    workers,
    fresh: true,
    report: false,
    progress: 'none',
    log: () => undefined,
    onResult: () => {
      const now = performance.now();
      if (done++ === 0) first = now;
      last = now;
      // exact points of the sweep, while the threads are alive (the timer adds the samples in between)
      if (done === Math.ceil(CELLS / 10) || done === Math.ceil(CELLS / 2) || done === CELLS) rss.push({ done, mb: process.memoryUsage().rss / 1e6 });
    },
  });
  const wall = (performance.now() - t0) / 1000;
  clearInterval(timer);
  rss.push({ done, mb: process.memoryUsage().rss / 1e6 });
  const cpu = process.cpuUsage(c0);
  return { outcome, wall, warm: (last - first) / 1000, rss, cpu: (cpu.user + cpu.system) / 1e6 };
}

function rssAt(rss: Measured['rss'], frac: number, total: number): number {
  const target = frac * total;
  return (rss.find((r) => r.done >= target) ?? rss[rss.length - 1]).mb;
}

/** A worker process; if it stops on its own (e.g. it refused a job), its reason is printed. */
function spawnWorker(url: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts', '--queue', url, ...args], { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) console.log(`(worker exited ${code}: ${err.trim().split('\n').slice(-2).join(' | ')})`);
  });
  return new Promise((res, rej) => {
    const t = setInterval(() => {
      if (err.includes('taking jobs from')) {
        clearInterval(t);
        res(child);
      } else if (child.exitCode !== null) {
        clearInterval(t);
        rej(new Error(err));
      }
    }, 20);
  });
}

/** The coordinator's log, except its "waiting for workers" line, is not part of the figures. */
const waitingOnly = (s: string): void => {
  if (s.startsWith('waiting')) console.log(`(${s})`);
};

const stop = (c: ChildProcess): Promise<void> =>
  new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
  });

/** The grid on 2 threads and on 1: time, speed-up, memory; returns the results table. */
async function localPart(spec: SweepSpec, tmp: string): Promise<string> {
  const two = await measure(spec, 2, join(tmp, 'w2'));
  const bars = two.outcome.rows.reduce((k, r) => k + (r.bars as number), 0);
  const symbols = two.outcome.jobs.reduce((k, j) => k + j.symbols.length, 0) / two.outcome.cells;
  console.log(
    `2 workers: ${two.outcome.cells} cells in ${two.wall.toFixed(1)} s cold (incl. thread start-up; target < 60 s: ${two.wall < 60 ? 'met' : 'NOT met'}), ${two.warm.toFixed(1)} s first-to-last result, ` +
      `${(two.outcome.cells / two.wall).toFixed(1)} cells/s, ${((bars * symbols) / two.wall / 1e6).toFixed(2)} M symbol-bars/s; CPU ${two.cpu.toFixed(1)} s (${((two.cpu / two.outcome.cells) * 1000).toFixed(0)} ms per cell), cores actually had: ${(two.cpu / two.wall).toFixed(2)}`,
  );
  console.log(
    `memory (process RSS, threads included): ${rssAt(two.rss, 0.1, CELLS).toFixed(0)} MB at 10 %, ${rssAt(two.rss, 0.5, CELLS).toFixed(0)} MB at 50 %, ${rssAt(two.rss, 1, CELLS).toFixed(0)} MB at 100 %, ` +
      `max ${Math.max(...two.rss.map((r) => r.mb)).toFixed(0)} MB; data loads ${two.outcome.pool!.loads} for ${two.outcome.pool!.threads} threads and ${two.outcome.cells} jobs`,
  );
  const one = await measure(spec, 1, join(tmp, 'w1'));
  const speed = one.wall / two.wall;
  console.log(
    `1 worker: ${one.wall.toFixed(1)} s cold, ${one.warm.toFixed(1)} s first-to-last, CPU ${one.cpu.toFixed(1)} s (cores had: ${(one.cpu / one.wall).toFixed(2)}); ` +
      `2 workers are ${speed.toFixed(2)}x faster cold, ${(one.warm / two.warm).toFixed(2)}x warm (target >= 1.7x: ${speed >= 1.7 ? 'met' : 'NOT met'}; load average now ${loadavg()[0].toFixed(1)})`,
  );
  // Wall clock needs idle cores; CPU per cell does not: equal CPU per cell on 1 and 2 threads means the pool adds
  // no work, and two idle cores would then give 2 x (CPU per cell on 1) / (CPU per cell on 2).
  const perCell1 = one.cpu / one.outcome.cells;
  const perCell2 = two.cpu / two.outcome.cells;
  console.log(
    `CPU per cell: ${(perCell2 * 1000).toFixed(1)} ms on 2 threads, ${(perCell1 * 1000).toFixed(1)} ms on 1 (start-up included): on two idle cores about ${(two.cpu / 2).toFixed(0)} s for the grid ` +
      `and ${((2 * perCell1) / perCell2).toFixed(2)}x for 2 threads over 1 (estimates from CPU time, not measured wall clock)`,
  );
  const table = readFileSync(join(tmp, 'w2', RESULTS_CSV), 'utf8');
  console.log(`results table identical for 1 and 2 workers: ${readFileSync(join(tmp, 'w1', RESULTS_CSV), 'utf8') === table ? 'yes' : 'NO'}`);
  return table;
}

/** CPU time (user + system, ms) of another process so far, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return null;
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 per second)
}

/** Overhead per trivial job through Redis: buy-and-hold of one symbol over a month, 1,000 cells by commission. */
async function queuePart(url: string, redisPid: number, tmp: string): Promise<void> {
  const trivial = parseSweepSpec({
    name: 'bench-trivial',
    data: { synthetic: { symbols: ['SYNA'], start: '2024-01-01', end: '2024-02-01', seed: 1 } },
    strategy: 'buy-and-hold',
    costs: { commission_per_share: { from: 0, to: 0.999, step: 0.001 } },
  });
  const ref = dataRefFor(trivial.data);
  const jobs = planJobs(trivial, ref, dataHash(ref), ['SYNA']).jobs;
  const runner = new JobRunner();
  for (const j of jobs.slice(0, 50)) await runner.run(j); // warm
  const tc0 = performance.now();
  const cc0 = process.cpuUsage();
  for (const j of jobs) await runner.run(j);
  const computeMs = (performance.now() - tc0) / jobs.length;
  const cc = process.cpuUsage(cc0);
  const computeCpuMs = (cc.user + cc.system) / 1000 / jobs.length;
  const w = await spawnWorker(url, ['--queue-name', 'bench-trivial', '--concurrency', '1']);
  await new Promise((r) => setTimeout(r, 1000)); // the worker's thread finishes starting
  const w0 = processCpuMs(w.pid);
  const r0 = processCpuMs(redisPid);
  const m0 = process.cpuUsage();
  const tq0 = performance.now();
  const q = await runSweep({ spec: trivial, out: join(tmp, 'trivial'), queue: url, queueName: 'bench-trivial', fresh: true, report: false, progress: 'none', log: waitingOnly });
  const queueMs = (performance.now() - tq0) / q.cells;
  const m = process.cpuUsage(m0);
  const w1 = processCpuMs(w.pid);
  const r1 = processCpuMs(redisPid);
  await stop(w);
  const overhead = queueMs - computeMs;
  console.log(
    `queue overhead per trivial job: ${overhead.toFixed(2)} ms wall (${q.cells} jobs through Redis, one worker process with one thread: ${queueMs.toFixed(2)} ms each, enqueue and result collection included; ` +
      `the job itself ${computeMs.toFixed(3)} ms in-process; target < 5 ms: ${overhead < 5 ? 'met' : 'NOT met'}; load average ${loadavg()[0].toFixed(1)})`,
  );
  if (w0 !== null && w1 !== null && r0 !== null && r1 !== null) {
    // Wall time on a loaded machine is mostly waiting for a core; CPU time says what the queue itself costs.
    const coord = (m.user + m.system) / 1000 / q.cells;
    const worker = (w1 - w0) / q.cells;
    const redis = (r1 - r0) / q.cells;
    console.log(
      `queue CPU per trivial job: coordinator ${coord.toFixed(2)} ms, worker process ${worker.toFixed(2)} ms (the job itself ${computeCpuMs.toFixed(2)} ms in-process), redis-server ${redis.toFixed(2)} ms: ` +
        `${(coord + worker + redis - computeCpuMs).toFixed(2)} ms of CPU per job for the queue, spread over three processes`,
    );
  }
}

/** The grid through Redis with two worker processes, one SIGKILLed a third of the way in. */
async function killPart(spec: SweepSpec, url: string, tmp: string, localCsv: string): Promise<void> {
  const a = await spawnWorker(url, ['--queue-name', 'bench-sma', '--concurrency', '1', '--lock-ms', '3000', '--name', 'bench-a']);
  const b = await spawnWorker(url, ['--queue-name', 'bench-sma', '--concurrency', '1', '--lock-ms', '3000', '--name', 'bench-b']);
  let done = 0;
  let killedAt = -1;
  const t0 = performance.now();
  const d = await runSweep({
    spec,
    out: join(tmp, 'redis'),
    queue: url,
    queueName: 'bench-sma',
    fresh: true,
    report: false,
    progress: 'none',
    log: waitingOnly,
    onResult: () => {
      if (++done === Math.floor(CELLS / 3)) {
        a.kill('SIGKILL');
        killedAt = done;
      }
    },
  });
  const wall = (performance.now() - t0) / 1000;
  await stop(b);
  const csv = readFileSync(join(tmp, 'redis', RESULTS_CSV), 'utf8');
  const ids = csv.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  const same = localCsv ? (csv === localCsv ? 'yes' : 'NO') : 'not compared (local part not run)';
  console.log(
    `through Redis, 2 worker processes, one SIGKILLed after ${killedAt} results: ${d.cells} cells in ${wall.toFixed(1)} s, ${d.queue!.stalled} stalled job(s) retried, ` +
      `${ids.length} rows / ${new Set(ids).size} distinct cells; table identical to the local run: ${same}`,
  );
}

export async function run(): Promise<void> {
  checkEnv();
  const { spec, source } = smaSpec();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  try {
    console.log(`\n## sweep: SMA crossover grid, ${CELLS} cells over ${source}, all-in, one portfolio per cell`);
    console.log(`(machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the start: wall times stretch when other work shares the cores)`);
    const localCsv = PARTS.has('local') ? await localPart(spec, tmp) : '';
    if (!PARTS.has('queue') && !PARTS.has('kill')) return;
    if (!redisAvailable()) {
      console.log('(redis-server not installed: queue overhead and the distributed run skipped; apt-get install redis-server)');
      return;
    }
    const redis = await startRedis();
    try {
      if (PARTS.has('queue')) await queuePart(redis.url, redis.pid, tmp);
      if (PARTS.has('kill')) await killPart(spec, redis.url, tmp, localCsv);
    } finally {
      await redis.stop();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if ((process.argv[1] ?? '').endsWith(join('bench', 'sweep.ts'))) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
