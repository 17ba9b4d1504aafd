/**
 * Promotion and live retraining on the demo's data (the configured synthetic market: 5 symbols, 2015-2024):
 * the cost of one live retrain of the ML strategy (rf, 504 bars x 5 symbols, as config.yaml's lookback) and of
 * the overfitting statistics (PSR/DSR, PBO by CSCV with 16 blocks, the promotion gate's statistics).
 * Run alone: npx tsx bench/promotion.ts
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { DEFAULT_FEATURES } from '../lib/features/index.js';
import { deflatedSharpeFromReturns, probabilisticSharpeRatio, probabilityOfBacktestOverfitting, returnMoments } from '../lib/metrics/index.js';
import { existsSync } from 'node:fs';
import { loadConfig, parseConfig } from '../lib/config/index.js';
import { executionFromConfig } from '../lib/engine/index.js';
import { RandomForestClassifier } from '../lib/ml/forest.js';
import { gateStatistics } from '../lib/ml/gate.js';
import { trainModel } from '../lib/ml/train.js';
import type { BarSeries } from '../lib/core/bars.js';
import { MlStrategy, backtestProbabilities, probabilityTable } from '../lib/strategy/ml/index.js';
import type { StrategyContext } from '../lib/strategy/types.js';
import { median } from './util.js';

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const v = fn();
  return [v, performance.now() - t0];
}

/** Drive a strategy bar by bar (flat book); returns the time of each onBar call. */
function drive(s: MlStrategy, series: readonly BarSeries[]): Float64Array {
  const portfolio = { qtyAt: () => 0 } as unknown as StrategyContext['portfolio'];
  const n = series[0].length;
  const ms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ctx: StrategyContext = { time: series[0].time[i], series, index: Int32Array.from(series.map(() => i)), updated: Uint8Array.from(series.map(() => 1)), portfolio };
    const t0 = performance.now();
    s.onBar(ctx);
    ms[i] = performance.now() - t0;
  }
  return ms;
}

export async function run(): Promise<void> {
  console.log('\n## Promotion gate, overfitting statistics and live retraining');
  console.log(`(load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores: times are noisy)`);
  const series = syntheticMarket({ seed: 42 });
  const label = { horizon: 1, threshold: 0.005 };
  const base = await trainModel(series, { model: 'rf', seed: 42, silent: true, label });
  const model = base.model as RandomForestClassifier;
  const trainedThrough = base.dataset.time[base.trainRows[base.trainRows.length - 1]];

  // One live retrain: onBar time on bars that retrained minus the median onBar time.
  const retrainTimes: number[] = [];
  let lastRows = 0;
  const strategy = new MlStrategy({
    model,
    features: DEFAULT_FEATURES,
    threshold: 0.6,
    regime: {},
    trainedThrough: { time: trainedThrough, horizon: 1 },
    retrain: { every: 21, lookback: 504, label, factory: () => new RandomForestClassifier(model.params), onRetrain: (v) => { retrainTimes.push(v.fittedAt); lastRows = v.trainingWindow.rows; } },
  });
  const ms = drive(strategy, series);
  const at = new Set(retrainTimes);
  const normal: number[] = [];
  const retrain: number[] = [];
  // Ordinary bars: after the model's training data, when every bar predicts 5 symbols.
  series[0].time.forEach((t, i) => (at.has(t) ? retrain : t > trainedThrough + 2 * 86_400_000 ? normal : []).push(ms[i]));
  const bar = median(normal);
  console.log(
    `live retrain (rf ${model.params.nEstimators} trees depth ${model.params.maxDepth}, ${lastRows} rows = 504 bars x 5 symbols): first ${(retrain[0] - bar).toFixed(0)} ms (cold), ` +
      `median ${(median(retrain.slice(1)) - bar).toFixed(0)} ms, best ${(Math.min(...retrain.slice(1)) - bar).toFixed(0)} ms over ${retrain.length - 1} warm retrains; ordinary bar ${bar.toFixed(2)} ms (5 predictions)`,
  );

  // Overfitting statistics on the holdout predictions: 8 threshold variants as the trials.
  const thresholds = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85];
  const table = probabilityTable(base.dataset, base.oosProb);
  const execution = executionFromConfig(existsSync('config.yaml') ? loadConfig('config.yaml') : parseConfig({}));
  const trials = thresholds.map((threshold) => backtestProbabilities(series, table, { features: DEFAULT_FEATURES, threshold, regime: {}, execution, periodsPerYear: 252 }).returns);
  const T = Math.min(...trials.map((r) => r.length));
  const M = trials.map((r) => r.subarray(0, T));
  const sharpes = M.map((r) => returnMoments(r).sharpe).map((x) => (Number.isFinite(x) ? x : 0));
  const [, psrCold] = timed(() => probabilisticSharpeRatio(returnMoments(M[2])));
  const psr: number[] = [];
  for (let k = 0; k < 200; k++) psr.push(timed(() => probabilisticSharpeRatio(returnMoments(M[2])))[1]);
  const [dsr, dsrMs] = timed(() => deflatedSharpeFromReturns(M[2], sharpes));
  console.log(`PSR of one backtest (${T} daily returns, moments included): ${(psrCold * 1000).toFixed(0)} µs cold, ${(median(psr) * 1000).toFixed(1)} µs warm; DSR over ${thresholds.length} trials ${(dsrMs * 1000).toFixed(0)} µs (DSR ${dsr.dsr.toFixed(3)})`);
  const [pbo16, pboCold] = timed(() => probabilityOfBacktestOverfitting(M, { blocks: 16 }));
  const pboWarm: number[] = [];
  for (let k = 0; k < 3; k++) pboWarm.push(timed(() => probabilityOfBacktestOverfitting(M, { blocks: 16 }))[1]);
  const [, pboFn] = timed(() => probabilityOfBacktestOverfitting(M, { blocks: 10, statistic: (r) => returnMoments(r).sharpe }));
  console.log(
    `PBO by CSCV, ${T} x ${thresholds.length} matrix, 16 blocks (${pbo16.combinations} splits, Sharpe from block sums): ${pboCold.toFixed(0)} ms cold, ${median(pboWarm).toFixed(0)} ms warm (PBO ${pbo16.pbo.toFixed(2)}); ` +
      `10 blocks with a custom statistic function (rescans every split): ${pboFn.toFixed(0)} ms`,
  );
  const [, gateMs] = timed(() => gateStatistics({ prob: base.oosProb, y: base.dataset.y, backtest: { returns: M[2], periodsPerYear: 252 }, trials: { count: 8, sharpes } }));
  console.log(`promotion gate statistics (${base.evaluation.n} out-of-sample rows: binomial, Mann-Whitney AUC, DSR): ${gateMs.toFixed(1)} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
