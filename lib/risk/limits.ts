/** Risk limits: the numbers the gate enforces, from config.yaml's `portfolio` section or given directly. */
import type { PortfolioConfig } from '../config/schema.js';
import { ValidationError } from '../core/errors.js';

export interface RiskLimits {
  /** Largest position value as a fraction of equity (0.10 = 10 %). Infinity = no cap. */
  readonly maxPositionFraction: number;
  /** Loss since the day's start, as a fraction of that equity, that halts new entries for the rest of the day. */
  readonly maxDailyLoss: number;
  /** Default stop-loss distance attached to entries as a bracket (0.05 = 5 % below a long entry); 0 = none. */
  readonly stopLoss: number;
  /** Default take-profit distance attached to entries (0.10 = 10 % above a long entry); 0 = none. */
  readonly takeProfit: number;
  /** Largest gross exposure (sum of |position value|) as a multiple of equity. */
  readonly maxGrossExposure: number;
  readonly maxOpenPositions: number;
  readonly allowShort: boolean;
  /** Round entry quantities down to whole shares. */
  readonly wholeShares: boolean;
}

export const DEFAULT_LIMITS: RiskLimits = Object.freeze({
  maxPositionFraction: 0.1,
  maxDailyLoss: 0.02,
  stopLoss: 0.05,
  takeProfit: 0.1,
  maxGrossExposure: 1,
  maxOpenPositions: 10,
  allowShort: false,
  wholeShares: true,
});

/**
 * Limits that never resize or block anything except shorts (unless allowed): for research runs where the
 * caller's own sizing is the point, e.g. the CLI's explicit `--size all` compared against backtrader.
 */
export function permissiveLimits(overrides: Partial<RiskLimits> = {}): RiskLimits {
  return validateLimits({
    maxPositionFraction: Infinity,
    maxDailyLoss: 1,
    stopLoss: 0,
    takeProfit: 0,
    maxGrossExposure: Infinity,
    maxOpenPositions: Infinity,
    allowShort: false,
    wholeShares: true,
    ...overrides,
  });
}

/** The limits part of config.yaml's `portfolio` section (already validated by the config schema). */
export type PortfolioRiskConfig = Pick<PortfolioConfig, 'max_position_size' | 'max_daily_loss' | 'stop_loss' | 'take_profit' | 'max_exposure' | 'max_open_positions' | 'allow_short'>;

export function limitsFromConfig(p: PortfolioRiskConfig): RiskLimits {
  return validateLimits({
    maxPositionFraction: p.max_position_size,
    maxDailyLoss: p.max_daily_loss,
    stopLoss: p.stop_loss,
    takeProfit: p.take_profit,
    maxGrossExposure: p.max_exposure,
    maxOpenPositions: p.max_open_positions,
    allowShort: p.allow_short,
    wholeShares: true,
  });
}

export function validateLimits(l: RiskLimits): RiskLimits {
  const pos = (k: keyof RiskLimits, v: number) => {
    if (!(v > 0)) throw new ValidationError(`risk.${k}`, 'must be > 0', v);
  };
  pos('maxPositionFraction', l.maxPositionFraction);
  pos('maxGrossExposure', l.maxGrossExposure);
  pos('maxOpenPositions', l.maxOpenPositions);
  if (!(l.maxDailyLoss > 0 && l.maxDailyLoss <= 1)) throw new ValidationError('risk.maxDailyLoss', 'is not in (0, 1]', l.maxDailyLoss);
  if (!(l.stopLoss >= 0 && l.stopLoss < 1)) throw new ValidationError('risk.stopLoss', 'is not in [0, 1)', l.stopLoss);
  if (!(l.takeProfit >= 0 && Number.isFinite(l.takeProfit))) throw new ValidationError('risk.takeProfit', 'must be >= 0', l.takeProfit);
  return Object.freeze({ ...l });
}
