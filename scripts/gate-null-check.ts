/**
 * npm run gate-null-check -- [--config FILE] [--procedure holdout|walk-forward] [--seeds N] [--json FILE]
 *
 * Negative controls for the promotion gate: trains the configured model on markets with no edge (the
 * synthetic market with oversold_bounce 0, and pure random walks, N seeds each), backtests each with the
 * configured costs and runs the gate, and prints a table. Every one of them should be refused; the configured
 * market (a planted effect, when synthetic) is run last as the positive control. The headline Sharpe ratios
 * of the null markets are the range a real result has to clear.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { intArg, parseCommand, runCommand } from '../lib/cli.js';
import type { BarSeries } from '../lib/core/bars.js';
import type { Config } from '../lib/config/schema.js';

export const SPEC = {
  name: 'gate-null-check',
  usage: 'npm run gate-null-check -- [--config FILE] [--procedure holdout|walk-forward] [--seeds N] [--json FILE]',
  summary:
    'Negative controls for the promotion gate: the configured model trained on markets with no edge (synthetic\n' +
    'without the planted effect, and random walks), backtested with costs and gated; all should be refused. The\n' +
    'configured market runs last as the positive control.',
  options: {
    config: { type: 'string', arg: 'FILE', help: 'config: model, features, label, costs, limits, gate', defaultText: 'config.yaml if present, else the built-in defaults' },
    procedure: { type: 'string', choices: ['holdout', 'walk-forward'], default: 'holdout', help: "npm run train's 80/20 holdout, or walk-forward (the demo's and the runner's; with strategy.ml.retrain_every 0 that is a holdout too)" },
    seeds: { type: 'string', arg: 'N', default: '6', help: 'seeds per null market kind (6: 6 synthetic without edge + 6 random walks)' },
    json: { type: 'string', arg: 'FILE', help: 'also write the rows as JSON' },
  },
} as const;

/** Geometric random walks on the synthetic market's trading days: no structure at all. */
async function randomWalkMarket(seed: number, symbols: readonly string[], start: string, end: string): Promise<BarSeries[]> {
  const { makeSeries } = await import('../lib/core/bars.js');
  const { Rng } = await import('../lib/core/rng.js');
  const { tradingTimes } = await import('../lib/data/synthetic.js');
  const times = tradingTimes(Date.parse(start), Date.parse(end), '1d');
  return symbols.map((sym, k) => {
    const rng = new Rng(seed * 1000 + k);
    const n = times.length;
    const o = new Float64Array(n);
    const h = new Float64Array(n);
    const l = new Float64Array(n);
    const c = new Float64Array(n);
    const v = new Float64Array(n);
    let p = 100;
    for (let i = 0; i < n; i++) {
      const open = p * Math.exp(rng.normal() * 0.003);
      p = open * Math.exp(0.0003 + rng.normal() * 0.015);
      o[i] = open;
      c[i] = p;
      h[i] = Math.max(open, p) * (1 + rng.next() * 0.005);
      l[i] = Math.min(open, p) * (1 - rng.next() * 0.005);
      v[i] = 1e6 * (0.5 + rng.next());
    }
    return makeSeries(sym, '1d', { time: times, open: o, high: h, low: l, close: c, volume: v });
  });
}

async function main(): Promise<number> {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const values = parsed.values;
  const procedure = values.procedure;
  const seeds = intArg('seeds', values.seeds);
  const { loadConfig, parseConfig } = await import('../lib/config/load.js');
  const { syntheticMarket } = await import('../lib/data/synthetic.js');
  const { evaluationFromConfig, trainModel, trainOptionsFromConfig } = await import('../lib/ml/index.js');
  const { promoteOptionsFromConfig, promoteTrainResult } = await import('../lib/strategy/ml/index.js');
  const configPath = values.config ?? (existsSync('config.yaml') ? 'config.yaml' : null);
  const config: Config = configPath ? loadConfig(configPath) : parseConfig({});
  const ml = config.strategy.ml;
  const symbols = config.data.symbols;
  const start = config.data.start;
  const end = config.data.end ?? '2025-01-01';
  const markets: Array<{ name: string; series: () => BarSeries[] | Promise<BarSeries[]>; control: boolean }> = [];
  for (let s = 1; s <= seeds; s++) markets.push({ name: `synthetic seed ${s}, oversold_bounce 0`, series: () => syntheticMarket({ symbols, seed: s, start, end, oversoldBounce: 0 }), control: false });
  for (let s = 1; s <= seeds; s++) markets.push({ name: `random walk seed ${s}`, series: () => randomWalkMarket(s, symbols, start, end), control: false });
  if (config.data.provider === 'synthetic')
    markets.push({ name: `CONTROL synthetic seed ${config.data.synthetic.seed}, oversold_bounce ${config.data.synthetic.oversold_bounce}`, series: () => syntheticMarket({ symbols, seed: config.data.synthetic.seed, start, end, oversoldBounce: config.data.synthetic.oversold_bounce }), control: true });

  console.log(`gate negative controls: ${ml.model_type}, ${procedure} procedure, gate level ${ml.gate.level} / AUC level ${ml.gate.auc_level} / min DSR ${ml.gate.min_deflated_sharpe} / min accuracy ${ml.min_accuracy}`);
  console.log('market                                      rows  accuracy  base    p(acc)   AUC    p(AUC)   Sharpe  DSR    verdict');
  const rows: Array<Record<string, unknown>> = [];
  for (const m of markets) {
    const series = await m.series();
    const r = await trainModel(series, { ...trainOptionsFromConfig(ml), silent: true, ...(procedure === 'walk-forward' ? evaluationFromConfig(ml) : {}) });
    const p = promoteTrainResult(r, series, promoteOptionsFromConfig(config));
    const s = p.gate.statistics;
    const row = {
      market: m.name,
      control: m.control,
      rows: s.rows,
      accuracy: s.accuracy,
      baseRate: s.baseRate,
      accuracyPValue: s.accuracyPValue,
      auc: s.auc,
      aucPValue: s.aucPValue,
      sharpe: s.backtest?.annualisedSharpe ?? null,
      deflatedSharpe: s.deflatedSharpe,
      promotable: p.gate.verdict.promotable,
      failed: p.gate.verdict.checks.filter((c) => !c.passed).map((c) => c.name),
    };
    rows.push(row);
    const f = (x: number | null, d: number) => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
    console.log(
      `${m.name.padEnd(42)} ${String(s.rows).padStart(5)}  ${f(s.accuracy, 4)}  ${f(s.baseRate, 4)}  ${f(s.accuracyPValue, 4)}  ${f(s.auc, 3)}  ${f(s.aucPValue, 4)}  ${f(row.sharpe, 2).padStart(6)}  ${f(s.deflatedSharpe, 3)}  ${row.promotable ? 'PROMOTABLE' : `refused (${row.failed.join(', ')})`}`,
    );
  }
  const nulls = rows.filter((r) => !r.control);
  const refused = nulls.filter((r) => !r.promotable).length;
  const sharpes = nulls.map((r) => r.sharpe as number | null).filter((x): x is number => x !== null);
  console.log(`\n${refused} of ${nulls.length} null models refused; null-market Sharpe range ${Math.min(...sharpes).toFixed(2)}..${Math.max(...sharpes).toFixed(2)} (annualised, after costs)`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ procedure, config: configPath, rows }, null, 1) + '\n');
  return 0;
}

// Run only as the command: tests import SPEC.
if ((process.argv[1] ?? '').endsWith('gate-null-check.ts')) runCommand('gate-null-check', main);
