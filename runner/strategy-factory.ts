/**
 * The promoted strategy from config.yaml's strategy.active. For "ml" it loads the registry folder
 * strategy.ml.model through lib/strategy/ml, which refuses a model whose features differ from the running
 * code or the configured feature list; a configured model that does not exist yet is first trained on the
 * configured (by default offline synthetic) data with lib/ml's training pipeline, and the log says so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import type { Config } from '../lib/config/index.js';
import { BuyAndHold, SmaCrossover, type Strategy } from '../lib/strategy/index.js';
import type { LoopLogger } from './loop.js';

export interface StrategyChoice {
  readonly strategy: Strategy;
  readonly model: string | null;
  readonly note: string | null;
}

export async function chooseStrategy(config: Config, series: readonly BarSeries[], log: LoopLogger): Promise<StrategyChoice> {
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
    note = `model ${dir} does not exist: training a ${ml.model_type} model on the configured offline data now (the same as \`npm run train -- --out ${dir}\`)`;
    log.warn({ model: dir }, note);
    const r = await mlLib.trainModel(series, { ...mlLib.trainOptionsFromConfig(ml), silent: true });
    await mlLib.saveTrainResult(dir, r, { source: `runner: ${config.data.provider} ${series.map((s) => s.symbol).join(', ')}`, threshold: ml.confidence_threshold });
    log.info({ model: dir }, 'model trained and saved');
  }
  // Refuses a model whose features differ from the running code or the configured list, or below min_accuracy.
  const { strategy, metadata } = await mlStrategy.loadMlStrategyFromConfig(config.strategy);
  return { strategy, model: `${dir} (${metadata.modelType}, trained ${metadata.createdAt})`, note };
}
