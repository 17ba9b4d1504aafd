/**
 * From a trained model to a promotion verdict: backtest its out-of-sample probabilities through the engine
 * with the configured costs, sizing and risk limits (the same code the runner trades with), then run the
 * promotion gate on those predictions and that backtest. Used by `npm run train`, the demo, notebook 06 and
 * the runner's auto-train.
 */
import { isoDate, type BarSeries } from '../../core/bars.js';
import type { Config } from '../../config/schema.js';
import type { DataDescription } from '../../config/describe.js';
import type { Evaluation } from '../../ml/evaluate.js';
import type { ReportSection } from '../../report/render.js';
import { executionFromConfig, runBacktest, type BacktestResult, type ExecutionSettings } from '../../engine/index.js';
import { computeMetrics, periodicReturns, periodsPerYearFor } from '../../metrics/index.js';
import type { Dataset } from '../../ml/dataset.js';
import { formatGate, gateSettingsFromConfig, promotionGate, type GateSettings, type StoredGate } from '../../ml/gate.js';
import type { BacktestSummary, TrainResult } from '../../ml/train.js';
import { regimeParamsFromConfig, type RegimeParams } from '../../regime/index.js';
import { describeEntryCounts, MlStrategy, type EntryCounts, type ProbabilityTable } from './ml-strategy.js';

/** symbol -> time -> P(up) for the dataset rows with a probability (NaN rows left out). */
export function probabilityTable(d: Pick<Dataset, 'time' | 'symbols' | 'symbolIndex'>, prob: ArrayLike<number>): Map<string, Map<number, number>> {
  const table = new Map<string, Map<number, number>>();
  for (let i = 0; i < prob.length; i++) {
    if (Number.isNaN(prob[i])) continue;
    const sym = d.symbols[d.symbolIndex[i]];
    let m = table.get(sym);
    if (!m) table.set(sym, (m = new Map()));
    m.set(d.time[i], prob[i]);
  }
  return table;
}

export interface ProbabilityBacktestOptions {
  features: readonly string[];
  threshold: number;
  regime: Partial<RegimeParams> | null;
  execution: ExecutionSettings;
  periodsPerYear: number;
}

export interface ProbabilityBacktest {
  result: BacktestResult;
  /** Per-period returns of the equity curve from the first to the last bar with a probability. */
  returns: Float64Array;
  summary: BacktestSummary;
  /** Bars where P(up) reached the threshold while flat, and those the regime filter held back. */
  entries: EntryCounts;
  threshold: number;
}

/** Backtest precomputed probabilities with costs; returns are measured over the span the probabilities cover. */
export function backtestProbabilities(series: readonly BarSeries[], table: ProbabilityTable, o: ProbabilityBacktestOptions): ProbabilityBacktest {
  const strategy = new MlStrategy({ features: o.features, probabilities: table, threshold: o.threshold, regime: o.regime });
  const result = runBacktest({ series, strategy, ...o.execution });
  let from = Infinity;
  let to = -Infinity;
  for (const m of table.values()) for (const t of m.keys()) {
    if (t < from) from = t;
    if (t > to) to = t;
  }
  const { time, equity } = result.equity;
  let a = time.findIndex((t) => t >= from);
  if (a < 0) a = time.length - 1;
  let b = a;
  while (b + 1 < time.length && time[b + 1] <= to) b++;
  const eq = { time: time.subarray(a, b + 1), equity: equity.subarray(a, b + 1) };
  const bench = { time: result.benchmark.time.subarray(a, b + 1), equity: result.benchmark.equity.subarray(a, b + 1) };
  const m = computeMetrics({ equity: eq, benchmark: bench, trades: result.trades.filter((t) => t.exitTime >= from && t.exitTime <= to), periodsPerYear: o.periodsPerYear });
  const returns = periodicReturns(eq.equity);
  const summary: BacktestSummary = {
    from: isoDate(eq.time[0]),
    to: isoDate(eq.time[eq.time.length - 1]),
    totalReturn: eq.equity[eq.equity.length - 1] / eq.equity[0] - 1,
    buyHoldReturn: bench.equity.length ? bench.equity[bench.equity.length - 1] / bench.equity[0] - 1 : null,
    sharpe: m.sharpe,
    maxDrawdown: m.maxDrawdown,
    trades: result.trades.length,
    fees: result.fees,
  };
  return { result, returns, summary, entries: { ...strategy.entryCounts }, threshold: strategy.threshold };
}

export interface PromoteOptions {
  execution: ExecutionSettings;
  threshold: number;
  regime: Partial<RegimeParams> | null;
  settings: GateSettings;
  /** Candidates tried (and their per-period backtest Sharpes when known). Default: 1. */
  trials?: { count: number; sharpes?: readonly number[] };
  /** Which probabilities to judge: the out-of-sample/test ones (default) or the selection block's. */
  on?: 'test' | 'selection';
}

export interface Promotion {
  gate: StoredGate;
  backtest: ProbabilityBacktest;
}

