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
import { chronologicalSplit, threeBlockSplit, type TimeSplit, type ThreeBlockSplit } from './splits.js';
import type { StoredGate } from './gate.js';
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
  /**
   * Holdout only: a selection block of this fraction of the time axis just before the test block (three
   * blocks: train | selection | test). Choose among candidates on `selection`, report the chosen one on the
   * test block only. Default 0: two blocks.
   */
  selectionFraction?: number;
  /** Bars purged between blocks (default: the label horizon). */
  purge?: number;
  /** Evaluate by walk-forward retraining instead of one holdout split. */
  walkForward?: {
    trainBars: number;
    retrainEvery: number;
    window?: 'rolling' | 'expanding';
    /**
     * Where on the time axis (fraction) the saved model's training ends, minus the purge (default 1: the latest
     * window). Below 1 the bars after it are out of sample for the saved model: a runner replaying them starts
     * from this model and retrains every `retrain_every` bars, as the walk-forward did.
     */
    modelCutoff?: number;
  };
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

/**
 * How the demo and the runner's first start evaluate a model: the live strategy's own schedule. With
 * `retrain_every` > 0, a walk-forward refitting every `retrain_every` bars on the last `lookback` bars, so the
 * out-of-sample record is the record of exactly what the runner will do; the saved model stops at `modelCutoff`
 * (default 0.8) and a replay trades the rest, retraining as it goes. With `retrain_every: 0` (never retrain) the
 * live model is one fixed fit, so its record is a holdout: train on the first 80 %, judge on the last 20 %.
 */
export function evaluationFromConfig(ml: Pick<StrategyConfig['ml'], 'lookback' | 'retrain_every'>, modelCutoff = 0.8): Pick<TrainOptions, 'walkForward' | 'testFraction'> {
  if (ml.retrain_every === 0) return { testFraction: 1 - modelCutoff };
  return { walkForward: { trainBars: ml.lookback, retrainEvery: ml.retrain_every, window: 'rolling', modelCutoff } };
}

