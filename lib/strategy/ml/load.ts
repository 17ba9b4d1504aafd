/**
 * loadMlStrategy(modelDir): the ML strategy from a registry folder, for `npm run backtest -- --strategy ml
 * --model models/NAME` and the runner. It refuses models whose features differ from the running code, and
 * by default trades only out of sample: walk-forward models replay their saved out-of-sample probabilities,
 * holdout models predict live but only from `horizon + 1` bars after their last training bar. The runner asks
 * for live predictions with retraining, and for a model the promotion gate passed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.js';
import { loadModel, type ModelMetadata } from '../../ml/registry.js';
import { RandomForestClassifier, type ForestParams } from '../../ml/forest.js';
import { GbdtClassifier, type GbdtParams } from '../../ml/gbdt.js';
import { gateVerdict, gateSettingsFromConfig, type GateSettings } from '../../ml/gate.js';
import type { BinaryClassifier } from '../../ml/model.js';
import { PREDICTIONS_FILE } from '../../ml/train.js';
import type { StrategyConfig } from '../../config/schema.js';
import { regimeParamsFromConfig, type RegimeParams } from '../../regime/index.js';
import { MlStrategy, type ModelVersion, type ProbabilityTable } from './ml-strategy.js';

export interface LoadMlStrategyOptions {
  threshold?: number;
  exitBelow?: number;
  regime?: Partial<RegimeParams> | null;
  /** Feature names the running config expects (checked against the model's). */
  expectedFeatures?: readonly string[];
  /** 'auto' (default): saved out-of-sample probabilities for walk-forward models, live predictions otherwise. */
  probabilities?: 'auto' | 'saved' | 'live';
  /** Allow signals inside the training window (in-sample: only for demonstrations). */
  allowInSample?: boolean;
  /** Refuse a model whose recorded out-of-sample accuracy is below this (config strategy.ml.min_accuracy). */
  minAccuracy?: number;
  /** Refuse a model the promotion gate does not pass under these settings (the runner), naming the reasons. */
  requirePromotable?: GateSettings;
  /** Live retraining (needs live predictions): every N bars (0 = never) on the last `lookback` bars per symbol. */
  retrain?: { every: number; lookback: number; onRetrain?: (v: ModelVersion) => void };
}

/**
 * Why this registered model may not trade under `settings` ([] = promotable): the gate re-decided on the
 * statistics stored with it, so a stricter config refuses a model an earlier run passed.
 */
export function promotionProblems(metadata: ModelMetadata, settings: GateSettings): string[] {
  if (!metadata.gate) return ['metadata.json has no promotion gate verdict (trained before the gate existed): retrain it (npm run demo or npm run train)'];
  return gateVerdict(metadata.gate.statistics, settings).reasons;
}

/** The last training bar time (exact when recorded; else the end of the recorded date, conservatively). */
function trainedThroughTime(metadata: ModelMetadata): number {
  const w = metadata.trainingWindow;
  return w.endTime ? Date.parse(w.endTime) : Date.parse(`${w.end}T23:59:59.999Z`);
}

/** A fresh model of the registered kind and parameters, for live retraining (synchronous fit only). */
export function retrainFactory(metadata: ModelMetadata): () => BinaryClassifier {
  if (metadata.modelType === 'rf') {
    const params = metadata.params as Partial<ForestParams>;
    return () => new RandomForestClassifier(params);
  }
  if (metadata.modelType === 'gbdt') {
    const params = metadata.params as Partial<GbdtParams>;
    return () => new GbdtClassifier(params);
  }
  throw new ValidationError('strategy.ml.retrain_every', `live retraining supports gbdt and rf models (this one is ${metadata.modelType}); set it to 0 to trade it without retraining`);
}

function readPredictions(path: string, drivers?: Map<string, Map<number, string>>): ProbabilityTable {
  if (!existsSync(path)) throw new ValidationError(path, 'does not exist: retrain the model to write its out-of-sample predictions');
  const table = new Map<string, Map<number, number>>();
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    if (!line) continue;
    const [t, sym, p, ...rest] = line.split(',');
    const time = Date.parse(t);
    const prob = Number(p);
    if (!Number.isFinite(time) || !sym || !Number.isFinite(prob)) throw new ValidationError(`${path}:${k + 1}`, 'is not "time,symbol,prob"', line);
    let m = table.get(sym);
    if (!m) table.set(sym, (m = new Map()));
    m.set(time, prob);
    // optional 4th column: the quoted drivers text ("a +0.1, b -0.02 (log-odds)")
    const text = rest.join(',').replace(/^"|"$/g, '');
    if (drivers && text) {
      let dm = drivers.get(sym);
      if (!dm) drivers.set(sym, (dm = new Map()));
      dm.set(time, text);
    }
  }
  return table;
}

