import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvFile } from '../../lib/data/csv.js';
import { periodicReturns } from '../../lib/metrics/returns.js';
import { dataHash, dataRefFor } from '../../lib/sweep/data.js';
import { planJobs, type SweepJob } from '../../lib/sweep/grid.js';
import { decodeReturns, JobRunner } from '../../lib/sweep/job.js';
import { ResultStore, RESULTS_CSV, RETURNS_NDJSON } from '../../lib/sweep/results.js';
import { sweepProgress } from '../../lib/sweep/progress.js';
import { runSweep } from '../../lib/sweep/run.js';
import { parseSweepSpec } from '../../lib/sweep/spec.js';
import { smaSpec, writeCsvMarket } from './fixture.js';

let dir: string;
let data: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-run-'));
  data = join(dir, 'data');
  writeCsvMarket(data, ['AAA', 'BBB']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jobsOf(extra: Record<string, unknown>): SweepJob[] {
  const spec = parseSweepSpec({ data: { csv_dir: data }, ...extra });
  const ref = dataRefFor(spec.data);
  return planJobs(spec, ref, dataHash(ref), ['AAA', 'BBB']).jobs;
}

describe('one job', () => {
  it('buy-and-hold, all in, one symbol: final equity by hand from the CSV; a window slices the bars', async () => {
    const s = readCsvFile(join(data, 'AAA.csv'));
    const runner = new JobRunner();
    const [job] = jobsOf({ strategy: 'buy-and-hold', universe: [['AAA']], execution: { cash: 10_000 } });
    const r = await runner.run(job);
    // signal at the first close, filled at the second bar's open with all the cash: floor(10000 / open[1]) shares
    const qty = Math.floor(10_000 / s.open[1]);
    const expected = 10_000 - qty * s.open[1] + qty * s.close[s.length - 1];
    expect(Number(r.metrics.final_equity)).toBeCloseTo(expected, 6);
    expect(r.metrics.bars).toBe(s.length);
    expect(r.metrics.total_return).toBeCloseTo(expected / 10_000 - 1, 12);
    const ret = decodeReturns(r.returns);
    expect(ret).toHaveLength(s.length - 1);

    // fixed 10 shares with a 1-cent-per-share commission: exactly 0.10 less than without
    const [fee] = jobsOf({ strategy: 'buy-and-hold', universe: [['AAA']], execution: { sizing: { method: 'fixed_quantity', quantity: 10 } }, costs: { commission_per_share: 0.01 } });
    const [free] = jobsOf({ strategy: 'buy-and-hold', universe: [['AAA']], execution: { sizing: { method: 'fixed_quantity', quantity: 10 } } });
    const rf = await runner.run(fee);
    const r0 = await runner.run(free);
    expect(Number(r0.metrics.final_equity)).toBeCloseTo(100_000 - 10 * s.open[1] + 10 * s.close[s.length - 1], 6);
    expect(Number(r0.metrics.final_equity) - Number(rf.metrics.final_equity)).toBeCloseTo(0.1, 9);
    const [slip] = jobsOf({ strategy: 'buy-and-hold', universe: [['AAA']], execution: { sizing: { method: 'fixed_quantity', quantity: 10 } }, costs: { slippage_bps: 50 } });
    expect(Number((await runner.run(slip)).metrics.final_equity)).toBeLessThan(Number(r0.metrics.final_equity));

    const [win] = jobsOf({ strategy: 'buy-and-hold', universe: [['AAA']], windows: [{ start: '2019-01-01', end: '2019-12-31' }] });
    const wr = await runner.run(win);
    const inWindow = Array.from(s.time).filter((t) => t >= Date.parse('2019-01-01') && t <= Date.parse('2019-12-31'));
    expect(inWindow.length).toBeGreaterThan(200);
    expect(wr.metrics.bars).toBe(inWindow.length);
    expect(wr.start).toBe(inWindow[0]);
    expect(runner.data.loads).toBe(1); // every job above reused the bars
  });

  it('returns are the per-bar returns of the equity curve (float32)', async () => {
    const [job] = jobsOf({ strategy: 'sma-crossover', params: { fast: 5, slow: 20 } });
    const r = await new JobRunner().run(job);
    const ret = decodeReturns(r.returns);
    expect(ret).toHaveLength((r.metrics.bars as number) - 1);
    // compounding the returns gives the total return back (to float32 precision)
    let g = 1;
    for (const x of ret) g *= 1 + x;
    expect(g - 1).toBeCloseTo(r.metrics.total_return as number, 4);
    expect(periodicReturns([1, 2, 1])).toEqual(Float64Array.from([1, -0.5]));
  });

  it('ml-rf: a walk-forward Random Forest trades only after its first training window, deterministically', async () => {
    const [job] = jobsOf({ strategy: 'ml-rf', universe: [['AAA']], params: { n_estimators: 5, max_depth: 4, train_bars: 250, retrain_every: 125, threshold: 0.55 } });
    const a = await new JobRunner().run(job);
    const b = await new JobRunner().run(job);
    expect(a.metrics).toEqual(b.metrics);
    const eq = decodeReturns(a.returns);
    // no position (so no return) before the first out-of-sample prediction at bar 250 + purge
    expect(eq.slice(0, 250).every((x) => x === 0)).toBe(true);
    expect(a.metrics.num_trades as number).toBeGreaterThan(0);
  });
});

describe('result store', () => {
  it('records each job once, survives a torn last line, refuses another sweep\'s table, writes CSV and Parquet in grid order', async () => {
    const out = join(dir, 'store');
    const spec = smaSpec(data);
    const ref = dataRefFor(spec.data);
    const jobs = planJobs(spec, ref, dataHash(ref), ['AAA', 'BBB']).jobs;
    const runner = new JobRunner();
    const store = new ResultStore(out, spec);
    const r2 = await runner.run(jobs[2]);
    const r0 = await runner.run(jobs[0]);
    expect(store.add(jobs[2], r2)).toBe(true);
    expect(store.add(jobs[0], r0)).toBe(true);
    expect(store.add(jobs[0], r0)).toBe(false); // a retried job does not count twice
    appendFileSync(join(out, RETURNS_NDJSON), `{"id":"${jobs[1].id}","start":0,"r":"AAAA`); // crash mid-write
    const again = new ResultStore(out, spec);
    expect(again.size).toBe(2);
    expect(again.has(jobs[1].id)).toBe(false);
    expect(readFileSync(join(out, RETURNS_NDJSON), 'utf8').endsWith('\n')).toBe(true); // the torn line is cut off
    const r1 = await runner.run(jobs[1]);
    again.add(jobs[1], r1);
    const back = new Map<string, Float32Array>();
    again.scanReturns(new Set([jobs[0].id, jobs[1].id]), (id, r) => back.set(id, r));
    expect([...back.keys()].sort()).toEqual([jobs[0].id, jobs[1].id].sort());
    expect(back.get(jobs[1].id)).toEqual(decodeReturns(r1.returns));
    appendFileSync(join(out, RESULTS_CSV), `${jobs[3].id},3,5,`); // a row torn the same way
    const third = new ResultStore(out, spec);
    expect(third.size).toBe(3);
    expect(third.has(jobs[3].id)).toBe(false);
    expect(readFileSync(join(out, RESULTS_CSV), 'utf8').endsWith('\n')).toBe(true);
    const partial = jobs.filter((j) => j.cell !== 1);
    expect(again.get(jobs[2].id)!.metrics).toEqual(r2.metrics); // exact round trip through the CSV text
    const rows = again.finish(partial);
    expect(rows.map((r) => r.cell)).toEqual([0, 2]);
    const lines = readFileSync(join(out, RESULTS_CSV), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1].startsWith(`${jobs[0].id},0,3,10,AAA BBB,,,0,0,0,0,`)).toBe(true);
    const df = pl.readParquet(join(out, 'results.parquet'));
    expect(df.height).toBe(2);
    expect(df.getColumn('sharpe').toArray()).toEqual([r0.metrics.sharpe, r2.metrics.sharpe]);
    expect(df.getColumn('final_equity').toArray()).toEqual([r0.metrics.final_equity, r2.metrics.final_equity]);
    expect(df.getColumn('fast').dtype.equals(pl.Int64)).toBe(true);
    const other = parseSweepSpec({ data: { csv_dir: data }, strategy: 'buy-and-hold' });
    expect(() => new ResultStore(out, other)).toThrow(/has other columns than this sweep .*use another --out or --fresh/);
    expect(new ResultStore(out, spec, { fresh: true }).size).toBe(0);
  });
});