/** Words for evaluationFromConfig's procedure, for consoles and logs. */
export function describeEvaluation(e: Pick<TrainOptions, 'walkForward' | 'testFraction'>): string {
  return e.walkForward
    ? `walk-forward: refit every ${e.walkForward.retrainEvery} bars on the last ${e.walkForward.trainBars} (the runner's live schedule)`
    : `holdout: fit once, judged on the last ${Math.round((e.testFraction ?? 0.2) * 100)}% (retrain_every 0: the runner never retrains)`;
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
  /** Three-block holdout (selectionFraction > 0): `split` is this too. */
  blocks?: ThreeBlockSplit;
  /** P(class 1) on the selection block's rows (NaN elsewhere); only with selectionFraction > 0. */
  selectionProb?: Float64Array;
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
  let blocks: ThreeBlockSplit | undefined;
  let selectionProb: Float64Array | undefined;
  let wf: WalkForwardResult | undefined;
  if (opts.walkForward) {
    const w = opts.walkForward;
    wf = await walkForward(d.X, d.y, d.time, () => makeModel({ ...opts, silent: true }), {
      ...w,
      purge,
      progress: (n) => progressBar('walk-forward', n, { silent }),
    });
    oosProb = wf.prob;
    // The model to keep: fitted on the window ending at the cut-off (default: the most recent window, as the
    // walk-forward would refit next), `purge` bars short of it so its last label resolves before the cut-off.
    const times = [...new Set(Array.from(d.time))].sort((a, b) => a - b);
    const cutoff = w.modelCutoff ?? 1;
    if (!(cutoff > 0 && cutoff <= 1)) throw new ValidationError('walkForward.modelCutoff', 'is not in (0, 1]', cutoff);
    const end = cutoff === 1 ? times.length : Math.floor(times.length * cutoff) - purge;
    const start = (w.window ?? 'rolling') === 'rolling' ? Math.max(0, end - w.trainBars) : 0;
    if (end - start < 1) throw new ValidationError('walkForward.modelCutoff', `leaves no bars to fit the saved model on (${times.length} bars)`, cutoff);
    const from = times[start];
    const to = times[end - 1];
    trainRows = Int32Array.from(Array.from(d.time.keys()).filter((i) => d.time[i] >= from && d.time[i] <= to));
  } else if (opts.selectionFraction) {
    blocks = threeBlockSplit(d.time, { selectionFraction: opts.selectionFraction, testFraction: opts.testFraction ?? 0.2, purge });
    split = blocks;
    trainRows = blocks.train;
    oosProb = new Float64Array(d.X.rows).fill(NaN);
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
  if (blocks) {
    const sp = new Float64Array(d.X.rows).fill(NaN);
    const p = model.predictPositive(subset(d, blocks.selection).X);
    blocks.selection.forEach((r, k) => (sp[r] = p[k]));
    selectionProb = sp;
  }
  const evaluation = evaluate(oosProb, d.y, { threshold, forwardReturn: d.nextBarReturn, time: d.time });
  const importances =
    model instanceof RandomForestClassifier
      ? Array.from(model.featureImportances(), (v, j) => ({ feature: d.features[j], importance: v })).sort((a, b) => b.importance - a.importance)
      : undefined;
  return { model, dataset: d, trainRows, oosProb, evaluation, split, blocks, selectionProb, walkForward: wf, importances, purge };
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

/** Backtest figures after costs (from the engine) that the metadata records next to the classifier metrics. */
export interface BacktestSummary {
  from: string;
  to: string;
  totalReturn: number;
  buyHoldReturn: number | null;
  sharpe: number | null;
  maxDrawdown: number | null;
  trades: number;
  fees: string;
}

export interface SaveTrainOptions {
  name?: string;
  source?: string;
  threshold?: number;
  /** The promotion gate's result on this model's out-of-sample predictions. */
  gate?: StoredGate;
  /** Engine backtest of the out-of-sample predictions after costs. */
  backtest?: BacktestSummary;
  /** What the data is (provider, symbols; for synthetic data its seed and planted effect). */
  data?: Record<string, unknown>;
}

/** Write the registry folder: model files, metadata.json and the out-of-sample predictions. */
export async function saveTrainResult(dir: string, r: TrainResult, opts: SaveTrainOptions = {}): Promise<ModelMetadata> {
  const d = r.dataset;
  const sub = subset(d, r.trainRows);
  const e = r.evaluation;
  const meta = await saveModel(dir, r.model, {
    name: opts.name,
    features: featureSpec(d.features),
    label: { ...d.label },
    symbols: d.symbols,
    trainingWindow: {
      start: isoDate(sub.time[0]),
      end: isoDate(sub.time[sub.time.length - 1]),
      rows: sub.X.rows,
      endTime: new Date(sub.time[sub.time.length - 1]).toISOString(),
    },
    dataHash: dataHash(sub.X, sub.y),
    seed: r.model.params.seed,
    metrics: {
      evaluation: r.walkForward ? 'walk-forward' : r.blocks ? 'test block (three blocks)' : 'holdout',
      rows: e.n,
      accuracy: e.accuracy,
      majorityAccuracy: e.majorityAccuracy,
      beatsBaseRate: e.beatsBaseRate,
      auc: e.auc,
      logLoss: e.logLoss,
      brier: e.reliability.brier,
      ece: e.reliability.ece,
      calibration: e.reliability.bins.filter((b) => b.count > 0).map((b) => ({ bin: `${b.lo.toFixed(1)}-${b.hi.toFixed(1)}`, n: b.count, predicted: b.meanPredicted, observed: b.observed })),
      confidenceThreshold: e.confident.threshold,
      confidentSignals: e.confident.signals,
      confidentPrecision: e.confident.precision,
      ...(opts.backtest ? { backtestAfterCosts: opts.backtest } : {}),
      verdict: e.verdict,
      ...(r.importances ? { importances: Object.fromEntries(r.importances.map((x) => [x.feature, x.importance])) } : {}),
    },
    ...(opts.gate ? { gate: opts.gate } : {}),
    extra: {
      source: opts.source ?? 'unknown',
      ...(opts.data ? { data: opts.data } : {}),
      predictionsFile: PREDICTIONS_FILE,
      ...(r.split ? { split: { purge: r.purge, testWindow: r.split.testWindow.map(isoDate), ...(r.blocks ? { selectionWindow: r.blocks.selectionWindow.map(isoDate) } : {}) } } : {}),
      ...(r.walkForward ? { walkForward: { folds: r.walkForward.folds.length, purge: r.purge, firstPredicted: isoDate(r.walkForward.firstPredictedTime) } } : {}),
    },
  });
  writeFileSync(join(dir, PREDICTIONS_FILE), predictionsCsv(r));
  return meta;
}
