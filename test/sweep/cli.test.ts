import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { helpText } from '../../lib/cli.js';
import { main, parseSweepArgs, SPEC } from '../../scripts/sweep.js';
import { main as workerMain, parseWorkerArgs, SPEC as WORKER_SPEC } from '../../scripts/worker.js';
import { freePort } from '../helpers/redis.js';
import { writeCsvMarket } from './fixture.js';

let dir: string;
let config: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
  writeCsvMarket(join(dir, 'data'), ['AAA', 'BBB']);
  config = join(dir, 'grid.yaml');
  writeFileSync(config, 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: [3, 5, 8], slow: [10, 20, 30] }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yaml(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function run(args: string[]): Promise<{ code: number; log: string }> {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, log: lines.join('\n') };
}

describe('npm run sweep: arguments', () => {
  it('--help lists every option with its default', async () => {
    const help = helpText(SPEC).replace(/\s+/g, ' ');
    for (const flag of ['--config', '--out', '--workers', '--queue', '--queue-name', '--yes', '--fresh', '--dry-run', '--report', '--no-report', '--progress', '--help']) {
      expect(help).toContain(flag);
    }
    for (const d of ['default: reports/sweeps/NAME', 'default: one per core', 'default: tstrader-sweep', 'default: refuse', 'default: resume', 'default: OUT/report.html', 'default: auto']) expect(help).toContain(d);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['--help'])).toBe(0);
    expect(await main(['-h'])).toBe(0);
    expect(out.mock.calls[0][0]).toBe(helpText(SPEC));
    out.mockRestore();
  });

  it('usage errors exit 2 with a message naming the problem, before anything is read', async () => {
    const cases: Array<[string[], string]> = [
      [[], '--config FILE is required'],
      [['--config', config, '--bogus'], 'sweep: unknown option --bogus\n(sweep --help lists the options)'],
      [['--config', config, '--workers', '0'], '--workers: "0" is not a whole number >= 1'],
      [['--config', config, '--workers', 'two'], '--workers: "two" is not a whole number >= 1'],
      [['--config', config, '--queue-name', 'q'], '--queue-name needs --queue'],
      [['--config', config, '--queue', 'redis://127.0.0.1:1', '--workers', '2'], '--workers is for local sweeps'],
      [['--config', config, '--report', 'x.html', '--no-report'], '--report and --no-report exclude each other'],
      [['--config', config, '--progress', 'fancy'], '--progress: "fancy" is not one of auto, bar, lines, none'],
      [['--config', config, '--queue', 'http://127.0.0.1:6379'], '--queue: "http://127.0.0.1:6379" must start with redis://'],
      [['--config', config, '--dry-run', '--report', 'x.html'], '--report has no effect with --dry-run'],
      [['--config', config, '--dry-run', '--no-report'], '--no-report has no effect with --dry-run'],
      [['--config', config, '--dry-run', '--progress', 'bar'], '--progress has no effect with --dry-run'],
    ];
    for (const [args, msg] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.log).toContain(msg);
    }
    expect(parseSweepArgs(['--config', 'a.yaml'])?.progress).toBe('auto');
    expect(parseSweepArgs(['--config', 'a.yaml', '--queue', 'redis://h:1', '--queue-name', 'q2'])?.queueName).toBe('q2');
  });

  it('a bad sweep file exits 1 before any work (unknown parameter, empty grid); a grid over 1,000,000 cells without --yes exits 2', async () => {
    const out = join(dir, 'never');
    const bad: Array<[string, string]> = [
      [yaml('unknown.yaml', 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fsat: [1, 2] }\n'), 'params.fsat: is not a parameter of sma-crossover; known: fast, slow'],
      [yaml('empty.yaml', 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: [] }\n'), 'params.fast: is an empty list: the grid would be empty'],
      [yaml('invalid.yaml', 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: [50], slow: [10] }\n'), 'grid: is empty: every one of its 1 cells is invalid (1 with fast >= slow)'],
      [yaml('nodata.yaml', 'data: { csv_dir: nowhere }\nstrategy: sma-crossover\n'), 'data.csv_dir: '],
      [join(dir, 'missing.yaml'), 'cannot read the sweep file'],
    ];
    for (const [file, msg] of bad) {
      const r = await run(['--config', file, '--out', out]);
      expect(r.code, file).toBe(1);
      expect(r.log).toContain(msg);
    }
    const big = yaml('big.yaml', 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: { from: 900, to: 1900 }, slow: { from: 2, to: 1001 } }\n');
    const r = await run(['--config', big, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.log).toContain('grid: has 1,001,000 cells, over 1,000,000: pass --yes to run it anyway');
    expect(existsSync(out)).toBe(false);
  });

  it('--yes lets a grid over 1,000,000 cells through (here with --dry-run: counted, nothing run or written)', async () => {
    const out = join(dir, 'big-out');
    const big = yaml('big2.yaml', 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: { from: 900, to: 1900 }, slow: { from: 2, to: 1001 } }\n');
    const r = await run(['--config', big, '--yes', '--dry-run', '--out', out]);
    expect(r.code).toBe(0);
    // fast 900..1900 x slow 2..1001: valid only fast < slow, i.e. 900 <= fast < slow <= 1001
    const valid = Array.from({ length: 101 }, (_, i) => 1001 - (900 + i)).reduce((a, b) => a + b, 0);
    expect(r.log).toContain(`${valid.toLocaleString('en-US')} cells (${(1_001_000 - valid).toLocaleString('en-US')} skipped: fast >= slow)`);
    expect(r.log).toContain(`dry run: ${valid} of ${valid} cells would run; nothing was run or written`);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('an unreachable Redis exits 1 with a clear message before any work', async () => {
    const port = await freePort();
    const out = join(dir, 'redis-out');
    const r = await run(['--config', config, '--queue', `redis://127.0.0.1:${port}`, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.log).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(r.log).toContain('ECONNREFUSED');
    expect(existsSync(out)).toBe(false);
  });
});

describe('npm run sweep: a local run and each option taking effect', () => {
  it('--out, --workers, --progress lines, --report; re-running resumes; --fresh starts over; --no-report', async () => {
    const out = join(dir, 'run1');
    const report = join(dir, 'custom', 'grid.html');
    const r = await run(['--config', config, '--out', out, '--workers', '1', '--progress', 'lines', '--report', report]);
    expect(r.code).toBe(0);
    expect(r.log).toContain('9 cells');
    expect(r.log).toContain('running 9 on 1 worker thread;');
    expect(r.log).toMatch(/sweep: 9\/9 \(100%\), [\d.]+ jobs\/s, eta 0 s/);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(10);
    expect(existsSync(join(out, 'results.parquet'))).toBe(true);
    expect(existsSync(report)).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(false);

    const again = await run(['--config', config, '--out', out, '--progress', 'none', '--no-report']);
    expect(again.code).toBe(0);
    expect(again.log).toContain('resuming: 9 of 9 cells already in');
    expect(again.log).toContain('done: 9 cells (0 run now, 9 from earlier)');
    expect(again.log).not.toMatch(/sweep: \d+\/9/); // --progress none

    const fresh = await run(['--config', config, '--out', out, '--fresh', '--workers', '2', '--progress', 'none', '--no-report']);
    expect(fresh.code).toBe(0);
    expect(fresh.log).toContain('running 9 on 2 worker threads;');
    expect(fresh.log).toContain('done: 9 cells (9 run now, 0 from earlier)');
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });

  it('--dry-run writes nothing, and counts the cells already done in --out (none with --fresh)', async () => {
    const out = join(dir, 'dry');
    const r = await run(['--config', config, '--out', out, '--dry-run', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(r.log).toContain('would run 9 on 2 worker threads');
    expect(r.log).toContain('dry run: 9 of 9 cells would run; nothing was run or written');
    expect(existsSync(out)).toBe(false);

    // 4 of the 9 cells done (a smaller grid into the same folder), then a torn line as a crash leaves it
    const part = yaml('part.yaml', 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: [3, 5], slow: [10, 20] }\n');
    expect((await run(['--config', part, '--out', out, '--progress', 'none', '--no-report'])).code).toBe(0);
    const csv = join(out, 'results.csv');
    appendFileSync(csv, 'deadbeef,9,1');
    const before = readFileSync(csv, 'utf8');
    const dry = await run(['--config', config, '--out', out, '--dry-run']);
    expect(dry.log).toContain(`would run 5 on ${availableParallelism()} worker thread`);
    expect(dry.log).toContain(`(4 already in ${out})`);
    expect(dry.log).toContain('dry run: 5 of 9 cells would run');
    expect(readFileSync(csv, 'utf8')).toBe(before); // not even the torn line repaired
    expect((await run(['--config', config, '--out', out, '--dry-run', '--fresh'])).log).toContain('dry run: 9 of 9 cells would run');
  });

  it('--progress bar draws the bar even when stderr is not a terminal', async () => {
    const writes: string[] = [];
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      writes.push(String(s));
      return true;
    });
    try {
      const r = await run(['--config', config, '--out', join(dir, 'bar'), '--workers', '1', '--progress', 'bar', '--no-report']);
      expect(r.code).toBe(0);
    } finally {
      err.mockRestore();
    }
    const text = writes.join('');
    expect(text).toMatch(/sweep \[[█░]+\] 0\/9 0% \| \? jobs\/s \| eta \?/);
    expect(text).toMatch(/sweep \[█+\] 9\/9 100% \| [\d.]+ jobs\/s \| eta 0 s/);
  });
});

describe('npm run worker: arguments', () => {
  it('--help lists every option with its default; usage errors exit 2; an unreachable Redis exits 1', async () => {
    const help = helpText(WORKER_SPEC).replace(/\s+/g, ' ');
    for (const flag of ['--queue', '--queue-name', '--concurrency', '--data-dir', '--lock-ms', '--name', '--help']) expect(help).toContain(flag);
    for (const d of ['default: tstrader-sweep', 'default: one per core', 'default: the paths the sweep was started with', 'default: 30000', 'default: HOST:PID']) expect(help).toContain(d);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await workerMain(['--help'])).toBe(0);
    out.mockRestore();
    const lines: string[] = [];
    const w = (args: string[]) => workerMain(args, (s) => lines.push(s));
    expect(await w([])).toBe(2);
    expect(lines.join('\n')).toContain('--queue redis://HOST:PORT is required');
    expect(await w(['--queue', 'redis://127.0.0.1:1', '--concurrency', '0'])).toBe(2);
    expect(lines.join('\n')).toContain('--concurrency: "0" is not a whole number >= 1');
    expect(await w(['--queue', 'redis://127.0.0.1:1', '--lock-ms', '5'])).toBe(2);
    expect(lines.join('\n')).toContain('--lock-ms: "5" is not a whole number >= 100');
    expect(await w(['--queue', 'nope'])).toBe(2);
    expect(lines.join('\n')).toContain('worker: --queue: "nope" is not a URL like redis://HOST:PORT');
    expect(await w(['--queue', 'redis://127.0.0.1:1', '--data-dir', join(dir, 'no-such-dir')])).toBe(2);
    expect(lines.join('\n')).toContain(`--data-dir: "${join(dir, 'no-such-dir')}" is not a folder`);
    expect(parseWorkerArgs(['--queue', 'redis://h:1', '--data-dir', '/d', '--name', 'w1'])).toMatchObject({ dataDir: '/d', name: 'w1', queueName: 'tstrader-sweep', lockMs: 30000 });
    const port = await freePort();
    expect(await w(['--queue', `redis://127.0.0.1:${port}`])).toBe(1);
    expect(lines.join('\n')).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
  });
});

describe('sweep and worker start-up', () => {
  it('--help and usage errors answer without loading BullMQ, ioredis, piscina or polars (they load with the sweep)', () => {
    const script = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(s, c, next) { const r = await next(s, c); if (/node_modules\\\\/(bullmq|ioredis|piscina|nodejs-polars)\\\\//.test(r.url)) console.log("import " + r.url.replace(/.*node_modules\\\\//, "").split("/")[0]); return r; }'));
const sweep = await import('./scripts/sweep.ts');
const worker = await import('./scripts/worker.ts');
sweep.parseSweepArgs(['--help'], () => undefined);
worker.parseWorkerArgs(['--help'], () => undefined);
console.log('after the commands');
await import('./lib/sweep/run.ts');
`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0], r.stdout).toBe('after the commands');
    // positive control: the sweep itself loads them, and the hook sees it
    expect(new Set(lines.slice(1))).toEqual(new Set(['import bullmq', 'import ioredis', 'import piscina', 'import nodejs-polars']));
  });
});
