/**
 * npm run import-lightgbm -- --model model.txt --from YYYY-MM-DD --out models/NAME [--csv FILE ... | --symbols A,B]
 *
 * Registers a LightGBM model trained in Python (booster.save_model text file) so the ML strategy and the
 * runner can trade it: checks its feature_names against this library's features, evaluates it out of sample
 * on the bars from --from on, and writes the registry folder (lightgbm.txt, metadata.json, predictions.csv).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { BarSeries } from '../lib/core/bars.js';
import { loadConfig, parseConfig } from '../lib/config/index.js';
import { loadSymbols, providerFromConfig, readCsvFile, syntheticMarket } from '../lib/data/index.js';
import { formatEvaluation, importLightGbm } from '../lib/ml/index.js';

const HELP = `usage: npm run import-lightgbm -- --model FILE --from YYYY-MM-DD --out models/NAME [--csv FILE ... | --symbols A,B]
  --model FILE       LightGBM text model (Python: booster.save_model("model.txt")); binary objective,
                     feature_names = this library's feature names in column order (npm run features -- --list)
  --from DATE        first bar the model was NOT trained on: evaluation and trading start there
  --out DIR          registry folder to write (then: strategy.ml.model: DIR in config.yaml)
  --csv FILE         evaluate on a CSV file (repeatable); symbol = file name
  --symbols A,B      evaluate on symbols loaded through the config's data provider
  --config FILE      config file (default config.yaml if present): label, threshold, data provider
  --threshold X      confidence threshold (default strategy.ml.confidence_threshold)
  --help             this text
Without --csv/--symbols the offline synthetic market of the config is used.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'string', multiple: true },
      symbols: { type: 'string' },
      config: { type: 'string' },
      threshold: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  for (const k of ['model', 'from', 'out'] as const) if (!values[k]) throw new Error(`--${k} is required\n${HELP}`);
  const configPath = values.config ?? (existsSync('config.yaml') ? 'config.yaml' : null);
  const config = configPath ? loadConfig(configPath) : parseConfig({});
  const ml = config.strategy.ml;
  const threshold = values.threshold === undefined ? ml.confidence_threshold : Number(values.threshold);
  if (!(threshold >= 0.5 && threshold <= 1)) throw new Error(`--threshold: "${values.threshold}" is not in [0.5, 1]`);
  let series: BarSeries[];
  let source: string;
  if (values.csv?.length) {
    series = values.csv.map((f) => readCsvFile(f, { adjust: config.data.adjust }));
    source = `csv: ${values.csv.map((f) => basename(f)).join(', ')}`;
  } else if (values.symbols) {
    const symbols = values.symbols.split(',').map((s) => s.trim()).filter(Boolean);
    const provider = providerFromConfig(config.data);
    series = await loadSymbols(provider, symbols, { start: config.data.start, end: config.data.end, interval: config.data.interval });
    source = `${provider.name}: ${symbols.join(', ')}`;
  } else {
    series = syntheticMarket({ seed: config.data.synthetic.seed, oversoldBounce: config.data.synthetic.oversold_bounce });
    source = `synthetic (seed ${config.data.synthetic.seed})`;
  }
  const modelFile = values.model!;
  if (!existsSync(modelFile)) throw new Error(`--model: ${modelFile} does not exist`);
  const { metadata, evaluation } = await importLightGbm(values.out!, readFileSync(modelFile, 'utf8'), series, {
    from: values.from!,
    threshold,
    label: { horizon: ml.label.horizon, threshold: ml.label.threshold },
    source,
    file: modelFile,
  });
  console.log(formatEvaluation(evaluation, `out of sample from ${values.from} (${source})`));
  console.log(`wrote ${values.out}/ (${metadata.modelFiles.join(', ')}, metadata.json, predictions.csv): set strategy.ml.model: ${values.out} to trade it`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
