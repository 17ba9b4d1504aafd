/**
 * npm run backtest -- [options]: one strategy on CSV files or the offline synthetic market, with the costs,
 * risk limits, cash and sizing of config.yaml unless an option overrides them; prints which it used, the
 * key metrics and the report path. `--help` lists the options. Exit 2 for a wrong command line, 1 for a
 * failure (bad data, a model that does not load).
 *
 * `--strategy ml --model DIR` trades a registry model out of sample (walk-forward models replay their saved
 * out-of-sample probabilities) with the config's threshold and regime filter, as the runner does.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { commandExitCode, dateArg, listArg, numberArg, intArg, parseCommand, runCommand, UsageError, type Values } from '../lib/cli.js';
import type { BarSeries } from '../lib/core/bars.js';
import type { Config } from '../lib/config/schema.js';
import type { CommissionSpec, FillAt } from '../lib/broker/sim/index.js';
import type { ExecutionSettings } from '../lib/engine/from-config.js';
import type { DataIssue } from '../lib/data/validate.js';
import type { BacktestResult, RejectedOrder } from '../lib/engine/index.js';
import type { Metrics } from '../lib/metrics/index.js';
import type { RiskLimits, SizingSpec } from '../lib/risk/index.js';
import type { Strategy } from '../lib/strategy/index.js';

const STRATEGIES = ['sma-crossover', 'buy-and-hold', 'ml'] as const;

export const SPEC = {
  name: 'backtest',
  usage: 'npm run backtest -- [--csv FILE ...] [--strategy sma-crossover|buy-and-hold|ml] [options]',
  summary:
    'Backtest one strategy on CSV files (or the offline synthetic market) with the costs, risk limits, cash and\n' +
    'sizing of the config file unless an option overrides them. Prints the settings it used, the trades, CAGR,\n' +
    'Sharpe, max drawdown and exposure, and writes an HTML report.',
  options: {
    config: { type: 'string', arg: 'FILE', help: 'costs, risk limits, cash and sizing come from here', defaultText: 'config.yaml if present, else the built-in defaults' },
    csv: { type: 'string', multiple: true, arg: 'FILE', help: 'bars to trade (symbol = file name)', defaultText: 'none: the synthetic market' },
    symbols: { type: 'string', arg: 'A,B', help: 'synthetic-market symbols', defaultText: "SYNA, or an ml model's training symbols" },
    seed: { type: 'string', arg: 'N', default: '42', help: 'synthetic-market seed' },
    start: { type: 'string', arg: 'YYYY-MM-DD', help: 'first day traded', defaultText: 'the first bar; synthetic 2015-01-02' },
    end: { type: 'string', arg: 'YYYY-MM-DD', help: 'last day traded (inclusive)', defaultText: 'the last bar; synthetic 2025-01-01' },
    'no-adjust': { type: 'boolean', help: "keep CSV prices unadjusted for splits and dividends (default: the config's data.adjust)" },
    strategy: { type: 'string', choices: STRATEGIES, default: 'sma-crossover', help: 'strategy to trade' },
    model: { type: 'string', arg: 'DIR', help: 'registry folder for --strategy ml (npm run train -- --out DIR)' },
    fast: { type: 'string', arg: 'N', default: '10', help: 'sma-crossover fast window' },
    slow: { type: 'string', arg: 'N', default: '30', help: 'sma-crossover slow window' },
    size: { type: 'string', arg: 'all|sleeve|N', help: 'all cash (split over symbols), a fixed sleeve of cash / symbols per symbol compounding its own P&L, or N shares per entry', defaultText: "the config's portfolio.sizing" },
    cash: { type: 'string', arg: 'N', help: 'starting cash', defaultText: "the config's portfolio.initial_cash" },
    commission: { type: 'string', arg: 'X|per_share=X,percent=Y,minimum=Z', help: 'commission per share, or its parts', defaultText: "the config's broker.commission" },
    'slippage-bps': { type: 'string', arg: 'B', help: 'slippage in basis points of the fill price', defaultText: "the config's broker.slippage_bps" },
    'fill-at': { type: 'string', choices: ['next_open', 'close'], help: 'fill a signal at the next open or at the same close', defaultText: "the config's broker.fill_at" },
    risk: { type: 'string', choices: ['config', 'none'], default: 'config', help: "config: the config's portfolio limits (position cap, stops, exposure, daily loss); none: only shorting is refused" },
    json: { type: 'string', arg: 'FILE', help: 'write trades, settings and metrics as JSON' },
    html: { type: 'string', arg: 'FILE', help: 'HTML report path', defaultText: 'reports/backtest-STRATEGY.html' },
    'no-report': { type: 'boolean', help: 'write no HTML report' },
    quiet: { type: 'boolean', help: 'print nothing (errors still go to stderr)' },
  },
} as const;

type Opts = Values<typeof SPEC.options>;

interface Settings {
  readonly strategy: (typeof STRATEGIES)[number];
  readonly fast: number;
  readonly slow: number;
  readonly seed: number;
  readonly symbols: string[] | null;
  readonly start: string | null;
  readonly end: string | null;
  readonly adjust: boolean;
}

/** The execution settings used, with a line per setting saying where it came from (printed before the run). */
interface Used extends ExecutionSettings {
  readonly lines: string[];
}

