/**
 * npm run demo [-- --config config.yaml] [--null-markets N]: the main job, end to end, on the configured data (the offline
 * synthetic market by default).
 *   1. load and validate the symbols;
 *   2. train the configured model with walk-forward retraining (out-of-sample predictions only), backtest those
 *      predictions with costs, run the promotion gate, repeat on N markets without edge (default 2) for the
 *      null range of the headline Sharpe, and register it at strategy.ml.model, where the runner picks it up;
 *   3. backtest the ML strategy and the SMA crossover with the same costs and risk limits, against an
 *      equal-weight buy-and-hold benchmark of the same symbols (no costs, no risk exits: the passive baseline);
 *   4. write an HTML report per strategy under reports/ and print a comparison.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { intArg, parseCommand, runCommand } from '../lib/cli.js';
import type { BarSeries } from '../lib/core/bars.js';
import type { Config } from '../lib/config/schema.js';
import type { DataIssue } from '../lib/data/validate.js';
import type { BacktestResult } from '../lib/engine/index.js';
import type { Metrics } from '../lib/metrics/index.js';
import type { Strategy } from '../lib/strategy/index.js';
import type { NullRange } from '../lib/strategy/ml/index.js';

const REPORTS = 'reports';

export const SPEC = {
  name: 'demo',
  usage: 'npm run demo [-- --config FILE] [--null-markets N]',
  summary:
    'The main job end to end on the configured data (the offline synthetic market by default): train the\n' +
    'configured model walk-forward, register it at strategy.ml.model, backtest it and the SMA crossover with\n' +
    "the config's costs and risk limits against buy-and-hold, write HTML reports under reports/, and say\n" +
    'which beat which after costs.',
  options: {
    config: { type: 'string', arg: 'FILE', default: 'config.yaml', help: 'config file' },
    'null-markets': { type: 'string', arg: 'N', default: '2', help: 'synthetic markets without edge to train on for the null range of the headline Sharpe (0 = none)' },
  },
} as const;

export interface VerdictRow {
  readonly name: string;
  readonly totalReturn: number;
  readonly sharpe: number | null;
  readonly maxDrawdown: number;
  /** Mean gross exposure (fraction of equity invested); null = always fully invested (buy-and-hold). */
  readonly exposure: number | null;
  /** Costs included (the strategies) or not (the passive benchmark). */
  readonly costs: boolean;
}

/**
 * The summary's verdict in plain words: which run made the most after costs, which beat which, and whether
 * the risk-adjusted order (Sharpe) differs from the raw one.
 */
export function verdict(rows: readonly VerdictRow[]): string[] {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const byReturn = [...rows].sort((a, b) => b.totalReturn - a.totalReturn);
  const [best, ...rest] = byReturn;
  const lines = [`verdict: ${best.name} made the most (${pct(best.totalReturn)}${best.costs ? ' after costs' : ', no costs'}).`];
  for (let i = 0; i < byReturn.length; i++) {
    for (let j = i + 1; j < byReturn.length; j++) {
      const a = byReturn[i];
      const b = byReturn[j];
      const by = a.totalReturn - b.totalReturn;
      lines.push(`  ${a.name} ${by === 0 ? 'tied with' : 'beat'} ${b.name}: ${pct(a.totalReturn)} vs ${pct(b.totalReturn)} (${(by * 100).toFixed(1)} points).`);
    }
  }
  const sharpe = (r: VerdictRow) => r.sharpe ?? -Infinity;
  const bySharpe = [...rows].sort((a, b) => sharpe(b) - sharpe(a));
  if (bySharpe[0].name !== best.name && bySharpe[0].sharpe !== null) {
    const top = bySharpe[0];
    const invested = top.exposure !== null && top.exposure < 0.5 ? `, but it was invested ${(top.exposure * 100).toFixed(1)}% of the time on average, so its return is small` : '';
    lines.push(`  risk-adjusted, ${top.name} did best: Sharpe ${top.sharpe!.toFixed(2)} vs ${best.sharpe === null ? 'n/a' : best.sharpe.toFixed(2)} for ${best.name} (max drawdown ${pct(top.maxDrawdown)} vs ${pct(best.maxDrawdown)})${invested}.`);
  }
  const losers = rest.filter((r) => r.costs && r.totalReturn < 0);
  for (const r of losers) lines.push(`  ${r.name} lost money after costs.`);
  return lines;
}

