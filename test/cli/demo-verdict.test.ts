import { describe, expect, it } from 'vitest';
import { verdict } from '../../scripts/demo.js';

describe("the demo's verdict", () => {
  it('says plainly what beat what after costs, and when the risk-adjusted order differs', () => {
    const lines = verdict([
      { name: 'ml', totalReturn: 0.04, sharpe: 0.9, maxDrawdown: -0.05, exposure: 0.003, costs: true },
      { name: 'sma-crossover', totalReturn: -0.12, sharpe: -0.3, maxDrawdown: -0.3, exposure: 0.5, costs: true },
      { name: 'buy-and-hold', totalReturn: 1.7, sharpe: 0.7, maxDrawdown: -0.35, exposure: null, costs: false },
    ]);
    expect(lines).toEqual([
      'verdict: buy-and-hold made the most (+170.0%, no costs).',
      '  buy-and-hold beat ml: +170.0% vs +4.0% (166.0 points).',
      '  buy-and-hold beat sma-crossover: +170.0% vs -12.0% (182.0 points).',
      '  ml beat sma-crossover: +4.0% vs -12.0% (16.0 points).',
      '  risk-adjusted, ml did best: Sharpe 0.90 vs 0.70 for buy-and-hold (max drawdown -5.0% vs -35.0%), but it was invested 0.3% of the time on average, so its return is small.',
      '  sma-crossover lost money after costs.',
    ]);
  });

  it('names a strategy that beat buy-and-hold after costs first', () => {
    const lines = verdict([
      { name: 'ml', totalReturn: 0.5, sharpe: 1.2, maxDrawdown: -0.1, exposure: 0.9, costs: true },
      { name: 'buy-and-hold', totalReturn: 0.3, sharpe: 0.5, maxDrawdown: -0.2, exposure: null, costs: false },
    ]);
    expect(lines).toEqual(['verdict: ml made the most (+50.0% after costs).', '  ml beat buy-and-hold: +50.0% vs +30.0% (20.0 points).']);
  });
});
