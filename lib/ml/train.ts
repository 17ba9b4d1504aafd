/**
 * The training pipeline behind `npm run train` and the notebooks: dataset -> chronological split with a
 * purge gap (or walk-forward) -> fit -> evaluation against the baselines -> registry folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoDate, type BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { featureSpec } from '../features/index.js';
import { buildDataset, subset, type Dataset, type LabelSpec } from './dataset.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { RandomForestClassifier, type ForestParams } from './forest.js';
import { MlpClassifier, type MlpParams } from './mlp.js';
import type { ModelKind } from './model.js';
import { progressBar } from './progress.js';
import { dataHash, saveModel, type ModelMetadata } from './registry.js';
import { chronologicalSplit, type TimeSplit } from './splits.js';
import { walkForward, type WalkForwardResult } from './walkforward.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './calibration.js';
import type { StrategyConfig } from '../config/schema.js';

export const PREDICTIONS_FILE = 'predictions.csv';

export interface TrainOptions {
  model: ModelKind;
  rf?: Partial<ForestParams>;
  mlp?: Partial<MlpParams>;
  features?: readonly string[];
  label?: Partial<LabelSpec>;
  seed?: number;
  /** Holdout evaluation: last fraction of the time axis (default 0.2). */
  testFraction?: number;
  /** Bars purged between train and test (default: the label horizon). */
  purge?: number;
  /** Evaluate by walk-forward retraining instead of one holdout split. */
  walkForward?: { trainBars: number; retrainEvery: number; window?: 'rolling' | 'expanding' };
  threshold?: number;
  silent?: boolean;
}

/** Training options as config.yaml's `strategy.ml` states them: model type, seed, threshold, features, label. */
export function trainOptionsFromConfig(ml: StrategyConfig['ml']): TrainOptions {
  return {
    model: ml.model_type,
    seed: ml.seed,
    threshold: ml.confidence_threshold,
    features: ml.features,
    label: { horizon: ml.label.horizon, threshold: ml.label.threshold },
  };
}

export type TrainedModel = RandomForestClassifier | MlpClassifier;

export interface TrainResult {
  model: TrainedModel;
  dataset: Dataset;
  /** Rows the saved model was fitted on. */
  trainRows: Int32Array;
  /** Out-of-sample probability per dataset row (NaN where none). */
  oosProb: Float64Array;
  evaluation: Evaluation;
  split?: TimeSplit;
  walkForward?: WalkForwardResult;
  importances?: Array<{ feature: string; importance: number }>;
  /** Bars purged between training and prediction. */
  purge: number;
}

function makeModel(opts: TrainOptions): TrainedModel {
  const seed = opts.seed ?? 42;
  return opts.model === 'rf' ? new RandomForestClassifier({ seed, ...opts.rf }) : new MlpClassifier({ seed, ...opts.mlp });
}

async function fitWithProgress(model: TrainedModel, d: Dataset, rows: Int32Array, label: string, silent: boolean): Promise<void> {
  const sub = subset(d, rows);
  const total = model instanceof RandomForestClassifier ? model.params.nEstimators : model.params.epochs;
  const bar = progressBar(label, total, { silent });
  try {
    await model.fit(sub.X, sub.y, { onProgress: (k) => bar.update(k) });
  } finally {
    bar.stop();
  }
}

