/**
 * Engine throughput: SMA(10)/SMA(30) crossover with full accounting (exact ledger, simulated fills, risk gate),
 * all-in long-only like the backtrader reference (../shared/REFERENCES.md: ~8,300-13,000 bars/s).
 * 1 symbol: pooksoft AAPL (5,402 bars) run repeatedly; 10 symbols: the first ten pooksoft files in one portfolio.
 * Falls back to synthetic data when ../shared/data is absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { readCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { runBacktest, type BacktestResult } from '../lib/engine/index.js';
import { permissiveLimits } from '../lib/risk/index.js';
import { SmaCrossover } from '../lib/strategy/index.js';
import { SHARED_DATA } from './util.js';

const TEN = ['AAPL', 'AMZN', 'BAC', 'CSCO', 'CVX', 'GE', 'HD', 'IBM', 'INTC', 'JNJ'];

function load(symbols: string[]): { series: BarSeries[]; source: string } {
  const dir = resolve(SHARED_DATA, 'pooksoft_sp500');
  if (symbols.every((s) => existsSync(resolve(dir, `${s}.csv`)))) {
    return { series: symbols.map((s) => readCsvFile(resolve(dir, `${s}.csv`), { adjust: true, symbol: s })), source: 'pooksoft_sp500' };
  }
  const syn = syntheticMarket({ symbols: symbols.map((s) => `SYN${s}`), start: '2000-01-03', end: '2021-04-21', seed: 7 });
  return { series: syn, source: 'synthetic' };
}

function once(series: BarSeries[]): BacktestResult {
  return runBacktest({
    series,
    strategy: new SmaCrossover({ fast: 10, slow: 30 }),
    initialCash: 100_000,
    limits: permissiveLimits(),
    sizing: { method: 'all_in' },
  });
}

/**
 * Best-of-rounds throughput: each round runs the backtest until at least minBars symbol-bars were processed.
 * Also per CPU-second of this process, which stays meaningful when other jobs share the cores.
 */
function measure(series: BarSeries[], minBars: number, rounds = 7): { barsPerSec: number; barsPerCpuSec: number; result: BacktestResult } {
  let result = once(series); // warm-up
  for (let i = 0; i < 5; i++) result = once(series);
  let best = 0;
  let bestCpu = 0;
  for (let r = 0; r < rounds; r++) {
    let bars = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (bars < minBars) {
      result = once(series);
      bars += result.bars;
    }
    const sec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    best = Math.max(best, bars / sec);
    bestCpu = Math.max(bestCpu, bars / ((cpu.user + cpu.system) / 1e6));
  }
  return { barsPerSec: best, barsPerCpuSec: bestCpu, result };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

export async function run(): Promise<void> {
  console.log('\n## engine: SMA(10)/SMA(30) crossover, all-in, full accounting');
  const one = load(['AAPL']);
  const m1 = measure(one.series, 1_000_000);
  console.log(
    `1 symbol (${one.source} ${one.series[0].symbol}, ${one.series[0].length} bars, ${m1.result.trades.length} trades, final equity ${m1.result.finalEquity}): ` +
      `${fmt(m1.barsPerSec)} bars/s wall, ${fmt(m1.barsPerCpuSec)} per CPU-s (target >= 2,000,000; backtrader ~10,000: ${Math.round(m1.barsPerSec / 10_000)}x)`,
  );
  const ten = load(TEN);
  const m10 = measure(ten.series, 1_000_000);
  console.log(
    `10 symbols (${ten.source}, ${m10.result.bars} symbol-bars, ${m10.result.trades.length} trades, final equity ${m10.result.finalEquity}): ` +
      `${fmt(m10.barsPerSec)} bars/s wall, ${fmt(m10.barsPerCpuSec)} per CPU-s (target >= 1,000,000; backtrader ~10,000: ${Math.round(m10.barsPerSec / 10_000)}x)`,
  );
}

if ((process.argv[1] ?? '').endsWith('engine.ts')) void run();