describe('local sweep on the thread pool', () => {
  it('runs every cell once on 2 threads, loads the bars once per thread, and matches jobs run in-process', async () => {
    const spec = smaSpec(data, { costs: { slippage_bps: [0, 10] } });
    const out = join(dir, 'pool2');
    const r = await runSweep({ spec, out, workers: 2, progress: 'none', report: false, log: () => undefined });
    expect(r.cells).toBe(18);
    expect(r.ran).toBe(18);
    expect(r.rows.map((x) => x.cell)).toEqual([...Array(18).keys()]);
    expect(new Set(r.rows.map((x) => x.job_id)).size).toBe(18);
    expect(r.pool!.threads).toBeGreaterThanOrEqual(1);
    expect(r.pool!.threads).toBeLessThanOrEqual(2);
    expect(r.pool!.loads).toBe(r.pool!.threads); // once per thread, not once per job
    const runner = new JobRunner();
    for (const j of [r.jobs[0], r.jobs[17]]) {
      const direct = await runner.run(j);
      const row = r.rows.find((x) => x.job_id === j.id)!;
      expect(row.sharpe).toBe(direct.metrics.sharpe);
      expect(row.final_equity).toBe(direct.metrics.final_equity);
    }
    // slippage costs money in every cell
    for (let i = 0; i < 9; i++) expect(Number(r.rows[i + 9].final_equity)).toBeLessThanOrEqual(Number(r.rows[i].final_equity));
    const one = await runSweep({ spec, out: join(dir, 'pool1'), workers: 1, progress: 'none', report: false, log: () => undefined });
    expect(one.pool!.threads).toBe(1);
    expect(readFileSync(join(dir, 'pool1', RESULTS_CSV), 'utf8')).toBe(readFileSync(join(out, RESULTS_CSV), 'utf8'));
  });

  it('an interrupted sweep resumes, skips what is done and ends with the identical table; --fresh starts over', async () => {
    const spec = smaSpec(data);
    const out = join(dir, 'resume');
    const ac = new AbortController();
    let seen = 0;
    await expect(
      runSweep({ spec, out, workers: 1, progress: 'none', report: false, log: () => undefined, signal: ac.signal, onResult: () => ++seen === 3 && ac.abort() }),
    ).rejects.toThrow('interrupted');
    const partial = readFileSync(join(out, RESULTS_CSV), 'utf8').trim().split('\n').length - 1;
    expect(partial).toBeGreaterThanOrEqual(3);
    expect(partial).toBeLessThan(9);
    const logs: string[] = [];
    const r = await runSweep({ spec, out, workers: 2, progress: 'none', report: false, log: (s) => logs.push(s) });
    expect(r.resumed).toBe(partial);
    expect(r.ran).toBe(9 - partial);
    expect(logs.join('\n')).toContain(`resuming: ${partial} of 9 cells already in ${out}`);
    const clean = await runSweep({ spec, out: join(dir, 'clean'), workers: 2, progress: 'none', report: false, log: () => undefined });
    expect(readFileSync(join(out, RESULTS_CSV), 'utf8')).toBe(readFileSync(join(dir, 'clean', RESULTS_CSV), 'utf8'));
    expect(clean.ran).toBe(9);
    // results made by other code are kept, but said so
    const manifest = join(out, 'sweep.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/"codeHash": "[0-9a-f]+"/, '"codeHash": "0000000000000000"'));
    const notes: string[] = [];
    expect((await runSweep({ spec, out, workers: 1, progress: 'none', report: false, log: (s) => notes.push(s) })).ran).toBe(0);
    expect(notes.join('\n')).toMatch(/note: the results already in .* come from other code \(0000000000000000, now [0-9a-f]{16}\); --fresh recomputes them/);
    // another sweep's folder (other data) is refused before anything is touched
    const otherData = join(dir, 'other-data');
    writeCsvMarket(otherData, ['AAA', 'BBB'], { seed: 99 });
    const before = readFileSync(join(out, RESULTS_CSV), 'utf8');
    await expect(runSweep({ spec: smaSpec(otherData), out, workers: 1, progress: 'none', report: false, log: () => undefined })).rejects.toThrow(
      /--out: .* holds another sweep's results \(test: sma-crossover on data [0-9a-f]{12}\); use another --out, or --fresh to replace them/,
    );
    expect(readFileSync(join(out, RESULTS_CSV), 'utf8')).toBe(before);
    const fresh = await runSweep({ spec, out, workers: 2, fresh: true, progress: 'none', report: false, log: () => undefined });
    expect(fresh.ran).toBe(9);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});

describe('progress', () => {
  it('lines mode: one line per 10 %, counting resumed cells as done; the rate starts at the first finished job', () => {
    const lines: string[] = [];
    const p = sweepProgress(20, 5, { mode: 'lines', log: (s) => lines.push(s) });
    for (let i = 0; i < 15; i++) p.tick();
    p.stop();
    expect(lines.map((l) => l.split(',')[0])).toEqual(['sweep: 6/20 (30%)', 'sweep: 8/20 (40%)', 'sweep: 10/20 (50%)', 'sweep: 12/20 (60%)', 'sweep: 14/20 (70%)', 'sweep: 16/20 (80%)', 'sweep: 18/20 (90%)', 'sweep: 20/20 (100%)']);
    expect(lines[0]).toBe('sweep: 6/20 (30%), ? jobs/s, eta ?'); // one job finished: no rate yet
    expect(lines[lines.length - 1]).toMatch(/, eta 0 s$/);
    const quiet: string[] = [];
    const q = sweepProgress(3, 0, { mode: 'none', log: (s) => quiet.push(s) });
    q.tick();
    q.stop();
    expect(quiet).toEqual([]);
  });
});
