/**
 * Metrics and report: cost of computeMetrics (engine-sized and 1,000,000-bar curves) and of rendering the HTML
 * report for a real 10-symbol SMA(10)/SMA(30) backtest (pooksoft files; synthetic when ../shared/data is absent),
 * with the report's size (total and without the inlined Plotly bundle); then long runs, each in its own child
 * process as the backtest CLI does them (SMA(10)/SMA(30) all-in on the engine bench's 1-minute random walk,
 * metrics, the HTML report): trades, report size (goal: under 5 MB at any length, every trade marked) and the
 * process's peak RSS including the bars.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { readCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { runBacktest } from '../lib/engine/index.js';
import { computeMetrics, periodsPerYearFor, type MetricsInput } from '../lib/metrics/index.js';
import { backtestMetricsInput, backtestReportInput, plotlyBundleSource, renderReport, writeReport, type ReportInput } from '../lib/report/index.js';
import { permissiveLimits } from '../lib/risk/index.js';
import { SmaCrossover } from '../lib/strategy/index.js';
import { median, SHARED_DATA, time, walk } from './util.js';

const TEN = ['AAPL', 'AMZN', 'BAC', 'CSCO', 'CVX', 'GE', 'HD', 'IBM', 'INTC', 'JNJ'];

function load(): { series: BarSeries[]; source: string } {
  const dir = resolve(SHARED_DATA, 'pooksoft_sp500');
  if (TEN.every((s) => existsSync(resolve(dir, `${s}.csv`)))) {
    return { series: TEN.map((s) => readCsvFile(resolve(dir, `${s}.csv`), { adjust: true, symbol: s })), source: 'pooksoft_sp500 (adjusted)' };
  }
  return { series: syntheticMarket({ symbols: TEN.map((s) => `SYN${s}`), start: '2000-01-03', end: '2021-04-21', seed: 7 }), source: 'synthetic seed 7' };
}

function bigTrades(time: Float64Array, eq: Float64Array): MetricsInput['trades'] {
  const out: Array<MetricsInput['trades'][number]> = [];
  for (let i = 100; i + 300 < time.length && out.length < 1000; i += 997) {
    out.push({ symbol: 'SYN', side: 'long', entryTime: time[i], entryPrice: (eq[i] / 1000).toFixed(4), exitTime: time[i + 300], exitPrice: (eq[i + 300] / 1000).toFixed(4), qty: '10', pnl: '1', fees: '1' });
  }
  return out;
}

function bestOf(rounds: number, fn: () => void): number {
  const ts: number[] = [];
  for (let i = 0; i < rounds; i++) ts.push(time(fn));
  return Math.min(...ts);
}

export async function run(): Promise<void> {
  const { series, source } = load();
  const res = runBacktest({
    series,
    strategy: new SmaCrossover({ fast: 10, slow: 30 }),
    initialCash: 100_000,
    limits: permissiveLimits(),
    sizing: { method: 'fixed_fraction', fraction: 0.1 },
  });
  const input: MetricsInput = { equity: res.equity, benchmark: res.benchmark, trades: res.trades, exposure: res.exposure, turnover: res.turnover };
  const tMetrics = bestOf(20, () => void computeMetrics(input));

  const n = 1_000_000;
  const eq = new Float64Array(n);
  const tm = new Float64Array(n);
  let e = 100_000;
  for (let i = 0; i < n; i++) {
    e *= 1 + 0.0002 + 0.01 * Math.sin(i * 0.7) * Math.cos(i * 0.013);
    eq[i] = e;
    tm[i] = i * 60_000;
  }
  const big: MetricsInput = { equity: { time: tm, equity: eq }, benchmark: { time: tm, equity: eq.map((x) => x * 0.5 + 50_000) }, trades: [], periodsPerYear: 252 * 390 };
  const tBig = median([0, 1, 2].map(() => time(() => void computeMetrics(big))));

  const report: ReportInput = {
    ...input,
    title: 'SMA(10)/SMA(30) crossover, 10 symbols',
    strategy: 'sma-crossover (10/30)',
    series,
    dataSource: source,
    initialCash: res.initialCash,
    finalEquity: res.finalEquity,
    openPositions: res.openPositions,
    config: { strategy: 'sma-crossover', fast: 10, slow: 30, sizing: 'fixed_fraction 0.1', cash: 100000 },
  };
  plotlyBundleSource(); // first read of the 1.3 MB bundle is not the renderer's cost
  let html = '';
  const tRender = bestOf(3, () => {
    html = renderReport(report);
  });
  const bundle = plotlyBundleSource().length;
  const out = join(tmpdir(), 'tstrader-bench-report.html');
  writeReport(out, report);
  const bars = series.reduce((k, s) => k + s.length, 0);
  console.log(`## metrics and report (${source}: ${series.length} symbols, ${bars} bars, ${res.trades.length} trades)`);
  console.log(`computeMetrics, ${res.equity.equity.length}-bar curve + ${res.trades.length} trades: ${tMetrics.toFixed(2)} ms`);
  console.log(`computeMetrics, 1,000,000-bar curve with benchmark: ${tBig.toFixed(0)} ms (${(n / tBig / 1000).toFixed(1)} M bars/s)`);
  console.log(`renderReport: ${tRender.toFixed(0)} ms; ${(html.length / 1e6).toFixed(2)} MB (${((html.length - bundle) / 1e6).toFixed(2)} MB without the ${(bundle / 1e6).toFixed(2)} MB Plotly bundle); written to ${out}`);
  // A 1,000,000-bar (minute) curve with 1,000 trades: lines are LTTB-downsampled, candles resampled, markers all kept.
  const tBigReport = time(() => {
    html = renderReport({ ...big, trades: bigTrades(tm, eq), title: '1,000,000 bars' });
  });
  console.log(`renderReport, 1,000,000-bar curve + 1,000 trades: ${tBigReport.toFixed(0)} ms; ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB`);
  await runLong();
}

interface LongRow {
  bars: number;
  trades: number;
  engineS: number;
  reportS: number;
  bytes: number;
  markerBytes: number;
  peakMb: number;
}

/** One long run in this (child) process: engine, metrics and the report, as the CLI with --html. */
function longChild(bars: number): void {
  const series = walk('S0', bars, 7);
  const t0 = performance.now();
  const r = runBacktest({ series: [series], strategy: new SmaCrossover({ fast: 10, slow: 30 }), initialCash: 100_000, limits: permissiveLimits(), sizing: { method: 'all_in' } });
  const t1 = performance.now();
  const ppy = periodsPerYearFor(series.interval);
  const metrics = computeMetrics(backtestMetricsInput(r, ppy));
  const html = renderReport(backtestReportInput({ result: r, metrics, series: [series], periodsPerYear: ppy }));
  const t2 = performance.now();
  const packed = /"packed":\{[^}]*"data":"([^"]*)"/.exec(html);
  const row: LongRow = { bars, trades: r.trades.length, engineS: (t1 - t0) / 1000, reportS: (t2 - t1) / 1000, bytes: Buffer.byteLength(html), markerBytes: packed ? packed[1].length : 0, peakMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

function long(bars: number): LongRow | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/report.ts', '--long-child', String(bars)], { cwd: process.cwd(), encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.log(`(long run of ${bars} bars failed: ${r.stderr.slice(0, 300)})`);
    return null;
  }
  return JSON.parse(line) as LongRow;
}

async function runLong(): Promise<void> {
  console.log('\nlong runs, each in its own process (SMA(10)/SMA(30) all-in on a 1-minute random walk; engine + metrics + HTML report, as backtest --html):');
  console.log('| bars | trades | engine s | metrics + report s | report MB | trade markers | peak RSS |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of [1_000_000, 10_000_000]) {
    const r = long(n);
    if (!r) continue;
    console.log(
      `| ${r.bars.toLocaleString('en-US')} | ${r.trades.toLocaleString('en-US')} | ${r.engineS.toFixed(1)} | ${r.reportS.toFixed(1)} | ${(r.bytes / 1e6).toFixed(2)}${r.bytes < 5e6 ? '' : ' (OVER 5 MB)'} | ${(r.markerBytes / 1e6).toFixed(2)} MB, ${(r.markerBytes / Math.max(1, r.trades)).toFixed(1)} B a trade | ${Math.round(r.peakMb).toLocaleString('en-US')} MB |`,
    );
  }
}

if ((process.argv[1] ?? '').endsWith('report.ts')) {
  if (process.argv[2] === '--long-child') longChild(Number(process.argv[3]));
  else void run();
}