async function main(): Promise<number> {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const configPath = parsed.values.config;
  const nullMarkets = intArg('null-markets', parsed.values['null-markets'], 0);
  const { isoDate } = await import('../lib/core/bars.js');
  const { describeData, loadConfig } = await import('../lib/config/index.js');
  const { CsvProvider, loadSymbols, providerFromConfig } = await import('../lib/data/index.js');
  const { syntheticMarket } = await import('../lib/data/synthetic.js');
  const { executionFromConfig, runBacktest } = await import('../lib/engine/index.js');
  const { computeMetrics, periodsPerYearFor } = await import('../lib/metrics/index.js');
  const { describeEvaluation, evaluationFromConfig, formatEvaluation, saveTrainResult, trainModel, trainOptionsFromConfig } = await import('../lib/ml/index.js');
  const { backtestMetricsInput, backtestReportInput, writeReport } = await import('../lib/report/index.js');
  const { SmaCrossover } = await import('../lib/strategy/index.js');
  const { formatPromotion, loadMlStrategyFromConfig, modelReportSection, promoteOptionsFromConfig, promoteTrainResult } = await import('../lib/strategy/ml/index.js');
  const config: Config = loadConfig(configPath);
  const t0 = performance.now();
  const step = (s: string) => console.log(`\n[${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}`);

  step(`1/4 data: ${config.data.provider} ${config.data.symbols.join(', ')} (${config.data.interval}) from ${configPath}`);
  const provider = providerFromConfig(config.data, { onProgress: (m) => console.log(`  ${m}`) });
  const series: BarSeries[] = await loadSymbols(provider, config.data.symbols, {
    start: config.data.start,
    end: config.data.end,
    interval: config.data.interval,
    onProgress: (done, total, symbol) => console.log(`  loaded ${symbol} (${done}/${total})`),
  });
  const issues: readonly DataIssue[] = provider instanceof CsvProvider ? provider.issues : [];
  for (const s of series) console.log(`  ${s.symbol}: ${s.length} bars ${isoDate(s.time[0])}..${isoDate(s.time[s.length - 1])}`);
  console.log(`  validation: ${issues.length === 0 ? 'no problems found' : `${issues.length} issues (first: ${issues[0].source}:${issues[0].row} ${issues[0].problem})`}`);

  const ml = config.strategy.ml;
  const data = describeData(config.data);
  const procedure = evaluationFromConfig(ml);
  step(`2/4 train: ${ml.model_type} on ${ml.features.length || 'the default'} features, ${describeEvaluation(procedure)}`);
  if (data.synthetic) console.log(`  data: ${data.summary}`);
  const trained = await trainModel(series, { ...trainOptionsFromConfig(ml), ...procedure });
  console.log(formatEvaluation(trained.evaluation, procedure.walkForward ? 'walk-forward out-of-sample' : 'holdout test block'));
  const promotion = promoteTrainResult(trained, series, promoteOptionsFromConfig(config));
  console.log(formatPromotion(promotion));
  const modelDir = resolve(ml.model);
  await saveTrainResult(modelDir, trained, { source: data.summary, data: { ...data }, threshold: ml.confidence_threshold, gate: promotion.gate, backtest: promotion.backtest.summary });
  if ('dispose' in trained.model) trained.model.dispose();
  // Negative controls: the same procedure on markets with no edge gives the range a real result must clear.
  let nullRange: NullRange | undefined;
  if (nullMarkets > 0) {
    const values: number[] = [];
    for (let seed = 1; seed <= nullMarkets; seed++) {
      const nullSeries = syntheticMarket({ symbols: config.data.symbols, seed, start: config.data.start, end: config.data.end, oversoldBounce: 0 });
      const r0 = await trainModel(nullSeries, { ...trainOptionsFromConfig(ml), ...procedure, silent: true });
      const p0 = promoteTrainResult(r0, nullSeries, promoteOptionsFromConfig(config));
      values.push(p0.gate.statistics.backtest?.annualisedSharpe ?? 0);
      console.log(`  null market ${seed}/${nullMarkets} (synthetic seed ${seed}, oversold_bounce 0): Sharpe ${values[values.length - 1].toFixed(2)}, gate ${p0.gate.verdict.promotable ? 'PROMOTABLE (a false positive)' : 'refuses it'}`);
    }
    nullRange = { metric: 'out-of-sample Sharpe (annualised, after costs)', values, markets: `${nullMarkets} synthetic market${nullMarkets === 1 ? '' : 's'} without edge (oversold_bounce 0, seeds 1-${nullMarkets}), same config and procedure` };
    const headline = promotion.gate.statistics.backtest?.annualisedSharpe ?? 0;
    console.log(`  null-market Sharpe range ${Math.min(...values).toFixed(2)}..${Math.max(...values).toFixed(2)}; this model ${headline.toFixed(2)}${headline <= Math.max(...values) ? ': INSIDE what no-edge markets produce' : ` (above these ${values.length}; a small sample, npm run gate-null-check -- --procedure walk-forward runs 12)`}`);
  }
  const mlSection = modelReportSection({ gate: promotion.gate, evaluation: trained.evaluation, data, nullRange, headline: promotion.gate.statistics.backtest?.annualisedSharpe ?? null });
  console.log(`  registered ${ml.model}/ (the runner's strategy.ml.model), trained through ${isoDate(trained.dataset.time[trained.trainRows[trained.trainRows.length - 1]])}: ${promotion.gate.verdict.promotable ? 'promotable' : 'NOT promotable, the runner will refuse it'}`);

  step('3/4 backtest: ML strategy and SMA crossover with costs and risk limits from the config, vs buy-and-hold');
  const exec = executionFromConfig(config);
  const { strategy: mlStrategy } = await loadMlStrategyFromConfig(config.strategy);
  const sma = config.strategy.sma_crossover;
  const strategies: Array<[string, Strategy]> = [
    ['ml', mlStrategy],
    ['sma-crossover', new SmaCrossover({ fast: sma.fast, slow: sma.slow })],
  ];
  const periodsPerYear = periodsPerYearFor(series[0].interval);
  const results: Array<{ key: string; r: BacktestResult; m: Metrics; file: string }> = [];
  mkdirSync(REPORTS, { recursive: true });
  for (const [key, strategy] of strategies) {
    const r = runBacktest({ series, strategy, ...exec });
    const m = computeMetrics(backtestMetricsInput(r, periodsPerYear));
    const file = join(REPORTS, `demo-${key}.html`);
    step(`4/4 report: ${file}`);
    writeReport(
      file,
      backtestReportInput({
        result: r,
        metrics: m,
        periodsPerYear,
        title: `${r.strategy} on ${r.symbols.join(', ')}`,
        series,
        config: { data, broker: config.broker, portfolio: config.portfolio, strategy: key === 'ml' ? config.strategy.ml : sma },
        dataSource: `${data.summary}: ${r.start}..${r.end}`,
        ...(key === 'ml' ? { sections: [mlSection], signals: mlStrategy.signalLog } : {}),
        dataIssues: issues,
      }),
    );
    results.push({ key, r, m, file });
  }

  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const num = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  console.log('\nstrategy          total    CAGR   Sharpe  max DD   trades  exposure  fees');
  const row = (key: string, m: Metrics, fees: string) =>
    console.log(`${key.padEnd(16)} ${pct(m.totalReturn).padStart(7)} ${pct(m.cagr).padStart(7)} ${num(m.sharpe).padStart(7)} ${pct(m.maxDrawdown).padStart(7)} ${String(m.numTrades).padStart(7)} ${pct(m.exposure).padStart(9)}  ${fees}`);
  for (const { key, r, m } of results) row(key, m, r.fees);
  const bh = computeMetrics({ equity: results[0].r.benchmark, trades: [], periodsPerYear });
  row('buy-and-hold', bh, '0');
  console.log(`\nbuy-and-hold: equal weight in ${series.map((s) => s.symbol).join(', ')} from the first bar (the reports' benchmark, no costs). The strategies pay the config's commission and slippage; the ML strategy trades only out of sample.`);
  console.log('');
  const rows: VerdictRow[] = [
    ...results.map(({ key, m }) => ({ name: key, totalReturn: m.totalReturn, sharpe: m.sharpe, maxDrawdown: m.maxDrawdown, exposure: m.exposure, costs: true })),
    { name: 'buy-and-hold', totalReturn: bh.totalReturn, sharpe: bh.sharpe, maxDrawdown: bh.maxDrawdown, exposure: null, costs: false },
  ];
  for (const line of verdict(rows)) console.log(line);
  console.log(`reports: ${results.map((x) => resolve(x.file)).join('\n         ')}`);
  console.log(`next: npm run runner -- --config ${configPath}   (paper trading the registered model, API on 127.0.0.1:${config.api.port})`);
  return 0;
}

if ((process.argv[1] ?? '').endsWith('demo.ts')) runCommand('demo', main);