/** Backtest a trained model's out-of-sample probabilities with costs and run the promotion gate on them. */
export function promoteTrainResult(r: TrainResult, series: readonly BarSeries[], o: PromoteOptions): Promotion {
  const prob = o.on === 'selection' ? r.selectionProb : r.oosProb;
  if (!prob) throw new Error('promoteTrainResult: this model has no selection block (train with selectionFraction > 0)');
  const d = r.dataset;
  const table = probabilityTable(d, prob);
  const backtest = backtestProbabilities(series, table, {
    features: d.features,
    threshold: o.threshold,
    regime: o.regime,
    execution: o.execution,
    periodsPerYear: periodsPerYearFor(series[0].interval),
  });
  const g = promotionGate(
    { prob, y: d.y, labelHorizon: d.label.horizon, backtest: { returns: backtest.returns, periodsPerYear: periodsPerYearFor(series[0].interval) }, trials: o.trials },
    o.settings,
  );
  const what = o.on === 'selection' ? 'selection block' : r.walkForward ? 'walk-forward out-of-sample predictions' : r.blocks ? 'untouched test block' : 'holdout test block';
  return { gate: { ...g, evaluatedOn: `${what} ${backtest.summary.from}..${backtest.summary.to}` }, backtest };
}

/** The promotion options config.yaml implies: costs and limits, threshold, regime filter, gate settings, trials. */
export function promoteOptionsFromConfig(c: Pick<Config, 'broker' | 'portfolio' | 'strategy'>): PromoteOptions {
  const ml = c.strategy.ml;
  return {
    execution: executionFromConfig(c),
    threshold: ml.confidence_threshold,
    regime: c.strategy.regime_filter.enabled ? regimeParamsFromConfig(c.strategy.regime_filter) : null,
    settings: gateSettingsFromConfig(ml),
    trials: { count: ml.gate.trials },
  };
}

/** Console lines for a promotion: the engine's figures after costs, then the gate's checks. */
export function formatPromotion(p: Promotion): string {
  const s = p.backtest.summary;
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  return [
    `backtest of the out-of-sample predictions with costs (engine), ${s.from}..${s.to}: total ${pct(s.totalReturn)} vs buy-and-hold ${pct(s.buyHoldReturn)}, ` +
      `Sharpe ${s.sharpe === null ? 'n/a' : s.sharpe.toFixed(2)}, max drawdown ${pct(s.maxDrawdown)}, ${s.trades} trades, fees ${s.fees}`,
    `  ${describeEntryCounts(p.backtest.entries, p.backtest.threshold)}`,
    formatGate(p.gate) + ` (on the ${p.gate.evaluatedOn})`,
  ].join('\n');
}

/** Range of a headline metric on markets with no edge under the same procedure (negative controls). */
export interface NullRange {
  /** e.g. "Sharpe (annualised, after costs)". */
  metric: string;
  values: number[];
  /** What the null markets were (e.g. "synthetic, oversold_bounce 0, seeds 1-2, same config and procedure"). */
  markets: string;
}

/**
 * The report section of an ML model: base rate, AUC, calibration, the gate's verdict with every check, the
 * data (and its planted effect, if synthetic) and the null-market range of the headline metric.
 */
export function modelReportSection(o: { gate: StoredGate; evaluation: Evaluation; data?: DataDescription; nullRange?: NullRange; headline?: number | null }): ReportSection {
  const s = o.gate.statistics;
  const e = o.evaluation;
  const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows: Array<readonly [string, string]> = [
    ['Judged on', o.gate.evaluatedOn],
    ['Out-of-sample rows', `${s.rows} (${s.effectiveRows} effective for the tests)`],
    ['Accuracy vs base rate', `${pct(s.accuracy)} vs ${pct(s.baseRate)} (always '${s.majorityClass}'), one-sided binomial p = ${f(s.accuracyPValue, 4)}`],
    ['AUC', `${f(s.auc)} (0.5 = no ranking skill), one-sided Mann-Whitney p = ${f(s.aucPValue, 4)}`],
    ['Log loss / Brier / ECE', `${f(e.logLoss, 4)} / ${f(e.reliability.brier, 4)} / ${f(e.reliability.ece, 4)}`],
    ['Deflated Sharpe', s.deflatedSharpe === null ? 'n/a (no backtest)' : `${f(s.deflatedSharpe)} over ${s.trials} trial${s.trials === 1 ? '' : 's'} (benchmark Sharpe ${f(s.benchmarkSharpe, 4)} per period)`],
  ];
  if (o.nullRange && o.nullRange.values.length) {
    const v = o.nullRange.values;
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    const inside = o.headline !== undefined && o.headline !== null && o.headline <= hi;
    rows.push([
      `Null-market range: ${o.nullRange.metric}`,
      `${lo.toFixed(2)} .. ${hi.toFixed(2)} on ${o.nullRange.markets}` +
        (o.headline !== undefined && o.headline !== null
          ? `; this run ${o.headline.toFixed(2)} is ${inside ? 'INSIDE the range markets without an edge produce' : `above it, but ${v.length} null market${v.length === 1 ? ' is' : 's are'} a small sample: more widen the range (npm run gate-null-check runs 12)`}`
          : ''),
    ]);
  }
  if (o.data) rows.push(['Data', o.data.summary]);
  for (const c of o.gate.verdict.checks) rows.push([`Gate: ${c.name}`, `${c.passed ? 'pass' : 'FAIL'}: ${c.detail}`]);
  return {
    title: 'Model and promotion gate',
    lead: o.gate.verdict.promotable ? 'Verdict: PROMOTABLE (every check passed on out-of-sample predictions)' : `Verdict: NOT PROMOTABLE: ${o.gate.verdict.reasons.join('; ')}`,
    rows,
    table: {
      head: ['Calibration bin', 'Rows', 'Mean predicted', 'Observed rate'],
      rows: e.reliability.bins.filter((b) => b.count > 0).map((b) => [`${b.lo.toFixed(1)}-${b.hi.toFixed(1)}`, String(b.count), f(b.meanPredicted), f(b.observed)]),
    },
  };
}