function parseCommission(v: string): CommissionSpec {
  if (/^[\d.]+$/.test(v)) return { perShare: numberArg('commission', v, 'a number >= 0', (n) => n >= 0) };
  const out: { perShare?: number; percent?: number; minimum?: number } = {};
  for (const part of v.split(',')) {
    const [k, val] = part.split('=');
    const key = { per_share: 'perShare', percent: 'percent', minimum: 'minimum' }[k?.trim() ?? ''] as 'perShare' | 'percent' | 'minimum' | undefined;
    if (!key || val === undefined) throw new UsageError(`--commission: "${part}" is not per_share=X, percent=Y or minimum=Z`);
    const n = Number(val);
    if (val.trim() === '' || !(n >= 0)) throw new UsageError(`--commission ${k}: "${val}" is not a number >= 0`);
    out[key] = n;
  }
  return out;
}

function settingsFrom(o: Opts): Settings {
  const s: Settings = {
    strategy: o.strategy as Settings['strategy'],
    fast: intArg('fast', o.fast),
    slow: intArg('slow', o.slow, 2),
    seed: numberArg('seed', o.seed, 'a whole number', Number.isInteger),
    symbols: o.symbols === undefined ? null : listArg(o.symbols),
    start: o.start === undefined ? null : dateArg('start', o.start),
    end: o.end === undefined ? null : dateArg('end', o.end),
    adjust: !o['no-adjust'],
  };
  if (s.strategy === 'sma-crossover' && s.fast >= s.slow) throw new UsageError(`--fast ${s.fast} must be less than --slow ${s.slow}`);
  if (s.strategy === 'ml' && !o.model) throw new UsageError('--strategy ml needs --model models/NAME (train one with npm run train -- --out models/NAME)');
  if (s.strategy !== 'ml' && o.model) throw new UsageError('--model is only for --strategy ml');
  if (s.start && s.end && s.start > s.end) throw new UsageError(`--start ${s.start} is after --end ${s.end}`);
  if (o.csv.length && s.symbols) throw new UsageError('--symbols is for the synthetic market; with --csv the symbols are the file names');
  return s;
}

/** Options that would do nothing in this combination are refused rather than silently ignored. */
function refuseIneffective(o: Opts, given: ReadonlySet<string>): void {
  const no = (flag: string, why: string) => {
    if (given.has(flag)) throw new UsageError(`--${flag} has no effect ${why}`);
  };
  if (o.csv.length) no('seed', 'with --csv (it seeds the synthetic market)');
  else no('no-adjust', 'without --csv (the synthetic market has no splits or dividends)');
  if (o.strategy !== 'sma-crossover') {
    no('fast', `with --strategy ${o.strategy}`);
    no('slow', `with --strategy ${o.strategy}`);
  }
  if (o['no-report']) no('html', 'with --no-report');
}