export async function trainModel(series: readonly BarSeries[], opts: TrainOptions): Promise<TrainResult> {
  if (opts.model !== 'rf' && opts.model !== 'mlp') throw new ValidationError('model', "is not 'rf' or 'mlp'", opts.model);
  const d = buildDataset(series, { features: opts.features, label: opts.label });
  if (d.X.rows < 50) throw new ValidationError('dataset', `has only ${d.X.rows} complete rows; give more bars`, d.X.rows);
  const purge = opts.purge ?? d.label.horizon;
  const threshold = opts.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const silent = opts.silent ?? false;
  const model = makeModel(opts);
  let oosProb: Float64Array;
  let trainRows: Int32Array;
  let split: TimeSplit | undefined;
  let wf: WalkForwardResult | undefined;
  if (opts.walkForward) {
    const w = opts.walkForward;
    wf = await walkForward(d.X, d.y, d.time, () => makeModel({ ...opts, silent: true }), {
      ...w,
      purge,
      progress: (n) => progressBar('walk-forward', n, { silent }),
    });
    oosProb = wf.prob;
    // The model to keep: fitted on the most recent window, as the walk-forward would refit next.
    const times = [...new Set(Array.from(d.time))].sort((a, b) => a - b);
    const end = times.length;
    const start = (w.window ?? 'rolling') === 'rolling' ? Math.max(0, end - w.trainBars) : 0;
    const from = times[start];
    trainRows = Int32Array.from(Array.from(d.time.keys()).filter((i) => d.time[i] >= from));
  } else {
    split = chronologicalSplit(d.time, { testFraction: opts.testFraction ?? 0.2, purge });
    trainRows = split.train;
    oosProb = new Float64Array(d.X.rows).fill(NaN);
  }
  await fitWithProgress(model, d, trainRows, `fit ${opts.model}`, silent);
  if (split) {
    const p = model.predictPositive(subset(d, split.test).X);
    split.test.forEach((r, k) => (oosProb[r] = p[k]));
  }
  const evaluation = evaluate(oosProb, d.y, { threshold, forwardReturn: d.nextBarReturn, time: d.time });
  const importances =
    model instanceof RandomForestClassifier
      ? Array.from(model.featureImportances(), (v, j) => ({ feature: d.features[j], importance: v })).sort((a, b) => b.importance - a.importance)
      : undefined;
  return { model, dataset: d, trainRows, oosProb, evaluation, split, walkForward: wf, importances, purge };
}

/** Out-of-sample probabilities as CSV rows `date,symbol,prob` (what a backtest of the model trades). */
export function predictionsCsv(r: TrainResult): string {
  const lines = ['time,symbol,prob'];
  const d = r.dataset;
  for (let i = 0; i < d.X.rows; i++) {
    if (Number.isNaN(r.oosProb[i])) continue;
    lines.push(`${new Date(d.time[i]).toISOString()},${d.symbols[d.symbolIndex[i]]},${r.oosProb[i]}`);
  }
  return lines.join('\n') + '\n';
}

/** Write the registry folder: model files, metadata.json and the out-of-sample predictions. */
export async function saveTrainResult(dir: string, r: TrainResult, opts: { name?: string; source?: string; threshold?: number } = {}): Promise<ModelMetadata> {
  const d = r.dataset;
  const sub = subset(d, r.trainRows);
  const e = r.evaluation;
  const meta = await saveModel(dir, r.model, {
    name: opts.name,
    features: featureSpec(d.features),
    label: { ...d.label },
    symbols: d.symbols,
    trainingWindow: { start: isoDate(sub.time[0]), end: isoDate(sub.time[sub.time.length - 1]), rows: sub.X.rows },
    dataHash: dataHash(sub.X, sub.y),
    seed: r.model.params.seed,
    metrics: {
      evaluation: r.walkForward ? 'walk-forward' : 'holdout',
      rows: e.n,
      accuracy: e.accuracy,
      majorityAccuracy: e.majorityAccuracy,
      beatsBaseRate: e.beatsBaseRate,
      auc: e.auc,
      logLoss: e.logLoss,
      brier: e.reliability.brier,
      ece: e.reliability.ece,
      confidenceThreshold: e.confident.threshold,
      confidentSignals: e.confident.signals,
      confidentPrecision: e.confident.precision,
      buyHoldReturn: e.buyHoldReturn,
      confidentLongReturn: e.strategyReturn,
      verdict: e.verdict,
      ...(r.importances ? { importances: Object.fromEntries(r.importances.map((x) => [x.feature, x.importance])) } : {}),
    },
    extra: {
      source: opts.source ?? 'unknown',
      predictionsFile: PREDICTIONS_FILE,
      ...(r.split ? { split: { purge: r.purge, testWindow: r.split.testWindow.map(isoDate) } } : {}),
      ...(r.walkForward ? { walkForward: { folds: r.walkForward.folds.length, purge: r.purge, firstPredicted: isoDate(r.walkForward.firstPredictedTime) } } : {}),
    },
  });
  writeFileSync(join(dir, PREDICTIONS_FILE), predictionsCsv(r));
  return meta;
}
