/**
 * Bring a LightGBM model trained in Python into the registry so the runner can trade it: the model file is
 * kept byte for byte (lightgbm.txt), its feature_names must be feature names of this library (same order as
 * the model's columns), and it is evaluated out of sample on bars from `from` on (bars the Python side did not
 * train on: the caller vouches for that date). The registry folder then looks like any trained model's:
 * metadata.json with the out-of-sample metrics the promotion checks read, predictions.csv with drivers.
 */
import { isoDate, type BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { featureSpec, resolveFeatureNames } from '../features/index.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './calibration.js';
import { buildDataset, subset, type LabelSpec } from './dataset.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { LightGbmModel } from './lightgbm.js';
import { dataHash, saveModel, type ModelMetadata } from './registry.js';
import { driversText, evaluationMetrics, predictionsCsv, PREDICTIONS_FILE } from './train.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ImportLightGbmOptions {
  /** First bar (ISO date) the model did not train on: evaluation and predictions start here. */
  from: string;
  label?: Partial<LabelSpec>;
  threshold?: number;
  name?: string;
  source?: string;
  /** Where the model file came from, for error messages. */
  file?: string;
}

export async function importLightGbm(dir: string, text: string, series: readonly BarSeries[], opts: ImportLightGbmOptions): Promise<{ metadata: ModelMetadata; evaluation: Evaluation }> {
  const file = opts.file ?? 'lightgbm model';
  const model = LightGbmModel.fromText(text, file);
  const features = resolveFeatureNames(model.features, `${file}: feature_names`);
  const from = Date.parse(`${opts.from}T00:00:00Z`);
  if (!Number.isFinite(from)) throw new ValidationError('from', 'is not a date (YYYY-MM-DD)', opts.from);
  const threshold = opts.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const d = buildDataset(series, { features, label: opts.label });
  const rows = Int32Array.from(Array.from(d.time.keys()).filter((i) => d.time[i] >= from));
  if (rows.length === 0) throw new ValidationError('from', `leaves no rows to evaluate on (data ends ${isoDate(d.time[d.time.length - 1])})`, opts.from);
  const sub = subset(d, rows);
  const p = model.predictPositive(sub.X);
  const oosProb = new Float64Array(d.X.rows).fill(NaN);
  rows.forEach((r, k) => (oosProb[r] = p[k]));
  const drivers = new Array<string>(d.X.rows).fill('');
  const hot = Array.from(rows).filter((_, k) => p[k] >= threshold);
  if (hot.length) {
    const e = model.explain(subset(d, hot).X);
    hot.forEach((r, k) => (drivers[r] = driversText(e, k, features, 'lightgbm')));
  }
  const evaluation = evaluate(oosProb, d.y, { threshold, forwardReturn: d.nextBarReturn, time: d.time });
  const metadata = await saveModel(dir, model, {
    name: opts.name,
    features: featureSpec(features),
    label: { ...d.label },
    symbols: d.symbols,
    // trained in Python: only its end is known (the day before `from`), which keeps live predictions out of sample
    trainingWindow: { start: 'unknown', end: isoDate(from - 86_400_000), rows: 0 },
    dataHash: dataHash(sub.X, sub.y),
    seed: 0,
    metrics: evaluationMetrics(evaluation, 'holdout'),
    extra: { source: opts.source ?? 'unknown', importedFrom: file, lightgbmVersion: model.info.version, objective: model.info.objective, evaluatedFrom: opts.from, predictionsFile: PREDICTIONS_FILE },
  });
  writeFileSync(join(dir, PREDICTIONS_FILE), predictionsCsv({ dataset: d, oosProb, drivers }));
  return { metadata, evaluation };
}
