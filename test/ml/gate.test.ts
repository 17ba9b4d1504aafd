import { describe, expect, it } from 'vitest';
import { aucTest, gateStatistics, gateVerdict, promotionGate, DEFAULT_GATE_SETTINGS } from '../../lib/ml/gate.js';
import { probabilisticSharpeRatio, returnMoments } from '../../lib/metrics/overfitting.js';

/** Rows with a given count of (prediction, label) pairs: prob 0.7 predicts 1, 0.3 predicts 0. */
function rows(counts: { p1y1: number; p1y0: number; p0y1: number; p0y0: number }): { prob: number[]; y: number[] } {
  const prob: number[] = [];
  const y: number[] = [];
  const add = (n: number, p: number, l: number) => {
    for (let i = 0; i < n; i++) {
      prob.push(p);
      y.push(l);
    }
  };
  add(counts.p1y1, 0.7, 1);
  add(counts.p1y0, 0.7, 0);
  add(counts.p0y1, 0.3, 1);
  add(counts.p0y0, 0.3, 0);
  return { prob, y };
}

const goodBacktest = { returns: Array.from({ length: 500 }, (_, i) => (i % 2 ? 0.004 : -0.001)), periodsPerYear: 252 };

describe('promotion gate', () => {
  it('AUC and its one-sided Mann-Whitney p-value match scipy (ties, asymptotic, no continuity correction)', () => {
    const p = [0.1, 0.4, 0.35, 0.8, 0.7, 0.4, 0.55, 0.6, 0.2, 0.9, 0.4, 0.3];
    const y = [0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0];
    const r = aucTest(p, y);
    expect(r.auc).toBeCloseTo(0.8333333333333334, 14);
    expect(r.pValue).toBeCloseTo(0.026487921620533317, 10);
  });

  it('compares accuracy with the majority base rate, not with 0.5', () => {
    // 2000 rows, 62% label 0. The model is right 60% of the time: above 0.5 and above the 0.55 floor, but
    // below always predicting 0. It must be refused for the base rate.
    const { prob, y } = rows({ p1y1: 360, p1y0: 440, p0y1: 400, p0y0: 800 });
    const s = gateStatistics({ prob, y, backtest: goodBacktest });
    expect(s.accuracy).toBeCloseTo(0.58, 12);
    expect(s.baseRate).toBeCloseTo(0.62, 12);
    expect(s.majorityClass).toBe(0);
    const v = gateVerdict(s, { minAccuracy: 0.55 });
    expect(v.promotable).toBe(false);
    expect(v.checks.find((c) => c.name === 'base-rate')!.passed).toBe(false);
    expect(v.reasons.some((r) => r.startsWith('base-rate: accuracy 58.0% vs base rate 62.0%'))).toBe(true);
  });

  it('the binomial p-value is the exact upper tail at the base rate (hand/scipy: 60 of 100 at 0.5 -> 0.02844)', () => {
    const { prob, y } = rows({ p1y1: 30, p1y0: 20, p0y1: 20, p0y0: 30 });
    const s = gateStatistics({ prob, y });
    expect(s.baseRate).toBe(0.5);
    expect(s.accuracy).toBe(0.6);
    expect(s.accuracyPValue).toBeCloseTo(0.028443966820490444, 12);
    // At level 0.05 this passes the base-rate check, at 0.01 it does not.
    expect(gateVerdict(s, { accuracyLevel: 0.05 }).checks.find((c) => c.name === 'base-rate')!.passed).toBe(true);
    expect(gateVerdict(s, { accuracyLevel: 0.01 }).checks.find((c) => c.name === 'base-rate')!.passed).toBe(false);
  });

  it('the binomial test runs at the majority rate (scipy: 630 of 1000 at 0.6 -> 0.02804)', () => {
    // 600 zeros, 400 ones; right on 630 rows.
    const { prob, y } = rows({ p1y1: 100, p1y0: 70, p0y1: 300, p0y0: 530 });
    const s = gateStatistics({ prob, y });
    expect(s.baseRate).toBe(0.6);
    expect(s.accuracy).toBe(0.63);
    expect(s.accuracyPValue).toBeCloseTo(0.028042913130112708, 12);
  });

  it('overlapping labels count as n / horizon rows, which weakens the evidence', () => {
    const { prob, y } = rows({ p1y1: 30, p1y0: 20, p0y1: 20, p0y0: 30 });
    const one = gateStatistics({ prob, y, labelHorizon: 1 });
    const five = gateStatistics({ prob, y, labelHorizon: 5 });
    expect(five.effectiveRows).toBe(20);
    expect(five.accuracyPValue).toBeGreaterThan(one.accuracyPValue);
    expect(five.aucPValue).toBeGreaterThan(one.aucPValue);
  });

  it('passes a model that beats the base rate and AUC 0.5 with a good backtest', () => {
    const { prob, y } = rows({ p1y1: 500, p1y0: 200, p0y1: 300, p0y0: 1000 });
    const g = promotionGate({ prob, y, backtest: goodBacktest });
    expect(g.verdict.reasons).toEqual([]);
    expect(g.verdict.promotable).toBe(true);
    // One trial: the DSR is the PSR against 0 with the backtest's own skewness and kurtosis.
    const m = returnMoments(goodBacktest.returns);
    expect(g.statistics.deflatedSharpe).toBeCloseTo(probabilisticSharpeRatio(m), 14);
    expect(g.statistics.backtest!.annualisedSharpe).toBeCloseTo(m.sharpe * Math.sqrt(252), 12);
  });

  it('more candidates tried raise the bar for the same backtest', () => {
    const { prob, y } = rows({ p1y1: 500, p1y0: 200, p0y1: 300, p0y0: 1000 });
    // A modest backtest: per-period Sharpe ~0.09 over 300 periods.
    const returns = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 0.01 : -0.0035));
    const one = promotionGate({ prob, y, backtest: { returns, periodsPerYear: 252 }, trials: { count: 1 } });
    const many = promotionGate({ prob, y, backtest: { returns, periodsPerYear: 252 }, trials: { count: 50 } });
    expect(many.statistics.benchmarkSharpe!).toBeGreaterThan(0);
    expect(many.statistics.deflatedSharpe!).toBeLessThan(one.statistics.deflatedSharpe!);
    const fromSharpes = promotionGate({ prob, y, backtest: { returns, periodsPerYear: 252 }, trials: { count: 3, sharpes: [0.01, 0.05, 0.09] } });
    expect(fromSharpes.statistics.trialSharpeVariance).toBeCloseTo(0.0016, 14);
  });

  it('refuses without a backtest, below the accuracy floor, with too few rows, and with no ranking skill', () => {
    const { prob, y } = rows({ p1y1: 500, p1y0: 200, p0y1: 300, p0y0: 1000 });
    const noBt = promotionGate({ prob, y });
    expect(noBt.verdict.reasons).toEqual(['deflated-sharpe: no out-of-sample backtest after costs to judge']);
    const floor = promotionGate({ prob, y, backtest: goodBacktest }, { minAccuracy: 0.8 });
    expect(floor.verdict.reasons.length).toBe(1);
    expect(floor.verdict.reasons[0]).toMatch(/^min-accuracy: accuracy 75.0%, floor strategy.ml.min_accuracy 80.0%/);
    const few = promotionGate({ prob: prob.slice(0, 50), y: y.slice(0, 50), backtest: goodBacktest });
    expect(few.verdict.reasons.some((r) => r.startsWith('rows: 50 out-of-sample rows'))).toBe(true);
    // Constant probabilities: AUC exactly 0.5, p = 0.5.
    const flat = promotionGate({ prob: y.map(() => 0.3), y, backtest: goodBacktest });
    expect(flat.statistics.auc).toBe(0.5);
    expect(flat.verdict.checks.find((c) => c.name === 'auc')!.passed).toBe(false);
  });

  it('a flat backtest (no trades) fails the Sharpe check; bad settings are named', () => {
    const { prob, y } = rows({ p1y1: 500, p1y0: 200, p0y1: 300, p0y0: 1000 });
    const g = promotionGate({ prob, y, backtest: { returns: new Array(100).fill(0), periodsPerYear: 252 } });
    expect(g.statistics.deflatedSharpe).toBe(0);
    expect(g.verdict.promotable).toBe(false);
    expect(() => gateVerdict(g.statistics, { accuracyLevel: 0 })).toThrow(/gate.accuracyLevel/);
    expect(DEFAULT_GATE_SETTINGS.minAccuracy).toBe(0.55);
  });
});
