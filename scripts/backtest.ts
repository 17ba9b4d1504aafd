/**
 * npm run backtest -- --csv FILE [--csv FILE ...] --strategy sma-crossover|buy-and-hold|ml [--model models/NAME]
 *   --fast 10 --slow 30 --size all|N
 *   --cash 100000 [--commission PER_SHARE | per_share=X,percent=Y,minimum=Z] [--slippage-bps B]
 *   [--fill-at next_open|close] [--no-adjust] [--risk none|default] --json OUT.json --html OUT.html
 * Without --csv it runs on the offline synthetic market (--symbols A,B --start --end --seed).
 *
 * Sizing: `--size all` puts all cash in at the fill price (floor(cash / fill price) shares, split evenly over
 * symbols not yet held); `--size N` buys N shares. The CLI's explicit sizing overrides the risk gate's caps:
 * by default it runs with permissive limits (no 10 % position cap, no brackets, shorts off), which is what a
 * comparison with backtrader expects. `--risk default` applies the library's default limits instead.
 * `--strategy ml --model DIR` trades a registry model out of sample (walk-forward models replay their saved
 * out-of-sample probabilities); without --size it sizes like the runner: 10 % of equity per position scaled by
 * confidence, through the default risk limits. Without --csv/--symbols it uses the model's training symbols.
 * Bad arguments or data: an error naming them and exit code 2.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isoDate, type BarSeries } from '../lib/core/bars.js';
import { DataError, ValidationError } from '../lib/core/errors.js';
import { loadCsvFile } from '../lib/data/csv.js';
import type { DataIssue } from '../lib/data/validate.js';
import { DEFAULT_OVERSOLD_BOUNCE, syntheticMarket } from '../lib/data/synthetic.js';
import { runBacktest, type BacktestResult } from '../lib/engine/index.js';
import { computeMetrics, metricsToJSON, periodsPerYearFor, type Metrics } from '../lib/metrics/index.js';
import { backtestMetricsInput, backtestReportInput, writeReport } from '../lib/report/index.js';
import type { CommissionSpec } from '../lib/broker/sim/index.js';
import { DEFAULT_LIMITS, permissiveLimits, type RiskLimits, type SizingSpec } from '../lib/risk/index.js';
import { BuyAndHold, SmaCrossover, type Strategy } from '../lib/strategy/index.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliArgs {
  csv: string[];
  strategy: 'sma-crossover' | 'buy-and-hold' | 'ml';
  model?: string;
  /** Whether --size / --risk / --symbols were given (ML defaults differ from the baselines'). */
  given: Set<'size' | 'risk' | 'symbols'>;
  fast: number;
  slow: number;
  size: 'all' | number;
  cash: number;
  commission: CommissionSpec;
  slippageBps: number;
  fillAt: 'next_open' | 'close';
  adjust: boolean;
  risk: 'none' | 'default';
  json?: string;
  html?: string;
  symbols: string[];
  start: string;
  end: string;
  seed: number;
  quiet: boolean;
}

const USAGE =
  'usage: npm run backtest -- [--csv FILE ...] [--strategy sma-crossover|buy-and-hold|ml] [--model models/NAME] [--fast 10] [--slow 30] [--size all|N] ' +
  '[--cash 100000] [--commission PER_SHARE|per_share=X,percent=Y,minimum=Z] [--slippage-bps 0] [--fill-at next_open|close] ' +
  '[--no-adjust] [--risk none|default] [--json OUT.json] [--html OUT.html] [--symbols A,B] [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--seed 42] [--quiet]';

