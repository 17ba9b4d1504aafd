/**
 * One sweep job: a backtest of one cell (strategy parameters, symbols, window, costs) on bars already in memory,
 * reduced to its headline metrics and its per-bar returns (for the overfitting statistics over the grid). Pure
 * given the bars: the same job gives the same numbers on any machine, which is what makes a distributed sweep's
 * table identical to a local one.
 */
import { sliceByTime, type BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { runBacktest } from '../engine/backtest.js';
import { computeMetrics } from '../metrics/compute.js';
import { periodsPerYearFor } from '../metrics/periods.js';
import { periodicReturns } from '../metrics/returns.js';
import { buildDataset, type Dataset } from '../ml/dataset.js';
import { RandomForestClassifier, type MaxFeatures } from '../ml/forest.js';
import { walkForward } from '../ml/walkforward.js';
import { DEFAULT_LIMITS, permissiveLimits } from '../risk/limits.js';
import type { SizingSpec } from '../risk/sizing.js';
import { BuyAndHold } from '../strategy/buy-and-hold/buy-and-hold.js';
import { MlStrategy, type ProbabilityTable } from '../strategy/ml/ml-strategy.js';
import { SmaCrossover } from '../strategy/sma-crossover/sma-crossover.js';
import type { Strategy } from '../strategy/types.js';
import { DataCache, type LoadedData } from './data.js';
import type { SweepJob } from './grid.js';

/** Metric columns of the results table, in order. Numbers are floats; final_equity is the exact decimal. */
export const METRIC_COLUMNS = [
  'total_return',
  'cagr',
  'sharpe',
  'sortino',
  'calmar',
  'max_drawdown',
  'annual_volatility',
  'num_trades',
  'win_rate',
  'profit_factor',
  'exposure',
  'turnover',
  'final_equity',
  'bars',
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];
export type MetricValue = number | string | null;

export interface JobResult {
  readonly id: string;
  readonly cell: number;
  readonly metrics: Readonly<Record<MetricColumn, MetricValue>>;
  /** Per-bar returns of the equity curve as little-endian float32, base64. */
  readonly returns: string;
  /** Epoch ms of the curve's first bar (the returns start one bar later). */
  readonly start: number;
}

const DAY_MS = 86_400_000;

export function windowSeries(series: readonly BarSeries[], job: Pick<SweepJob, 'window'>): BarSeries[] {
  if (!job.window) return [...series];
  const from = Date.parse(`${job.window.start}T00:00:00Z`);
  const to = Date.parse(`${job.window.end}T00:00:00Z`) + DAY_MS; // end date inclusive
  const out = series.map((s) => sliceByTime(s, from, to)).filter((s) => s.length > 0);
  if (out.length === 0) throw new ValidationError('windows', `${job.window.start}..${job.window.end} has no bars for ${series.map((s) => s.symbol).join(', ')}`);
  return out;
}

function sizingOf(job: SweepJob): SizingSpec {
  const s = job.execution.sizing;
  return s.method === 'all_in' ? { method: 'all_in' } : s.method === 'fixed_fraction' ? { method: 'fixed_fraction', fraction: s.fraction } : { method: 'fixed_quantity', quantity: s.quantity };
}

export function encodeReturns(r: ArrayLike<number>): string {
  const f = Float32Array.from(r as ArrayLike<number>);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export function decodeReturns(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Runs jobs against one thread's cached bars (and, for ML, cached datasets). */
export class JobRunner {
  readonly data: DataCache;
  private datasets = new Map<string, Dataset>();

  constructor(opts: { dataDir?: string } = {}) {
    this.data = new DataCache(opts.dataDir);
  }

  async run(job: SweepJob): Promise<JobResult> {
    const loaded = this.data.get(job.data, job.dataHash);
    const all = job.symbols.map((s) => {
      const x = loaded.series.get(s);
      if (!x) throw new ValidationError('universe', `symbol ${s} is not in the data`, s);
      return x;
    });
    const series = windowSeries(all, job);
    const strategy = await this.strategy(job, series, loaded);
    const r = runBacktest({
      series,
      strategy,
      initialCash: job.execution.cash,
      fillAt: job.execution.fillAt,
      commission: { perShare: job.costs.commission_per_share, percent: job.costs.commission_percent, minimum: job.costs.commission_minimum },
      slippageBps: job.costs.slippage_bps,
      limits: job.execution.risk === 'default' ? DEFAULT_LIMITS : permissiveLimits(),
      sizing: sizingOf(job),
    });
    const m = computeMetrics({
      equity: r.equity,
      benchmark: r.benchmark,
      trades: r.trades,
      exposure: r.exposure,
      turnover: r.turnover,
      periodsPerYear: periodsPerYearFor(series[0].interval),
      riskFreeRate: job.execution.riskFreeRate,
    });
    return {
      id: job.id,
      cell: job.cell,
      metrics: {
        total_return: m.totalReturn,
        cagr: m.cagr,
        sharpe: m.sharpe,
        sortino: m.sortino,
        calmar: m.calmar,
        max_drawdown: m.maxDrawdown,
        annual_volatility: m.annualVolatility,
        num_trades: m.numTrades,
        win_rate: m.winRate,
        profit_factor: m.profitFactor === null ? null : Number.isFinite(m.profitFactor) ? m.profitFactor : 'Infinity',
        exposure: m.exposure,
        turnover: m.turnover,
        final_equity: r.finalEquity,
        bars: m.bars,
      },
      returns: encodeReturns(periodicReturns(r.equity.equity)),
      start: r.equity.time.length ? r.equity.time[0] : 0,
    };
  }

  private async strategy(job: SweepJob, series: readonly BarSeries[], loaded: LoadedData): Promise<Strategy> {
    const p = job.params;
    switch (job.strategy) {
      case 'sma-crossover':
        return new SmaCrossover({ fast: p.fast as number, slow: p.slow as number });
      case 'buy-and-hold':
        return new BuyAndHold();
      case 'ml-rf':
        return new MlStrategy({
          probabilities: await this.walkForwardProbabilities(job, series, loaded),
          features: job.features,
          threshold: p.threshold as number,
          exitBelow: p.exit_below as number,
          regime: p.regime ? {} : null,
          name: `ml-rf(${job.id})`,
        });
      default:
        throw new ValidationError('strategy', 'is not a sweep strategy', job.strategy);
    }
  }

  /** Out-of-sample P(up) per (symbol, bar) from a Random Forest refitted walk-forward with the cell's settings. */
  private async walkForwardProbabilities(job: SweepJob, series: readonly BarSeries[], loaded: LoadedData): Promise<ProbabilityTable> {
    const p = job.params;
    const key = JSON.stringify([loaded.hash, job.symbols, job.window, job.features, p.horizon, p.label_threshold]);
    let d = this.datasets.get(key);
    if (!d) {
      d = buildDataset(series, { features: job.features, label: { horizon: p.horizon as number, threshold: p.label_threshold as number } });
      if (this.datasets.size >= 4) this.datasets.clear(); // a handful of universes at a time: memory stays bounded
      this.datasets.set(key, d);
    }
    const rf = { nEstimators: p.n_estimators as number, maxDepth: p.max_depth as number, minSamplesLeaf: p.min_samples_leaf as number, maxFeatures: p.max_features as MaxFeatures, seed: p.seed as number };
    const wf = await walkForward(d.X, d.y, d.time, () => new RandomForestClassifier(rf), {
      trainBars: p.train_bars as number,
      retrainEvery: p.retrain_every as number,
      window: p.window as 'rolling' | 'expanding',
      purge: p.horizon as number,
    });
    const table = new Map<string, Map<number, number>>();
    for (let i = 0; i < d.X.rows; i++) {
      const prob = wf.prob[i];
      if (Number.isNaN(prob)) continue;
      const sym = d.symbols[d.symbolIndex[i]];
      let m = table.get(sym);
      if (!m) table.set(sym, (m = new Map()));
      m.set(d.time[i], prob);
    }
    return table;
  }
}
