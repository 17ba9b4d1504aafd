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
import { GbdtClassifier, type GbdtParams } from './gbdt.js';
import { MlpClassifier, type MlpParams } from './mlp.js';
import { isExplainable, type BinaryClassifier, type ModelKind } from './model.js';
import { formatContributions, topContributions, type Explanation } from './tree-shap.js';
import type { Matrix } from './matrix.js';
import { progressBar } from './progress.js';
import { dataHash, saveModel, type ModelMetadata } from './registry.js';
import { chronologicalSplit, threeBlockSplit, type TimeSplit, type ThreeBlockSplit } from './splits.js';
import type { StoredGate } from './gate.js';
import { walkForward, type WalkForwardResult } from './walkforward.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './calibration.js';
import type { StrategyConfig } from '../config/schema.js';

export const PREDICTIONS_FILE = 'predictions.csv';

/** Model types `trainModel` can fit (LightGBM models are trained in Python and imported). */
export type TrainableKind = Exclude<ModelKind, 'lightgbm'>;

export interface TrainOptions {
  model: TrainableKind;
  rf?: Partial<ForestParams>;
  gbdt?: Partial<GbdtParams>;
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

export type TrainedModel = RandomForestClassifier | GbdtClassifier | MlpClassifier;

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
  /**
   * Per dataset row: the features that pushed the out-of-sample prediction most, from the model that made it
   * (tree models; rows at or above the confidence threshold, where entry signals come from; '' elsewhere).
   */
  drivers?: string[];
}

/** "rsi_14 +0.080, volume_ratio +0.031 (log-odds)": a row's top TreeSHAP contributions in words. */
export function driversText(e: Explanation, row: number, names: readonly string[], kind: ModelKind, top = 3): string {
  const items = topContributions(e, row, names, top, 5e-4);
  return items.length ? `${formatContributions(items)} (${kind === 'rf' ? 'probability' : 'log-odds'})` : '';
}

/**
 * Wraps a model factory so every out-of-sample prediction at or above `threshold` is explained by the very
 * model that made it (walk-forward fold models are discarded after predicting). Returns the texts in
 * prediction order with their probabilities, so the caller can check they line up with the rows.
 */
function explainingFactory(make: () => TrainedModel, names: readonly string[], threshold: number): { factory: () => BinaryClassifier; log: Array<{ p: number; text: string }> } {
  const log: Array<{ p: number; text: string }> = [];
  const factory = (): BinaryClassifier => {
    const inner = make();
    return {
      kind: inner.kind,
      fit: (X, y, o) => inner.fit(X, y, o),
      dispose: () => ('dispose' in inner ? inner.dispose() : undefined),
      predictPositive: (X: Matrix) => {
        const p = inner.predictPositive(X);
        const hot: number[] = [];
        for (let i = 0; i < p.length; i++) if (p[i] >= threshold) hot.push(i);
        const e = hot.length && isExplainable(inner) ? inner.explain(takeRowsOf(X, hot)) : null;
        let k = 0;
        for (let i = 0; i < p.length; i++) log.push({ p: p[i], text: e && hot[k] === i ? driversText(e, k++, names, inner.kind) : '' });
        return p;
      },
    };
  };
  return { factory, log };
}

function takeRowsOf(X: Matrix, rows: readonly number[]): Matrix {
  const out = new Float64Array(rows.length * X.cols);
  rows.forEach((r, k) => out.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), k * X.cols));
  return { rows: rows.length, cols: X.cols, data: out, columns: X.columns };
}

function makeModel(opts: TrainOptions): TrainedModel {
  const seed = opts.seed ?? 42;
  if (opts.model === 'rf') return new RandomForestClassifier({ seed, ...opts.rf });
  if (opts.model === 'gbdt') return new GbdtClassifier({ seed, ...opts.gbdt });
  return new MlpClassifier({ seed, ...opts.mlp });
}

async function fitWithProgress(model: TrainedModel, d: Dataset, rows: Int32Array, label: string, silent: boolean, purge: number): Promise<void> {
  const sub = subset(d, rows);
  const total = model instanceof MlpClassifier ? model.params.epochs : model.params.nEstimators;
  const bar = progressBar(label, total, { silent });
  try {
    const onProgress = (k: number) => bar.update(k);
    // the GBDT's early-stopping block is the latest part of its own training window, cut on bar times
    if (model instanceof GbdtClassifier) model.fit(sub.X, sub.y, { onProgress, time: sub.time, purge });
    else await model.fit(sub.X, sub.y, { onProgress });
  } finally {
    bar.stop();
  }
}

