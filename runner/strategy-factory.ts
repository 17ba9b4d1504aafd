/**
 * The promoted strategy from config.yaml's strategy.active. For "ml" it loads the registry folder
 * strategy.ml.model through lib/strategy/ml, which refuses a model whose features differ from the running
 * code or the configured feature list, and a model the promotion gate does not pass under this config (with
 * the gate's reasons). A configured model that does not exist yet is first trained on the configured (by
 * default offline synthetic) data with the demo's procedure (walk-forward on the live retraining schedule,
 * then the gate), and the log says so. The ML strategy predicts every new bar with its current model and
 * retrains every strategy.ml.retrain_every bars; each version is logged, journaled and registered.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { describeData, type Config } from '../lib/config/index.js';
import { BuyAndHold, SmaCrossover, type Strategy } from '../lib/strategy/index.js';
import type { ModelVersion } from '../lib/strategy/ml/index.js';
import type { LoopLogger } from './loop.js';

export interface StrategyChoice {
  readonly strategy: Strategy;
  readonly model: string | null;
  readonly note: string | null;
}

export async function chooseStrategy(config: Config, series: readonly BarSeries[], log: LoopLogger, onRetrain?: (v: ModelVersion) => void): Promise<StrategyChoice> {
  const active = config.strategy.active;
  if (active === 'buy-and-hold') return { strategy: new BuyAndHold(), model: null, note: null };
  if (active === 'sma-crossover') return { strategy: new SmaCrossover(config.strategy.sma_crossover), model: null, note: null };
  const ml = config.strategy.ml;
  const dir = ml.model;
  // Loaded lazily: the ML stack (tfjs) is only paid for when the ML strategy is configured.
  const mlLib = await import('../lib/ml/index.js');
  const mlStrategy = await import('../lib/strategy/ml/index.js');
  let note: string | null = null;
  if (!existsSync(join(dir, 'metadata.json'))) {
    const procedure = mlLib.evaluationFromConfig(ml);
    note = `model ${dir} does not exist: training a ${ml.model_type} model on the configured data now (${mlLib.describeEvaluation(procedure)}; the same as \`npm run demo\`'s step 2)`;
    log.warn({ model: dir }, note);
    const r = await mlLib.trainModel(series, { ...mlLib.trainOptionsFromConfig(ml), ...procedure, silent: true });
    const promotion = mlStrategy.promoteTrainResult(r, series, mlStrategy.promoteOptionsFromConfig(config));
    const data = describeData(config.data);
    await mlLib.saveTrainResult(dir, r, { source: `runner: ${data.summary}`, data: { ...data }, threshold: ml.confidence_threshold, gate: promotion.gate, backtest: promotion.backtest.summary });
    log.info({ model: dir, promotable: promotion.gate.verdict.promotable }, 'model trained, gated and saved');
  }
  // Refuses a model whose features differ, below min_accuracy, or one the promotion gate does not pass.
  const { strategy, metadata } = await mlStrategy.loadRunnerMlStrategy(config.strategy, (v) => {
    mlLib.registerModelVersion(dir, {
      version: v.version,
      fittedAt: new Date(v.fittedAt).toISOString(),
      trainingWindow: v.trainingWindow,
      dataHash: v.dataHash,
      gate: { promotable: true, basis: `retrained by the procedure the gate passed for ${dir} (${metadata.gate?.evaluatedOn ?? 'n/a'})`, liveRecord: v.liveRecord },
    });
    onRetrain?.(v);
  });
  const base = strategy.modelVersion ?? metadata.name;
  log.info(
    { model: dir, version: base, trainedThrough: metadata.trainingWindow.end, retrainEvery: ml.retrain_every, lookback: ml.lookback, gate: metadata.gate?.evaluatedOn },
    `ML model ${base} passed the promotion gate; it trades from ${ml.label.horizon + 1} bars after ${metadata.trainingWindow.end}${ml.retrain_every > 0 ? `, retraining every ${ml.retrain_every} bars on the last ${ml.lookback}` : ', never retrained (retrain_every 0)'}`,
  );
  return { strategy, model: `${dir} (${metadata.modelType}, trained ${metadata.createdAt}, through ${metadata.trainingWindow.end})`, note };
}
