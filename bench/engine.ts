/**
 * Engine benchmarks, honest about what is compared (issue 16):
 * - the reference's run (../shared/REFERENCES.md): SMA(10)/SMA(30) crossover, long only, all-in at the next
 *   open, no costs, on pooksoft AAPL (5,402 bars) and on 10 pooksoft symbols in one portfolio (REFERENCES.md
 *   does not name its 10; we use the first ten files alphabetically, which have the same 54,020 bars);
 * - cold: one ordinary run of the backtest CLI in a fresh process (start-up, TypeScript loading, CSV parsing,
 *   backtest, metrics, JSON) timed from spawn to exit, as a user meets it;
 * - warm: the engine alone, in process, after JIT warm-up (wall and CPU time);
 * - scaling: 100k, 1M and 10M bars on one symbol and 100 symbols x 100k bars, each in its own child process,
 *   so peak RSS is that size's alone.
 * backtrader is not installable here (PyPI is unreachable; only the local wheel mirror works), so its figures
 * are copied from REFERENCES.md and labelled so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { readCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { runBacktest, type BacktestResult } from '../lib/engine/index.js';
import { permissiveLimits } from '../lib/risk/index.js';
import { SmaCrossover } from '../lib/strategy/index.js';
import { SHARED_DATA, walk } from './util.js';

const TEN = ['AAPL', 'AMZN', 'BAC', 'CSCO', 'CVX', 'GE', 'HD', 'IBM', 'INTC', 'JNJ'];
const REF_AAPL_FINAL = '3397366.93';
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

function files(symbols: string[]): string[] | null {
  const dir = resolve(SHARED_DATA, 'pooksoft_sp500');
  const f = symbols.map((s) => resolve(dir, `${s}.csv`));
  return f.every((p) => existsSync(p)) ? f : null;
}

function load(symbols: string[]): { series: BarSeries[]; source: string } {
  const f = files(symbols);
  if (f) return { series: f.map((p, i) => readCsvFile(p, { adjust: true, symbol: symbols[i] })), source: 'pooksoft_sp500' };
  return { series: syntheticMarket({ symbols: symbols.map((s) => `SYN${s}`), start: '2000-01-03', end: '2021-04-21', seed: 7 }), source: 'synthetic (../shared/data not found)' };
}

function once(series: BarSeries[]): BacktestResult {
  return runBacktest({ series, strategy: new SmaCrossover({ fast: 10, slow: 30 }), initialCash: 100_000, limits: permissiveLimits(), sizing: { method: 'all_in' } });
}

/** Best-of-rounds warm throughput, wall and per CPU-second of this process. */
function warm(series: BarSeries[], minBars: number, rounds = 5): { wall: number; cpu: number; result: BacktestResult } {
  let result = once(series);
  for (let i = 0; i < 5; i++) result = once(series);
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < rounds; r++) {
    let bars = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (bars < minBars) {
      result = once(series);
      bars += result.bars;
    }
    const c = process.cpuUsage(c0);
    wall = Math.max(wall, bars / ((performance.now() - t0) / 1000));
    cpu = Math.max(cpu, bars / ((c.user + c.system) / 1e6));
  }
  return { wall, cpu, result };
}

