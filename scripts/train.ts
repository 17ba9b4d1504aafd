/**
 * npm run train -- [--csv FILE ...] [--symbols A,B] [--model rf|gbdt|mlp] [--walk-forward] --out models/NAME
 *
 * Trains a model on the default features, evaluates it out of sample against the majority-class and
 * buy-and-hold baselines, and writes the registry folder. No --csv/--symbols: the offline synthetic market.
 * --symbols loads through the config's data provider (config.yaml, or --config FILE).
 */
import { existsSync } from 'node:fs';
import { intArg, listArg, numberArg, parseCommand, runCommand, UsageError } from '../lib/cli.js';
import type { Config } from '../lib/config/schema.js';
import type { TrainOptions } from '../lib/ml/train.js';

export const SPEC = {
  name: 'train',
  usage: 'npm run train -- [--csv FILE ...] [--symbols A,B] [--model rf|gbdt|mlp] [--walk-forward] --out models/NAME',
  summary:
    'Train a model on the configured features, evaluate it out of sample against the majority-class and\n' +
    'buy-and-hold baselines, and write the registry folder. No --csv/--symbols: the offline synthetic market.',
  options: {
    out: { type: 'string', arg: 'DIR', help: 'registry folder to write (required), e.g. models/my-rf' },
    csv: { type: 'string', multiple: true, arg: 'FILE', help: 'train on a CSV file; symbol = file name' },
    symbols: { type: 'string', arg: 'A,B', help: "load these symbols through the config's data provider" },
    config: { type: 'string', arg: 'FILE', help: 'config file for strategy.ml and data settings', defaultText: 'config.yaml if present, else the built-in defaults' },
    model: { type: 'string', choices: ['rf', 'gbdt', 'mlp'], help: 'model type', defaultText: 'strategy.ml.model_type' },
    'walk-forward': { type: 'boolean', help: 'evaluate by walk-forward retraining instead of an 80/20 holdout' },
    'train-bars': { type: 'string', arg: 'N', default: '504', help: 'walk-forward training window in bars' },
    'retrain-every': { type: 'string', arg: 'N', help: 'walk-forward refit interval in bars (strategy.ml.retrain_every 0 means never: --walk-forward then needs this option)', defaultText: 'strategy.ml.retrain_every' },
    window: { type: 'string', choices: ['rolling', 'expanding'], default: 'rolling', help: 'walk-forward training window' },
    trees: { type: 'string', arg: 'N', default: '100', help: 'forest size' },
    depth: { type: 'string', arg: 'N', default: '10', help: 'tree depth' },
    epochs: { type: 'string', arg: 'N', default: '30', help: 'MLP epochs' },
    rounds: { type: 'string', arg: 'N', default: '200', help: 'GBDT boosting rounds (the most trees)' },
    leaves: { type: 'string', arg: 'N', default: '31', help: 'GBDT num_leaves' },
    'learning-rate': { type: 'string', arg: 'X', default: '0.05', help: 'GBDT learning rate in (0, 1]' },
    'early-stopping': { type: 'string', arg: 'N', default: '20', help: 'GBDT: stop after N rounds without validation improvement; 0 = off' },
    seed: { type: 'string', arg: 'N', help: 'seed', defaultText: 'strategy.ml.seed' },
    threshold: { type: 'string', arg: 'X', help: 'confidence threshold in [0.5, 1]', defaultText: 'strategy.ml.confidence_threshold' },
    quiet: { type: 'boolean', help: 'no progress bars' },
  },
} as const;

async function main(): Promise<number> {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const a = parsed.values;
  if (!a.out) throw new UsageError('--out models/NAME is required');
  if (a.csv.length && a.symbols) throw new UsageError('give --csv or --symbols, not both');
  // Options that would do nothing in this combination are refused rather than silently ignored.
  for (const k of ['train-bars', 'retrain-every', 'window'] as const) if (parsed.given.has(k) && !a['walk-forward']) throw new UsageError(`--${k} needs --walk-forward`);
  const { loadConfig, parseConfig } = await import('../lib/config/load.js');
  const configPath = a.config ?? (existsSync('config.yaml') ? 'config.yaml' : null);
  const config: Config = configPath ? loadConfig(configPath) : parseConfig({});
  const ml = config.strategy.ml;
  const model = (a.model ?? ml.model_type) as 'rf' | 'gbdt' | 'mlp';
  const seed = a.seed === undefined ? ml.seed : numberArg('seed', a.seed, 'a whole number', Number.isInteger);
  const threshold = a.threshold === undefined ? ml.confidence_threshold : numberArg('threshold', a.threshold, 'a number in [0.5, 1]', (x) => x >= 0.5 && x <= 1);
  for (const [k, kind] of [['trees', 'rf'], ['depth', 'rf'], ['epochs', 'mlp'], ['rounds', 'gbdt'], ['leaves', 'gbdt'], ['learning-rate', 'gbdt'], ['early-stopping', 'gbdt']] as const) if (parsed.given.has(k) && model !== kind) throw new UsageError(`--${k} is for --model ${kind} (training ${model})`);
  const rf = { nEstimators: intArg('trees', a.trees), maxDepth: intArg('depth', a.depth) };
  const epochs = intArg('epochs', a.epochs);
  const gbdt = {
    nEstimators: intArg('rounds', a.rounds),
    numLeaves: intArg('leaves', a.leaves, 2),
    learningRate: numberArg('learning-rate', a['learning-rate'], 'a number in (0, 1]', (x) => x > 0 && x <= 1),
    earlyStoppingRounds: intArg('early-stopping', a['early-stopping'], 0),
  };
  const walk = a['walk-forward']
    ? { trainBars: intArg('train-bars', a['train-bars'], 2), retrainEvery: a['retrain-every'] === undefined ? walkForwardInterval(ml.retrain_every) : intArg('retrain-every', a['retrain-every']), window: a.window as 'rolling' | 'expanding' }
    : undefined;
  const { formatEvaluation, formatReliability, saveTrainResult, trainModel, trainOptionsFromConfig } = await import('../lib/ml/index.js');
  const { formatPromotion, promoteOptionsFromConfig, promoteTrainResult } = await import('../lib/strategy/ml/index.js');

  const { loadCommandSeries } = await import('../lib/data/command-series.js');
  const { series, source, data } = await loadCommandSeries(config.data, a.csv, a.symbols ? listArg(a.symbols) : null);
  const opts: TrainOptions = {
    ...trainOptionsFromConfig(ml),
    model,
    seed,
    threshold,
    rf,
    mlp: { epochs },
    gbdt,
    silent: a.quiet,
    walkForward: walk,
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
  const meta = await saveTrainResult(a.out, r, { source, threshold, data, gate: promotion.gate, backtest: promotion.backtest.summary });
  console.log(`wrote ${a.out}/ (${meta.modelFiles.join(', ')}, metadata.json, predictions.csv)${promotion.gate.verdict.promotable ? '' : ': registered but NOT promotable (the runner refuses it)'}`);
  if ('dispose' in r.model) r.model.dispose();
  return 0;
}

/** A walk-forward needs a refit interval; strategy.ml.retrain_every 0 means "never", not a default. */
function walkForwardInterval(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--walk-forward needs --retrain-every N >= 1 (strategy.ml.retrain_every is ${n}: the runner never retrains; train without --walk-forward for a holdout)`);
  return n;
}

// Run only as the command: tests import SPEC.
if ((process.argv[1] ?? '').endsWith('train.ts')) runCommand('train', main);
