import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ENTRY_RULES, type EntryRule, RiskGate, limitsFromConfig, permissiveLimits, realizedVolatility, sizingFromConfig, targetQuantity } from '../../lib/risk/index.js';

const flat = { equity: 100_000, position: 0, grossExposure: 0, openPositions: 0 };

describe('RiskGate', () => {
  it('caps a new position at the max position fraction, with a reason', () => {
    const g = new RiskGate();
    const d = g.check({ symbol: 'A', delta: 500, price: 50 }, flat); // 25,000 wanted, 10,000 allowed
    expect(d.qty).toBe(200);
    expect(d.reasons[0]).toMatchObject({ rule: 'max_position_size', originalQty: 500, approvedQty: 200 });
    expect(d.stopLoss).toBeCloseTo(47.5, 10);
    expect(d.takeProfit).toBeCloseTo(55, 10);
  });

  it('lets an existing position grow only up to the cap', () => {
    const g = new RiskGate();
    expect(g.check({ symbol: 'A', delta: 500, price: 50 }, { ...flat, position: 150, grossExposure: 7500 }).qty).toBe(50);
  });

  it('never blocks exits, even when halted or over every limit', () => {
    const g = new RiskGate({ maxOpenPositions: 1 });
    g.onBar(0, 100_000);
    g.onBar(86_400_000, 90_000); // -10 % today: halted
    expect(g.halted).toBe(true);
    const d = g.check({ symbol: 'A', delta: -1000, price: 50 }, { equity: 90_000, position: 1000, grossExposure: 500_000, openPositions: 5 });
    expect(d.qty).toBe(-1000);
    expect(d.reasons).toHaveLength(0);
    expect(d.stopLoss).toBeUndefined();
  });

  it('halts new entries for the rest of the day after the daily loss limit, and resumes the next day', () => {
    const g = new RiskGate();
    const H = 3_600_000;
    g.onBar(0, 100_000);
    g.onBar(24 * H + 10 * H, 99_000); // day 2 starts from 100,000: -1 %
    expect(g.halted).toBe(false);
    g.onBar(24 * H + 11 * H, 97_900); // -2.1 %
    expect(g.halted).toBe(true);
    g.onBar(24 * H + 12 * H, 100_500); // recovered, still halted today
    const d = g.check({ symbol: 'A', delta: 10, price: 10 }, flat);
    expect(d.approved).toBe(false);
    expect(d.reasons[0].rule).toBe('daily_loss');
    g.onBar(48 * H + 10 * H, 100_400);
    expect(g.halted).toBe(false);
  });

  it('refuses shorts unless allowed, and splits a flip into an exit and a refused entry', () => {
    const g = new RiskGate();
    const d = g.check({ symbol: 'A', delta: -30, price: 10 }, { ...flat, position: 10, grossExposure: 100, openPositions: 1 });
    expect(d.qty).toBe(-10);
    expect(d.reduceQty).toBe(-10);
    expect(d.reasons[0]).toMatchObject({ rule: 'short_disabled', originalQty: -20, approvedQty: 0 });
    const s = new RiskGate({ allowShort: true, maxPositionFraction: 1 }).check({ symbol: 'A', delta: -30, price: 10 }, { ...flat, position: 10 });
    expect(s.qty).toBe(-30);
    expect(s.stopLoss).toBeCloseTo(10.5, 10); // above a short entry
  });

  it('limits open positions and gross exposure', () => {
    const g = new RiskGate({ maxOpenPositions: 2, maxPositionFraction: 1, maxGrossExposure: 1 });
    expect(g.check({ symbol: 'C', delta: 10, price: 10 }, { ...flat, openPositions: 2 }).reasons[0].rule).toBe('max_open_positions');
    const d = g.check({ symbol: 'C', delta: 1000, price: 10 }, { ...flat, grossExposure: 95_000, openPositions: 1 });
    expect(d.qty).toBe(500);
    expect(d.reasons[0].rule).toBe('max_gross_exposure');
  });

  it('rounds entries down to whole shares', () => {
    expect(new RiskGate().check({ symbol: 'A', delta: 333.7, price: 30 }, flat).qty).toBe(333);
  });

  it('permissive limits approve everything but shorts and attach no brackets', () => {
    const d = new RiskGate(permissiveLimits()).check({ symbol: 'A', delta: 10_000, price: 50 }, flat);
    expect(d.qty).toBe(10_000);
    expect(d.reasons).toHaveLength(0);
    expect(d.stopLoss).toBeUndefined();
  });

  it('reads limits and sizing from the config sections, rejecting bad values by name', () => {
    const l = limitsFromConfig({ max_position_size: 0.1, max_daily_loss: 0.02, stop_loss: 0.05, take_profit: 0.1, max_exposure: 1, max_open_positions: 10, allow_short: false });
    expect(l).toEqual(DEFAULT_LIMITS);
    expect(() => new RiskGate({ maxDailyLoss: 0 })).toThrow(/risk.maxDailyLoss/);
    expect(sizingFromConfig({ method: 'volatility_target', fraction: 0.1, quantity: 1, target_volatility: 0.2 })).toEqual({ method: 'volatility_target', targetVolatility: 0.2 });
  });
});

describe('custom rules', () => {
  it('a house rule plugs into the same gate and still never blocks exits', () => {
    const noPennyStocks: EntryRule = { rule: 'invalid', apply: (c) => (c.price < 5 ? { qty: 0, message: 'no entries below 5' } : null) };
    const g = new RiskGate({ maxPositionFraction: 1 }, [...ENTRY_RULES, noPennyStocks]);
    expect(g.check({ symbol: 'P', delta: 10, price: 2 }, flat).reasons[0].message).toBe('no entries below 5');
    expect(g.check({ symbol: 'P', delta: -10, price: 2 }, { ...flat, position: 10 }).qty).toBe(-10);
  });
});

describe('sizing', () => {
  it('fixed fraction, fixed quantity, all in', () => {
    expect(targetQuantity({ method: 'fixed_fraction', fraction: 0.1 }, { equity: 50_000, cash: 0, price: 25 })).toBe(200);
    expect(targetQuantity({ method: 'fixed_quantity', quantity: 7 }, { equity: 1, cash: 1, price: 25 })).toBe(7);
    expect(targetQuantity({ method: 'all_in' }, { equity: 1, cash: 1000, price: 8 })).toBe(125);
  });

  it('volatility target: fraction = target / realised annual volatility', () => {
    // alternating +1 % / -1 % log returns: sample sd of 20 returns = 0.01 * sqrt(20/19)
    const closes = [100];
    for (let i = 1; i <= 20; i++) closes.push(closes[i - 1] * Math.exp(i % 2 ? 0.01 : -0.01));
    const vol = realizedVolatility(closes, 20, 20, 252);
    expect(vol).toBeCloseTo(0.01 * Math.sqrt(20 / 19) * Math.sqrt(252), 12);
    const q = targetQuantity({ method: 'volatility_target', targetVolatility: 0.08 }, { equity: 100_000, cash: 0, price: closes[20], closes, index: 20 });
    expect(q).toBeCloseTo((100_000 * (0.08 / vol)) / closes[20], 8);
    expect(Number.isNaN(targetQuantity({ method: 'volatility_target', targetVolatility: 0.1 }, { equity: 1, cash: 1, price: 1, closes, index: 5 }))).toBe(true);
  });
});