/** One ordinary CLI run in a fresh process: wall time from spawn to exit, and the JSON it wrote. */
function cold(csvs: string[]): { ms: number; finalEquity: string; trades: number } | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  try {
    const out = join(dir, 'r.json');
    const args = ['--import', 'tsx', 'scripts/backtest.ts', ...csvs.flatMap((c) => ['--csv', c]), '--size', 'all', '--cash', '100000', '--risk', 'none', '--commission', '0', '--slippage-bps', '0', '--fill-at', 'next_open', '--json', out, '--quiet'];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: process.cwd(), encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) {
      console.log(`(cold run failed: ${r.stderr.slice(0, 300)})`);
      return null;
    }
    const j = JSON.parse(readFileSync(out, 'utf8')) as { finalEquity: string; trades: unknown[] };
    return { ms, finalEquity: j.finalEquity, trades: j.trades.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- scaling: one size per child process ----

interface ScaleRow {
  bars: number;
  symbols: number;
  ms: number;
  cpuMs: number;
  trades: number;
  dataMb: number;
  peakMb: number;
}

function scaleChild(barsPerSymbol: number, symbols: number): void {
  const series = Array.from({ length: symbols }, (_, i) => walk(`S${i}`, barsPerSymbol, 7 + i));
  const dataMb = process.memoryUsage().rss / 1e6;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runBacktest({ series, strategy: new SmaCrossover({ fast: 10, slow: 30 }), initialCash: 1_000_000, limits: permissiveLimits(), sizing: { method: 'all_in' } });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const row: ScaleRow = { bars: r.bars, symbols, ms, cpuMs: (c.user + c.system) / 1000, trades: r.trades.length, dataMb, peakMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

function scale(barsPerSymbol: number, symbols: number): ScaleRow | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/engine.ts', '--scale-child', String(barsPerSymbol), String(symbols)], { cwd: process.cwd(), encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.log(`(scaling run ${symbols} x ${barsPerSymbol} failed: ${r.stderr.slice(0, 300)})`);
    return null;
  }
  return JSON.parse(line) as ScaleRow;
}

export async function run(): Promise<void> {
  console.log('\n## Engine: SMA(10)/SMA(30) crossover, long only, all-in at the next open, no costs (the REFERENCES.md run)');
  const aapl = files(['AAPL']);
  const ten = files(TEN);
  if (aapl && ten) {
    const c1 = cold(aapl);
    const c10 = cold(ten);
    if (c1) console.log(`cold, 1 symbol (AAPL, 5,402 bars): one CLI run ${fmt(c1.ms)} ms from spawn to exit (incl. Node + TypeScript start-up, CSV, metrics, JSON); ${c1.trades} closed trades, final equity ${c1.finalEquity} (backtrader ${REF_AAPL_FINAL}: ${Number(c1.finalEquity).toFixed(2) === REF_AAPL_FINAL ? 'equal to the cent' : 'DIFFERENT'})`);
    if (c10) console.log(`cold, 10 symbols (${TEN.join(' ')}, 54,020 bars): one CLI run ${fmt(c10.ms)} ms; ${c10.trades} closed trades, final equity ${Number(c10.finalEquity).toFixed(2)}`);
    console.log('backtrader (copied from REFERENCES.md, not measured in this run: not installable here): 8,300 bars/s event mode, 12,000 with runonce on AAPL, i.e. ~0.45-0.65 s of engine time for 5,402 bars plus Python start-up; 9,000-13,000 bars/s on 10 symbols');
  } else {
    console.log('(../shared/data not found: cold CLI runs skipped)');
  }
  const one = load(['AAPL']);
  const w1 = warm(one.series, 1_000_000);
  console.log(`warm, 1 symbol (${one.source} ${one.series[0].symbol}, ${one.series[0].length} bars, ${w1.result.trades.length} trades): ${fmt(w1.wall)} bars/s wall, ${fmt(w1.cpu)} per CPU-s (engine only, JIT-warm, best of 5; vs backtrader's copied 8,300: ${Math.round(w1.wall / 8_300)}x)`);
  const t10 = load(TEN);
  const w10 = warm(t10.series, 1_000_000);
  console.log(`warm, 10 symbols (${t10.source}, ${w10.result.bars} symbol-bars, ${w10.result.trades.length} trades): ${fmt(w10.wall)} bars/s wall, ${fmt(w10.cpu)} per CPU-s (vs backtrader's copied 9,000-13,000: ${Math.round(w10.wall / 13_000)}-${Math.round(w10.wall / 9_000)}x)`);

  console.log('\nscaling (synthetic 1-minute random walk, same strategy; each size in its own child process: peak RSS includes the input bars):');
  console.log('| bars | symbols | engine s | bars/s | per CPU-s | trades | RSS with data loaded | peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|');
  const rows: Record<string, ScaleRow> = {};
  for (const [n, s] of [
    [100_000, 1],
    [1_000_000, 1],
    [10_000_000, 1],
    [100_000, 100],
  ] as const) {
    const r = scale(n, s);
    if (!r) continue;
    rows[`${n}x${s}`] = r;
    console.log(`| ${fmt(r.bars)} | ${s} | ${(r.ms / 1000).toFixed(2)} | ${fmt(r.bars / (r.ms / 1000))} | ${fmt(r.bars / (r.cpuMs / 1000))} | ${fmt(r.trades)} | ${fmt(r.dataMb)} MB | ${fmt(r.peakMb)} MB |`);
  }
  const a = rows['1000000x1'];
  const b = rows['10000000x1'];
  if (a && b) {
    const perBar = (r: ScaleRow) => (r.cpuMs * 1e6) / r.bars;
    console.log(
      `linearity, 1M -> 10M bars on one symbol: CPU per bar ${perBar(a).toFixed(0)} -> ${perBar(b).toFixed(0)} ns (x${(perBar(b) / perBar(a)).toFixed(2)}); ` +
        `memory above the loaded bars ${fmt(a.peakMb - a.dataMb)} -> ${fmt(b.peakMb - b.dataMb)} MB (x${((b.peakMb - b.dataMb) / (a.peakMb - a.dataMb)).toFixed(1)} for 10x the bars); the 100k row is mostly JIT warm-up in a fresh process`,
    );
  }
}

if ((process.argv[1] ?? '').endsWith('engine.ts')) {
  if (process.argv[2] === '--scale-child') scaleChild(Number(process.argv[3]), Number(process.argv[4]));
  else void run();
}