export async function trainModel(series: readonly BarSeries[], opts: TrainOptions): Promise<TrainResult> {
  if (opts.model !== 'rf' && opts.model !== 'mlp' && opts.model !== 'gbdt') throw new ValidationError('model', "is not 'rf', 'gbdt' or 'mlp'", opts.model);
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
  let drivers: string[] | undefined;
  if (opts.walkForward) {
    const w = opts.walkForward;
    const explaining = explainingFactory(() => makeModel({ ...opts, silent: true }), d.features, threshold);
    wf = await walkForward(d.X, d.y, d.time, explaining.factory, {
      ...w,
      purge,
      progress: (n) => progressBar('walk-forward', n, { silent }),
    });
    oosProb = wf.prob;
    // Attach each explanation to its row only if the predictions line up one for one (they come in row order).
    const predicted: number[] = [];
    for (let i = 0; i < oosProb.length; i++) if (!Number.isNaN(oosProb[i])) predicted.push(i);
    if (predicted.length === explaining.log.length && predicted.every((row, k) => explaining.log[k].p === oosProb[row])) {
      drivers = new Array<string>(oosProb.length).fill('');
      predicted.forEach((row, k) => (drivers![row] = explaining.log[k].text));
    }
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
  await fitWithProgress(model, d, trainRows, `fit ${opts.model}`, silent, purge);
  if (split) {
    const testX = subset(d, split.test).X;
    const p = model.predictPositive(testX);
    split.test.forEach((r, k) => (oosProb[r] = p[k]));
    if (isExplainable(model)) {
      const hot = split.test.filter((_, k) => p[k] >= threshold);
      const e = hot.length ? model.explain(subset(d, hot).X) : null;
      drivers = new Array<string>(d.X.rows).fill('');
      if (e) hot.forEach((r, k) => (drivers![r] = driversText(e, k, d.features, model.kind)));
    }
  }
  if (blocks) {
    const sp = new Float64Array(d.X.rows).fill(NaN);
    const p = model.predictPositive(subset(d, blocks.selection).X);
    blocks.selection.forEach((r, k) => (sp[r] = p[k]));
    selectionProb = sp;
  }
  const evaluation = evaluate(oosProb, d.y, { threshold, forwardReturn: d.nextBarReturn, time: d.time });
  const importances =
    model instanceof RandomForestClassifier || model instanceof GbdtClassifier
      ? Array.from(model.featureImportances(), (v, j) => ({ feature: d.features[j], importance: v })).sort((a, b) => b.importance - a.importance)
      : undefined;
  return { model, dataset: d, trainRows, oosProb, evaluation, split, blocks, selectionProb, walkForward: wf, importances, purge, drivers };
}

/**
 * Out-of-sample probabilities as CSV rows `time,symbol,prob` (what a backtest of the model trades), plus a
 * quoted `drivers` column for tree models (the top contributions behind confident predictions).
 */
export function predictionsCsv(r: Pick<TrainResult, 'dataset' | 'oosProb' | 'drivers'>): string {
  const dr = r.drivers;
  const lines = [dr ? 'time,symbol,prob,drivers' : 'time,symbol,prob'];
  const d = r.dataset;
  for (let i = 0; i < d.X.rows; i++) {
    if (Number.isNaN(r.oosProb[i])) continue;
    const row = `${new Date(d.time[i]).toISOString()},${d.symbols[d.symbolIndex[i]]},${r.oosProb[i]}`;
    lines.push(dr ? `${row},${dr[i] ? `"${dr[i]}"` : ''}` : row);
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
    metrics: evaluationMetrics(r.evaluation, r.walkForward ? 'walk-forward' : r.blocks ? 'test block (three blocks)' : 'holdout', r.importances, opts.backtest),
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

/** metadata.json's `metrics`: the out-of-sample evaluation the promotion checks read. */
export function evaluationMetrics(e: Evaluation, kind: string, importances?: TrainResult['importances'], backtest?: BacktestSummary): Record<string, unknown> {
  return {
    evaluation: kind,
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
    ...(backtest ? { backtestAfterCosts: backtest } : {}),
    verdict: e.verdict,
    ...(importances ? { importances: Object.fromEntries(importances.map((x) => [x.feature, x.importance])) } : {}),
  };
}