function num(flag: string, v: string, check: (n: number) => boolean, allowed: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag}: "${v}" is not ${allowed}`);
  return n;
}

function parseCommission(v: string): CommissionSpec {
  if (/^[\d.]+$/.test(v)) return { perShare: num('--commission', v, (n) => n >= 0, 'a number >= 0') };
  const out: { perShare?: number; percent?: number; minimum?: number } = {};
  for (const part of v.split(',')) {
    const [k, val] = part.split('=');
    const key = { per_share: 'perShare', percent: 'percent', minimum: 'minimum' }[k?.trim() ?? ''] as 'perShare' | 'percent' | 'minimum' | undefined;
    if (!key || val === undefined) throw new UsageError(`--commission: "${part}" is not per_share=X, percent=Y or minimum=Z`);
    out[key] = num(`--commission ${k}`, val, (n) => n >= 0, 'a number >= 0');
  }
  return out;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    csv: [],
    strategy: 'sma-crossover',
    fast: 10,
    slow: 30,
    size: 'all',
    cash: 100_000,
    commission: {},
    slippageBps: 0,
    fillAt: 'next_open',
    adjust: true,
    risk: 'none',
    symbols: ['SYNA'],
    start: '2015-01-02',
    end: '2025-01-01',
    seed: 42,
    quiet: false,
    given: new Set(),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--csv':
        a.csv.push(value());
        break;
      case '--strategy': {
        const v = value();
        if (v !== 'sma-crossover' && v !== 'buy-and-hold' && v !== 'ml') throw new UsageError(`--strategy: "${v}" is not one of sma-crossover, buy-and-hold, ml`);
        a.strategy = v;
        break;
      }
      case '--model':
        a.model = value();
        break;
      case '--fast':
        a.fast = num(flag, value(), (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
        break;
      case '--slow':
        a.slow = num(flag, value(), (n) => Number.isInteger(n) && n >= 2, 'a whole number >= 2');
        break;
      case '--size': {
        const v = value();
        a.size = v === 'all' ? 'all' : num(flag, v, (n) => n > 0, '"all" or a number of shares > 0');
        a.given.add('size');
        break;
      }
      case '--cash':
        a.cash = num(flag, value(), (n) => n > 0, 'a number > 0');
        break;
      case '--commission':
        a.commission = parseCommission(value());
        break;
      case '--slippage-bps':
        a.slippageBps = num(flag, value(), (n) => n >= 0, 'a number >= 0');
        break;
      case '--fill-at': {
        const v = value();
        if (v !== 'next_open' && v !== 'close') throw new UsageError(`--fill-at: "${v}" is not one of next_open, close`);
        a.fillAt = v;
        break;
      }
      case '--no-adjust':
        a.adjust = false;
        break;
      case '--risk': {
        const v = value();
        if (v !== 'none' && v !== 'default') throw new UsageError(`--risk: "${v}" is not one of none, default`);
        a.risk = v;
        a.given.add('risk');
        break;
      }
      case '--json':
        a.json = value();
        break;
      case '--html':
        a.html = value();
        break;
      case '--symbols':
        a.symbols = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        a.given.add('symbols');
        break;
      case '--start':
      case '--end': {
        const v = value();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new UsageError(`${flag}: "${v}" is not a date YYYY-MM-DD`);
        a[flag === '--start' ? 'start' : 'end'] = v;
        break;
      }
      case '--seed':
        a.seed = num(flag, value(), Number.isInteger, 'a whole number');
        break;
      case '--quiet':
        a.quiet = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument "${flag}"\n${USAGE}`);
    }
  }
  if (a.strategy === 'sma-crossover' && a.fast >= a.slow) throw new UsageError(`--fast ${a.fast} must be less than --slow ${a.slow}`);
  if (a.strategy === 'ml' && !a.model) throw new UsageError('--strategy ml needs --model models/NAME (train one with npm run train -- --out models/NAME)');
  if (a.strategy !== 'ml' && a.model) throw new UsageError(`--model is only for --strategy ml`);
  return a;
}