const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`);

function describeCommission(c: CommissionSpec): string {
  const parts = [c.perShare ? `${c.perShare}/share` : '', c.percent ? `${c.percent}% of value` : '', c.minimum ? `minimum ${c.minimum}` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

function describeLimits(l: RiskLimits): string {
  const fin = (x: number, f: (x: number) => string) => (Number.isFinite(x) ? f(x) : 'none');
  return [
    `position cap ${fin(l.maxPositionFraction, (x) => `${pct(x, 0)} of equity`)}`,
    `stop-loss ${l.stopLoss ? pct(l.stopLoss, 0) : 'none'}`,
    `take-profit ${l.takeProfit ? pct(l.takeProfit, 0) : 'none'}`,
    `max exposure ${fin(l.maxGrossExposure, (x) => `${x}x`)}`,
    `daily-loss halt ${l.maxDailyLoss >= 1 ? 'none' : pct(l.maxDailyLoss, 0)}`,
    `open positions ${fin(l.maxOpenPositions, String)}`,
    l.allowShort ? 'shorts allowed' : 'no shorts',
  ].join(', ');
}

function describeSizing(s: SizingSpec): string {
  switch (s.method) {
    case 'all_in':
      return 'all cash, split evenly over the symbols not yet held';
    case 'sleeve':
      return 'a sleeve of cash / symbols per symbol, compounding its own P&L';
    case 'fixed_quantity':
      return `${s.quantity} shares per entry`;
    case 'fixed_fraction':
      return `${pct(s.fraction, 0)} of equity per entry`;
    case 'volatility_target':
      return `volatility target ${pct(s.targetVolatility, 0)} a year per position`;
    default:
      return JSON.stringify(s);
  }
}

async function executionSettings(o: Opts, given: ReadonlySet<string>, config: Config, configName: string): Promise<Used> {
  const { executionFromConfig } = await import('../lib/engine/from-config.js');
  const { permissiveLimits } = await import('../lib/risk/limits.js');
  const fromConfig = executionFromConfig(config);
  const src = (flag: string, setting: string) => (given.has(flag) ? `--${flag}` : `${configName} ${setting}`);
  const initialCash = o.cash === undefined ? fromConfig.initialCash : numberArg('cash', o.cash, 'a number > 0', (n) => n > 0);
  const commission = o.commission === undefined ? fromConfig.commission : parseCommission(o.commission);
  const slippageBps = o['slippage-bps'] === undefined ? fromConfig.slippageBps : numberArg('slippage-bps', o['slippage-bps'], 'a number >= 0', (n) => n >= 0);
  const fillAt = (o['fill-at'] ?? fromConfig.fillAt) as FillAt;
  let sizing = fromConfig.sizing;
  if (o.size !== undefined) {
    sizing =
      o.size === 'all' ? { method: 'all_in' } : o.size === 'sleeve' ? { method: 'sleeve' } : { method: 'fixed_quantity', quantity: numberArg('size', o.size, '"all", "sleeve" or a number of shares > 0', (n) => n > 0) };
  }
  const limits = o.risk === 'none' ? permissiveLimits() : fromConfig.limits;
  const lines = [
    `costs: commission ${describeCommission(commission)} (${src('commission', 'broker.commission')}), slippage ${slippageBps} bps (${src('slippage-bps', 'broker.slippage_bps')}), fills at ${fillAt === 'next_open' ? 'the next open' : 'the signal bar close'} (${src('fill-at', 'broker.fill_at')})`,
    `cash ${initialCash} (${src('cash', 'portfolio.initial_cash')}); sizing: ${describeSizing(sizing)} (${src('size', 'portfolio.sizing')})`,
    `risk limits: ${describeLimits(limits)} (${o.risk === 'none' ? '--risk none' : `${configName} portfolio`})`,
  ];
  if ((sizing.method === 'all_in' || sizing.method === 'sleeve') && o.risk !== 'none' && Number.isFinite(limits.maxPositionFraction) && limits.maxPositionFraction < 1) {
    lines.push(`note: the position cap (${pct(limits.maxPositionFraction, 0)}) trims --size ${sizing.method === 'all_in' ? 'all' : 'sleeve'}; add --risk none to put all cash in`);
  }
  return { initialCash, commission, slippageBps, fillAt, sizing, limits, lines };
}

/** Orders dropped at the fill, in words: how many, why, and the first one. */
export function describeRejections(rejected: readonly RejectedOrder[], date: (ms: number) => string): string[] {
  if (rejected.length === 0) return [];
  const kinds = new Map<string, number>();
  for (const r of rejected) {
    const k = /^short selling is disabled/.test(r.reason)
      ? 'sells larger than the position still held when they came to fill (it had been closed or reduced first, e.g. by a stop-loss), refused because shorting is off (portfolio.allow_short: false)'
      : /^insufficient cash/.test(r.reason)
        ? 'buys the cash no longer covered at the fill price (the price moved between signal and fill, or fees)'
        : r.reason;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const first = rejected[0];
  return [
    `${rejected.length} order${rejected.length === 1 ? ' was' : 's were'} accepted but not filled:`,
    ...[...kinds].map(([k, n]) => `  ${n} x ${k}`),
    `  first: ${date(first.time)} ${first.side} ${first.qty} ${first.symbol}: ${first.reason}`,
  ];
}

export interface CliReport {
  readonly strategy: string;
  readonly config: Record<string, unknown>;
  readonly data: ReadonlyArray<{ symbol: string; source: string; bars: number; start: string; end: string }>;
  readonly trades: ReadonlyArray<{
    symbol: string;
    side: 'long' | 'short';
    entryDate: string;
    entryPrice: string;
    exitDate: string;
    exitPrice: string;
    qty: string;
    pnl: string;
    fees: string;
  }>;
  readonly openPositions: ReadonlyArray<{ symbol: string; qty: string; avgPrice: string; lastPrice: string; marketValue: string; unrealized: string; entryDate: string }>;
  readonly initialCash: string;
  readonly finalEquity: string;
  readonly finalCash: string;
  readonly fees: string;
  readonly rejectedOrders: BacktestResult['rejectedOrders'];
  readonly metrics: Record<string, number | string | null>;
}

const SYNTH_START = '2015-01-02';
const SYNTH_END = '2025-01-01';

/** The bars (CSV files cut to --start/--end, or the synthetic market) and what validation reported. */
async function loadSeries(o: Opts, s: Settings, timezone: string): Promise<{ series: BarSeries[]; issues: DataIssue[]; source: string }> {
  const { isoDate, sliceByTime } = await import('../lib/core/bars.js');
  if (o.csv.length === 0) {
    const { DEFAULT_OVERSOLD_BOUNCE, syntheticMarket } = await import('../lib/data/synthetic.js');
    const start = s.start ?? SYNTH_START;
    const end = s.end ?? SYNTH_END;
    const source = `synthetic market (seed ${s.seed}, ${start}..${end}; PLANTED EFFECT: oversold bounce +${(DEFAULT_OVERSOLD_BOUNCE * 100).toFixed(1)}% after RSI(14) < 35, a positive control)`;
    return { series: syntheticMarket({ symbols: s.symbols ?? ['SYNA'], start, end, seed: s.seed }), issues: [], source };
  }
  const { loadCsvFile } = await import('../lib/data/csv.js');
  const loads = o.csv.map((f) => loadCsvFile(resolve(f), { adjust: s.adjust, timezone }));
  const from = s.start ? Date.parse(`${s.start}T00:00:00Z`) : -Infinity;
  const to = s.end ? Date.parse(`${s.end}T00:00:00Z`) + 86_400_000 : Infinity;
  const series = loads.map((l, i) => {
    const cut = sliceByTime(l.series, from, to);
    if (cut.length === 0) {
      const all = l.series;
      const span = all.length ? `${isoDate(all.time[0])}..${isoDate(all.time[all.length - 1])}` : 'no bars';
      throw new UsageError(`--start/--end ${s.start ?? '(first bar)'}..${s.end ?? '(last bar)'} leaves no bars of ${o.csv[i]} (it covers ${span})`);
    }
    return cut;
  });
  return { series, issues: loads.flatMap((l) => l.issues), source: `csv: ${o.csv.join(', ')}${s.adjust ? ' (adjusted)' : ' (unadjusted)'}${s.start || s.end ? ` cut to ${s.start ?? '…'}..${s.end ?? '…'}` : ''}` };
}

async function makeStrategy(o: Opts, s: Settings, config: Config): Promise<{ strategy: Strategy; symbols: string[] | null }> {
  const { BuyAndHold, SmaCrossover } = await import('../lib/strategy/index.js');
  if (s.strategy === 'sma-crossover') return { strategy: new SmaCrossover({ fast: s.fast, slow: s.slow }), symbols: null };
  if (s.strategy === 'buy-and-hold') return { strategy: new BuyAndHold(), symbols: null };
  // Loaded only here: it brings in the model code, which the baselines do not need.
  const { loadMlStrategyFromConfig } = await import('../lib/strategy/ml/index.js');
  const { strategy, metadata } = await loadMlStrategyFromConfig(config.strategy, resolve(o.model!));
  return { strategy, symbols: metadata.symbols };
}

async function loadCliConfig(path: string | undefined): Promise<{ config: Config; name: string }> {
  const { loadConfig, parseConfig } = await import('../lib/config/load.js');
  if (path !== undefined) return { config: loadConfig(path), name: path };
  if (existsSync('config.yaml')) return { config: loadConfig('config.yaml'), name: 'config.yaml' };
  return { config: parseConfig({}), name: 'built-in default' };
}

/** Runs the command; throws UsageError for a wrong command line. Returns the exit code. */
export async function run(argv: readonly string[], log: (s: string) => void = console.log): Promise<number> {
  const parsed = parseCommand(SPEC, argv, (t) => log(t.trimEnd()));
  if (!parsed) return 0;
  const o = parsed.values;
  refuseIneffective(o, parsed.given);
  const { config, name: configName } = await loadCliConfig(o.config);
  // CSV prices are adjusted as the config says (data.adjust), unless --no-adjust.
  const s = { ...settingsFrom(o), ...(config.data.adjust ? {} : { adjust: false }) };
  const exec = await executionSettings(o, parsed.given, config, configName);
  const { strategy, symbols: modelSymbols } = await makeStrategy(o, s, config);
  const { series, issues, source } = await loadSeries(o, { ...s, symbols: s.symbols ?? (o.csv.length ? null : modelSymbols) }, config.data.timezone);

  const { isoDate } = await import('../lib/core/bars.js');
  const { runBacktest } = await import('../lib/engine/index.js');
  const { computeMetrics, metricsToJSON, periodsPerYearFor } = await import('../lib/metrics/index.js');
  const { backtestMetricsInput } = await import('../lib/report/index.js');
  const say = (t: string) => {
    if (!o.quiet) log(t);
  };
  for (const line of exec.lines) say(line);

  const r = runBacktest({ series, strategy, initialCash: exec.initialCash, fillAt: exec.fillAt, commission: exec.commission, slippageBps: exec.slippageBps, limits: exec.limits, sizing: exec.sizing });
  const periodsPerYear = periodsPerYearFor(series[0].interval);
  const metrics: Metrics = computeMetrics(backtestMetricsInput(r, periodsPerYear));
  const bench: Metrics = computeMetrics({ equity: r.benchmark, trades: [], periodsPerYear });
  const settings = {
    config: configName,
    strategy: s.strategy,
    ...(s.strategy === 'sma-crossover' ? { fast: s.fast, slow: s.slow } : {}),
    ...(o.model ? { model: o.model } : {}),
    sizing: exec.sizing,
    risk: o.risk,
    limits: exec.limits,
    cash: exec.initialCash,
    commission: exec.commission,
    slippageBps: exec.slippageBps,
    fillAt: exec.fillAt,
    adjust: s.adjust,
    ...(s.start ? { start: s.start } : {}),
    ...(s.end ? { end: s.end } : {}),
  };
  // Built only for --json: 200,000 trades as strings are ~100 MB a run that writes no JSON need not hold.
  const jsonReport = (): CliReport => ({
    strategy: r.strategy,
    config: settings,
    data: series.map((x, i) => ({
      symbol: x.symbol,
      source: o.csv[i] ?? `synthetic(seed ${s.seed})`,
      bars: x.length,
      start: x.length ? isoDate(x.time[0]) : '',
      end: x.length ? isoDate(x.time[x.length - 1]) : '',
    })),
    trades: r.trades.map((t) => ({
      symbol: t.symbol,
      side: t.side,
      entryDate: isoDate(t.entryTime),
      entryPrice: t.entryPrice,
      exitDate: isoDate(t.exitTime),
      exitPrice: t.exitPrice,
      qty: t.qty,
      pnl: t.pnl,
      fees: t.fees,
    })),
    openPositions: r.openPositions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty,
      avgPrice: p.avgPrice,
      lastPrice: p.lastPrice,
      marketValue: p.marketValue,
      unrealized: p.unrealized,
      entryDate: isoDate(p.entryTime),
    })),
    initialCash: r.initialCash,
    finalEquity: r.finalEquity,
    finalCash: r.finalCash,
    fees: r.fees,
    rejectedOrders: r.rejectedOrders,
    // Infinity (e.g. a profit factor with no losses) is written as a string, see metricsToJSON.
    metrics: metricsToJSON(metrics),
  });
  if (o.json) {
    mkdirSync(dirname(resolve(o.json)), { recursive: true });
    writeFileSync(resolve(o.json), `${JSON.stringify(jsonReport(), null, 2)}\n`);
  }
  let html: string | null = null;
  if (!o['no-report']) {
    const { backtestReportInput, writeReport } = await import('../lib/report/index.js');
    type ReportSignal = import('../lib/report/index.js').ReportSignal;
    html = resolve(o.html ?? `reports/backtest-${s.strategy}.html`);
    writeReport(
      html,
      backtestReportInput({
        result: r,
        metrics,
        title: `Backtest: ${r.strategy} on ${r.symbols.join(', ')}`,
        periodsPerYear,
        series,
        config: settings,
        dataSource: source,
        dataIssues: issues,
        // the ML strategy logs its signals with their reasons (loaded lazily, so no instanceof here)
        signals: (strategy as { signalLog?: readonly ReportSignal[] }).signalLog,
      }),
    );
  }

  say(`${r.strategy} on ${r.symbols.join(', ')} ${r.start}..${r.end} (${r.bars} bars; ${source})`);
  say(`trades ${r.trades.length}, open positions ${r.openPositions.length}, final equity ${r.finalEquity} (from ${r.initialCash}), fees ${r.fees}`);
  for (const line of describeRejections(r.rejectedOrders, isoDate)) say(line);
  const counts = (strategy as { entryCounts?: { signalled: number; heldByRegime: number } }).entryCounts;
  if (counts) {
    const { describeEntryCounts } = await import('../lib/strategy/ml/ml-strategy.js');
    say(describeEntryCounts(counts, (strategy as { threshold?: number }).threshold ?? NaN));
  }
  if (o.json) say(`wrote ${o.json}`);
  const num = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));
  say(`result: total ${pct(metrics.totalReturn)}, CAGR ${pct(metrics.cagr)}, Sharpe ${num(metrics.sharpe)}, max drawdown ${pct(metrics.maxDrawdown)}, exposure ${pct(metrics.exposure)}`);
  say(`buy-and-hold of the same symbols (no costs): total ${pct(bench.totalReturn)}, CAGR ${pct(bench.cagr)}, Sharpe ${num(bench.sharpe)}, max drawdown ${pct(bench.maxDrawdown)}`);
  say(`report: ${html ?? 'none (--no-report)'}`);
  return 0;
}

/** The command: run() with errors turned into a message on stderr and exit code 2 (command line) or 1. */
export function main(argv: readonly string[], log: (s: string) => void = console.log): Promise<number> {
  return commandExitCode('backtest', () => run(argv, log));
}

if ((process.argv[1] ?? '').endsWith('backtest.ts')) runCommand('backtest', () => run(process.argv.slice(2)));
