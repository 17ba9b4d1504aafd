/**
 * npm run import-lightgbm -- --model model.txt --from YYYY-MM-DD --out models/NAME [--csv FILE ... | --symbols A,B]
 *
 * Registers a LightGBM model trained in Python (booster.save_model text file) so the ML strategy and the
 * runner can trade it: checks its feature_names against this library's features, evaluates it out of sample
 * on the bars from --from on, and writes the registry folder (lightgbm.txt, metadata.json, predictions.csv).
 * Exit 2 for a wrong command line, 1 for a failure (a model or data file it cannot use).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dateArg, listArg, numberArg, parseCommand, runCommand, UsageError } from '../lib/cli.js';
import type { Config } from '../lib/config/schema.js';

export const SPEC = {
  name: 'import-lightgbm',
  usage: 'npm run import-lightgbm -- --model FILE --from YYYY-MM-DD --out models/NAME [--csv FILE ... | --symbols A,B]',
  summary:
    'Register a LightGBM model trained in Python so the ML strategy and the runner can trade it: check its\n' +
    "feature_names against this library's features, evaluate it out of sample from --from on, and write the\n" +
    'registry folder. Without --csv/--symbols the offline synthetic market of the config is used.',
  options: {
    model: { type: 'string', arg: 'FILE', help: 'LightGBM text model (Python: booster.save_model("model.txt")); binary objective, feature_names = this library\'s feature names in column order (npm run features -- --list); required' },
    from: { type: 'string', arg: 'YYYY-MM-DD', help: 'first bar the model was NOT trained on: evaluation and trading start there; required' },
    out: { type: 'string', arg: 'DIR', help: 'registry folder to write (then: strategy.ml.model: DIR in config.yaml); required' },
    csv: { type: 'string', multiple: true, arg: 'FILE', help: 'evaluate on a CSV file; symbol = file name' },
    symbols: { type: 'string', arg: 'A,B', help: "evaluate on symbols loaded through the config's data provider" },
    config: { type: 'string', arg: 'FILE', help: 'label, threshold, data provider and time zone', defaultText: 'config.yaml if present, else the built-in defaults' },
    threshold: { type: 'string', arg: 'X', help: 'confidence threshold in [0.5, 1]', defaultText: 'strategy.ml.confidence_threshold' },
  },
} as const;

async function main(): Promise<number> {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const a = parsed.values;
  for (const k of ['model', 'from', 'out'] as const) if (!a[k]) throw new UsageError(`--${k} is required`);
  const from = dateArg('from', a.from!);
  if (a.csv.length && a.symbols) throw new UsageError('give --csv or --symbols, not both');
  if (!existsSync(a.model!)) throw new UsageError(`--model: ${a.model} does not exist`);
  const threshold = a.threshold === undefined ? undefined : numberArg('threshold', a.threshold, 'a number in [0.5, 1]', (x) => x >= 0.5 && x <= 1);
  const { loadConfig, parseConfig } = await import('../lib/config/load.js');
  const configPath = a.config ?? (existsSync('config.yaml') ? 'config.yaml' : null);
  const config: Config = configPath ? loadConfig(configPath) : parseConfig({});
  const ml = config.strategy.ml;
  const { loadCommandSeries } = await import('../lib/data/command-series.js');
  const { series, source } = await loadCommandSeries(config.data, a.csv, a.symbols ? listArg(a.symbols) : null);
  const { formatEvaluation, importLightGbm } = await import('../lib/ml/index.js');
  const { metadata, evaluation } = await importLightGbm(a.out!, readFileSync(a.model!, 'utf8'), series, {
    from,
    threshold: threshold ?? ml.confidence_threshold,
    label: { horizon: ml.label.horizon, threshold: ml.label.threshold },
    source,
    file: a.model!,
  });
  console.log(formatEvaluation(evaluation, `out of sample from ${from} (${source})`));
  console.log(`wrote ${a.out}/ (${metadata.modelFiles.join(', ')}, metadata.json, predictions.csv): set strategy.ml.model: ${a.out} to trade it`);
  return 0;
}

// Run only as the command: tests import SPEC.
if ((process.argv[1] ?? '').endsWith('import-lightgbm.ts')) runCommand('import-lightgbm', main);
