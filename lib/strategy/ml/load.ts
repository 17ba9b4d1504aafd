/**
 * loadMlStrategy(modelDir): the ML strategy from a registry folder, for `npm run backtest -- --strategy ml
 * --model models/NAME` and the runner. It refuses models whose features differ from the running code, and
 * by default trades only out of sample: walk-forward models replay their saved out-of-sample probabilities,
 * holdout models predict live but only after their training window (plus the label horizon).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.js';
import { loadModel, type ModelMetadata } from '../../ml/registry.js';
import { PREDICTIONS_FILE } from '../../ml/train.js';
import type { StrategyConfig } from '../../config/schema.js';
import { regimeParamsFromConfig, type RegimeParams } from '../../regime/index.js';
import { MlStrategy, type ProbabilityTable } from './ml-strategy.js';

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
}

export function readPredictions(path: string, drivers?: Map<string, Map<number, string>>): ProbabilityTable {
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
  const acc = Number(metadata.metrics?.accuracy);
  if (opts.minAccuracy !== undefined && !(acc >= opts.minAccuracy)) {
    throw new ValidationError(`${modelDir}: metrics.accuracy`, `is below strategy.ml.min_accuracy ${opts.minAccuracy}: refusing to trade this model`, acc);
  }
  const walkForward = metadata.metrics?.evaluation === 'walk-forward';
  const mode = opts.probabilities ?? 'auto';
  const useSaved = mode === 'saved' || (mode === 'auto' && walkForward);
  const features = metadata.features.map((f) => f.name);
  const drivers = new Map<string, Map<number, string>>();
  let notBefore: number | undefined;
  if (!opts.allowInSample && !useSaved) {
    // First bar whose label window lies wholly after the training window.
    notBefore = Date.parse(`${metadata.trainingWindow.end}T00:00:00Z`) + 86_400_000 * Math.max(1, metadata.label.horizon);
  }
  const strategy = new MlStrategy({
    model,
    features,
    threshold: opts.threshold,
    exitBelow: opts.exitBelow,
    regime: opts.regime,
    probabilities: useSaved ? readPredictions(join(modelDir, PREDICTIONS_FILE), drivers) : null,
    drivers,
    notBefore,
    name: `ml(${metadata.name}, ${metadata.modelType})`,
  });
  return { strategy, metadata };
}

/**
 * The ML strategy as config.yaml describes it (`strategy.ml` + `strategy.regime_filter`); `modelDir`
 * overrides `strategy.ml.model` (e.g. the backtest CLI's --model).
 */
export function loadMlStrategyFromConfig(cfg: StrategyConfig, modelDir?: string, extra: Pick<LoadMlStrategyOptions, 'probabilities' | 'allowInSample'> = {}): Promise<{ strategy: MlStrategy; metadata: ModelMetadata }> {
  const ml = cfg.ml;
  return loadMlStrategy(modelDir ?? ml.model, {
    ...extra,
    threshold: ml.confidence_threshold,
    minAccuracy: ml.min_accuracy,
    expectedFeatures: ml.features.length ? ml.features : undefined,
    regime: cfg.regime_filter.enabled ? regimeParamsFromConfig(cfg.regime_filter) : null,
  });
}