/** The bars, and what validation repaired, dropped or warned about (listed in the HTML report). */
function loadSeries(a: CliArgs): { series: BarSeries[]; issues: DataIssue[] } {
  if (a.csv.length === 0) return { series: syntheticMarket({ symbols: a.symbols, start: a.start, end: a.end, seed: a.seed }), issues: [] };
  const loads = a.csv.map((f) => loadCsvFile(resolve(f), { adjust: a.adjust }));
  return { series: loads.map((l) => l.series), issues: loads.flatMap((l) => l.issues) };
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

function writeHtml(path: string, r: BacktestResult, series: readonly BarSeries[], issues: readonly DataIssue[], args: CliArgs, config: Record<string, unknown>, metrics: Metrics): void {
  writeReport(
    resolve(path),
    backtestReportInput({
      result: r,
      metrics,
      title: `Backtest: ${r.strategy} on ${r.symbols.join(', ')}`,
      periodsPerYear: periodsPerYearFor(series[0].interval),
      series,
      config,
      dataSource: args.csv.length
        ? `csv: ${args.csv.join(', ')}${args.adjust ? ' (adjusted)' : ' (unadjusted)'}`
        : `synthetic market (seed ${args.seed}, ${args.start}..${args.end}; PLANTED EFFECT: oversold bounce +${(DEFAULT_OVERSOLD_BOUNCE * 100).toFixed(1)}% after RSI(14) < 35, a positive control)`,
      dataIssues: issues,
    }),
  );
}

async function makeStrategy(args: CliArgs): Promise<Strategy> {
  if (args.strategy === 'sma-crossover') return new SmaCrossover({ fast: args.fast, slow: args.slow });
  if (args.strategy === 'buy-and-hold') return new BuyAndHold();
  // Loaded lazily: it brings in tfjs, which the baselines do not need.
  const { loadMlStrategy } = await import('../lib/strategy/ml/index.js');
  const { strategy, metadata } = await loadMlStrategy(resolve(args.model!));
  if (args.csv.length === 0 && !args.given.has('symbols')) args.symbols = metadata.symbols;
  return strategy;
}

export async function main(argv: readonly string[], log: (s: string) => void = console.log): Promise<number> {
  let args: CliArgs;
  let series: BarSeries[];
  let issues: DataIssue[];
  let strategy: Strategy;
  try {
    args = parseArgs(argv);
    strategy = await makeStrategy(args);
    ({ series, issues } = loadSeries(args));
  } catch (e) {
    if (e instanceof UsageError || e instanceof DataError || e instanceof ValidationError) {
      console.error(`backtest: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const mlDefaults = args.strategy === 'ml' && !args.given.has('size');
  const sizing: SizingSpec = mlDefaults ? { method: 'fixed_fraction', fraction: DEFAULT_LIMITS.maxPositionFraction } : args.size === 'all' ? { method: 'all_in' } : { method: 'fixed_quantity', quantity: args.size };
  const limits: RiskLimits = args.risk === 'default' || (mlDefaults && !args.given.has('risk')) ? DEFAULT_LIMITS : permissiveLimits();
  let r: BacktestResult;
  try {
    r = runBacktest({
      series,
      strategy,
      initialCash: args.cash,
      fillAt: args.fillAt,
      commission: args.commission,
      slippageBps: args.slippageBps,
      limits,
      sizing,
    });
  } catch (e) {
    if (e instanceof ValidationError || e instanceof DataError) {
      console.error(`backtest: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const metrics = computeMetrics(backtestMetricsInput(r, periodsPerYearFor(series[0].interval)));
  const report: CliReport = {
    strategy: r.strategy,
    config: {
      strategy: args.strategy,
      ...(args.strategy === 'sma-crossover' ? { fast: args.fast, slow: args.slow } : {}),
      ...(args.model ? { model: args.model } : {}),
      size: mlDefaults ? `fixed_fraction ${DEFAULT_LIMITS.maxPositionFraction}` : args.size,
      risk: limits === DEFAULT_LIMITS ? 'default' : 'none',
      cash: args.cash,
      commission: args.commission,
      slippageBps: args.slippageBps,
      fillAt: args.fillAt,
      adjust: args.adjust,
    },
    data: series.map((s, i) => ({
      symbol: s.symbol,
      source: args.csv[i] ?? `synthetic(seed ${args.seed})`,
      bars: s.length,
      start: s.length ? isoDate(s.time[0]) : '',
      end: s.length ? isoDate(s.time[s.length - 1]) : '',
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
  };
  if (args.json) {
    mkdirSync(dirname(resolve(args.json)), { recursive: true });
    writeFileSync(resolve(args.json), `${JSON.stringify(report, null, 2)}\n`);
  }
  if (args.html) {
    writeHtml(args.html, r, series, issues, args, report.config, metrics);
    if (!args.quiet) log(`wrote ${args.html}`);
  }
  if (!args.quiet) {
    log(`${r.strategy} on ${r.symbols.join(', ')} ${r.start}..${r.end} (${r.bars} bars)`);
    log(`trades ${r.trades.length}, open positions ${r.openPositions.length}, final equity ${r.finalEquity} (from ${r.initialCash}), fees ${r.fees}`);
    if (r.rejectedOrders.length) log(`rejected at fill: ${r.rejectedOrders.length} (first: ${r.rejectedOrders[0].reason})`);
    if (args.json) log(`wrote ${args.json}`);
  }
  return 0;
}

if ((process.argv[1] ?? '').endsWith('backtest.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