export async function loadMlStrategy(modelDir: string, opts: LoadMlStrategyOptions = {}): Promise<{ strategy: MlStrategy; metadata: ModelMetadata }> {
  const { model, metadata } = await loadModel(modelDir, { expectedFeatures: opts.expectedFeatures });
  if (opts.requirePromotable) {
    const problems = promotionProblems(metadata, opts.requirePromotable);
    if (problems.length) throw new ValidationError(`${modelDir}: gate`, `the promotion gate refuses this model: ${problems.join('; ')}`);
  }
  const acc = Number(metadata.metrics?.accuracy);
  if (opts.minAccuracy !== undefined && !(acc >= opts.minAccuracy)) {
    throw new ValidationError(`${modelDir}: metrics.accuracy`, `is below strategy.ml.min_accuracy ${opts.minAccuracy}: refusing to trade this model`, acc);
  }
  const walkForward = metadata.metrics?.evaluation === 'walk-forward';
  const mode = opts.probabilities ?? 'auto';
  const useSaved = mode === 'saved' || (mode === 'auto' && walkForward);
  const features = metadata.features.map((f) => f.name);
  const drivers = new Map<string, Map<number, string>>();
  const retrain = opts.retrain && opts.retrain.every > 0 ? opts.retrain : null;
  if (retrain && useSaved) throw new ValidationError('strategy.ml.retrain_every', 'live retraining needs live predictions, not the saved ones (probabilities: live)');
  const horizon = Math.max(1, metadata.label.horizon);
  const strategy = new MlStrategy({
    model,
    features,
    threshold: opts.threshold,
    exitBelow: opts.exitBelow,
    regime: opts.regime,
    probabilities: useSaved ? readPredictions(join(modelDir, PREDICTIONS_FILE), drivers) : null,
    drivers,
    // Out of sample only, counted in bars: the last training label resolves `horizon` bars after the last training bar.
    ...(!opts.allowInSample && !useSaved ? { trainedThrough: { time: trainedThroughTime(metadata), horizon } } : {}),
    modelVersion: `${metadata.name}#0@${metadata.dataHash.slice(0, 8)}`,
    ...(retrain
      ? {
          retrain: {
            every: retrain.every,
            lookback: retrain.lookback,
            label: { horizon, threshold: Number(metadata.label.threshold ?? 0) },
            factory: retrainFactory(metadata),
            name: metadata.name,
            ...(retrain.onRetrain ? { onRetrain: retrain.onRetrain } : {}),
          },
        }
      : {}),
    name: `ml(${metadata.name}, ${metadata.modelType})`,
  });
  return { strategy, metadata };
}

/**
 * The ML strategy as config.yaml describes it (`strategy.ml` + `strategy.regime_filter`); `modelDir`
 * overrides `strategy.ml.model` (e.g. the backtest CLI's --model).
 */
export function loadMlStrategyFromConfig(
  cfg: StrategyConfig,
  modelDir?: string,
  extra: Pick<LoadMlStrategyOptions, 'probabilities' | 'allowInSample' | 'retrain' | 'requirePromotable'> = {},
): Promise<{ strategy: MlStrategy; metadata: ModelMetadata }> {
  const ml = cfg.ml;
  return loadMlStrategy(modelDir ?? ml.model, {
    ...extra,
    threshold: ml.confidence_threshold,
    minAccuracy: ml.min_accuracy,
    expectedFeatures: ml.features.length ? ml.features : undefined,
    regime: cfg.regime_filter.enabled ? regimeParamsFromConfig(cfg.regime_filter) : null,
  });
}

/**
 * The runner's ML strategy: live predictions, retraining every strategy.ml.retrain_every bars on the last
 * strategy.ml.lookback bars, and only a model the promotion gate passes under this config.
 */
export function loadRunnerMlStrategy(cfg: StrategyConfig, onRetrain?: (v: ModelVersion) => void): Promise<{ strategy: MlStrategy; metadata: ModelMetadata }> {
  const ml = cfg.ml;
  return loadMlStrategyFromConfig(cfg, undefined, {
    probabilities: 'live',
    requirePromotable: gateSettingsFromConfig(ml),
    retrain: { every: ml.retrain_every, lookback: ml.lookback, ...(onRetrain ? { onRetrain } : {}) },
  });
}
