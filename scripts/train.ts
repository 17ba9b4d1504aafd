/**
 * npm run train -- [--csv FILE ...] [--symbols A,B] [--model rf|mlp] [--walk-forward] --out models/NAME
 *
 * Trains a model on the default features, evaluates it out of sample against the majority-class and
 * buy-and-hold baselines, and writes the registry folder. No --csv/--symbols: the offline synthetic market.
 * --symbols loads through the config's data provider (config.yaml, or --config FILE).
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { describeData, loadConfig, parseConfig, type Config } from '../lib/config/index.js';
import { loadSymbols, providerFromConfig, readCsvFile, syntheticMarket } from '../lib/data/index.js';
import { formatEvaluation, formatReliability, saveTrainResult, trainModel, trainOptionsFromConfig, type TrainOptions } from '../lib/ml/index.js';
import { formatPromotion, promoteOptionsFromConfig, promoteTrainResult } from '../lib/strategy/ml/index.js';

const HELP = `usage: npm run train -- [--csv FILE ...] [--symbols A,B] [--model rf|mlp] [--walk-forward] --out models/NAME
  --csv FILE            train on a CSV file (repeatable); symbol = file name
  --symbols A,B         load symbols through the config's data provider
  --config FILE         config file (default config.yaml if present)
  --model rf|mlp        model type (default: strategy.ml.model_type)
  --walk-forward        evaluate by walk-forward retraining instead of an 80/20 holdout
  --train-bars N        walk-forward training window in bars (default 504)
  --retrain-every N     walk-forward refit interval in bars (default: strategy.ml.retrain_every; 0 there means
                        never, and --walk-forward then needs this option)
  --window rolling|expanding
  --trees N --depth N   forest size (default 100, 10)
  --epochs N            MLP epochs (default 30)
  --seed N              seed (default strategy.ml.seed)
  --threshold X         confidence threshold (default strategy.ml.confidence_threshold)
  --quiet               no progress bars`;

interface Args {
  csv: string[];
  symbols: string[];
  flags: Map<string, string>;
  bools: Set<string>;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { csv: [], symbols: [], flags: new Map(), bools: new Set() };
  const boolean = new Set(['walk-forward', 'quiet', 'help']);
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i];
    if (!t.startsWith('--')) throw new Error(`unexpected argument "${t}"\n${HELP}`);
    const key = t.slice(2);
    if (boolean.has(key)) {
      a.bools.add(key);
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${key} needs a value\n${HELP}`);
    if (key === 'csv') a.csv.push(v);
    else if (key === 'symbols') a.symbols.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
    else a.flags.set(key, v);
  }
  return a;
}

function num(a: Args, key: string, fallback: number): number {
  const v = a.flags.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key}: "${v}" is not a number`);
  return n;
}

/** A walk-forward needs a refit interval; strategy.ml.retrain_every 0 means "never", not a default of 21. */
function walkForwardInterval(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--walk-forward needs --retrain-every N >= 1 (strategy.ml.retrain_every is ${n}: the runner never retrains; train without --walk-forward for a holdout)`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.bools.has('help')) {
    console.log(HELP);
    return;
  }
  const known = new Set(['config', 'model', 'out', 'train-bars', 'retrain-every', 'window', 'trees', 'depth', 'epochs', 'seed', 'threshold']);
  for (const k of args.flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${HELP}`);
  const configPath = args.flags.get('config') ?? (existsSync('config.yaml') ? 'config.yaml' : null);
  const config: Config = configPath ? loadConfig(configPath) : parseConfig({});
  const ml = config.strategy.ml;
  const out = args.flags.get('out');
  if (!out) throw new Error(`--out models/NAME is required\n${HELP}`);
  const model = (args.flags.get('model') ?? ml.model_type) as 'rf' | 'mlp';
  if (model !== 'rf' && model !== 'mlp') throw new Error(`--model: "${model}" is not rf or mlp`);

  let series: BarSeries[];
  let source: string;
  let data: Record<string, unknown> | undefined;
  if (args.csv.length) {
    series = args.csv.map((f) => readCsvFile(f, { adjust: config.data.adjust }));
    source = `csv: ${args.csv.map((f) => basename(f)).join(', ')}`;
  } else if (args.symbols.length) {
    const provider = providerFromConfig(config.data);
    series = await loadSymbols(provider, args.symbols, { start: config.data.start, end: config.data.end, interval: config.data.interval });
    source = `${provider.name}: ${args.symbols.join(', ')}`;
  } else {
    series = syntheticMarket({ seed: config.data.synthetic.seed, oversoldBounce: config.data.synthetic.oversold_bounce });
    const described = describeData({ ...config.data, provider: 'synthetic', symbols: series.map((s) => s.symbol) });
    source = described.summary;
    data = { ...described };
  }
  const seed = num(args, 'seed', ml.seed);
  const threshold = num(args, 'threshold', ml.confidence_threshold);
  const opts: TrainOptions = {
    ...trainOptionsFromConfig(ml),
    model,
    seed,
    threshold,
    rf: { nEstimators: num(args, 'trees', 100), maxDepth: num(args, 'depth', 10) },
    mlp: { epochs: num(args, 'epochs', 30) },
    silent: args.bools.has('quiet'),
    walkForward: args.bools.has('walk-forward')
      ? {
          trainBars: num(args, 'train-bars', 504),
          retrainEvery: walkForwardInterval(num(args, 'retrain-every', ml.retrain_every)),
          window: (args.flags.get('window') ?? 'rolling') as 'rolling' | 'expanding',
        }
      : undefined,
  };
  console.log(`training ${model} on ${source} (${series.reduce((k, s) => k + s.length, 0)} bars)`);
  const t0 = performance.now();
  const r = await trainModel(series, opts);
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const d = r.dataset;
  console.log(`${d.X.rows} rows x ${d.X.cols} features; label: ${d.label.horizon}-bar return > ${d.label.threshold}; trained in ${secs} s`);
  if (r.walkForward) console.log(`walk-forward: ${r.walkForward.folds.length} refits, out-of-sample from ${new Date(r.walkForward.firstPredictedTime).toISOString().slice(0, 10)}`);
  console.log(formatEvaluation(r.evaluation, r.walkForward ? 'walk-forward out-of-sample' : 'holdout test (last 20%, purged)'));
  console.log('reliability (out-of-sample):');
  console.log(formatReliability(r.evaluation.reliability));
  if (r.importances) console.log(`top features: ${r.importances.slice(0, 5).map((x) => `${x.feature} ${x.importance.toFixed(3)}`).join(', ')}`);
  // Returns come from the engine with the configured costs and limits; the gate judges the out-of-sample record.
  const promotion = promoteTrainResult(r, series, { ...promoteOptionsFromConfig(config), threshold });
  console.log(formatPromotion(promotion));
  const meta = await saveTrainResult(out, r, { source, threshold, data, gate: promotion.gate, backtest: promotion.backtest.summary });
  console.log(`wrote ${out}/ (${meta.modelFiles.join(', ')}, metadata.json, predictions.csv)${promotion.gate.verdict.promotable ? '' : ': registered but NOT promotable (the runner refuses it)'}`);
  if ('dispose' in r.model) r.model.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
