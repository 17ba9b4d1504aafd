/** The execution settings config.yaml describes, in the form the engine, the backtest and the runner take. */
import type { Config } from '../config/schema.js';
import type { CommissionSpec, FillAt } from '../broker/sim/index.js';
import { limitsFromConfig, type RiskLimits } from '../risk/limits.js';
import { sizingFromConfig, type SizingSpec } from '../risk/sizing.js';

export interface ExecutionSettings {
  readonly initialCash: number;
  readonly fillAt: FillAt;
  readonly commission: CommissionSpec;
  readonly slippageBps: number;
  readonly limits: RiskLimits;
  readonly sizing: SizingSpec;
}

export function executionFromConfig(c: Pick<Config, 'broker' | 'portfolio'>): ExecutionSettings {
  const k = c.broker.commission;
  return {
    initialCash: c.portfolio.initial_cash,
    fillAt: c.broker.fill_at,
    commission: { perShare: k.per_share, percent: k.percent, minimum: k.minimum },
    slippageBps: c.broker.slippage_bps,
    limits: limitsFromConfig(c.portfolio),
    sizing: sizingFromConfig(c.portfolio.sizing),
  };
}
