/**
 * Tearsheet statistics: distribution shape and tail risk, rolling statistics, drawdown periods, calendar
 * returns and the new Metrics fields. Known answers are worked by hand in the comments; the scipy/numpy
 * figures were computed once (scipy 1.17, numpy 2.4) and are committed as constants.
 */
import { describe, expect, it } from 'vitest';
import {
  bestWorst,
  calendarReturns,
  computeMetrics,
  drawdownPeriods,
  excessKurtosis,
  histogram,
  quantile,
  rollingBeta,
  rollingSharpe,
  rollingVolatility,
  halfYearWindow,
  skewness,
  tailRisk,
  yearlyVsBenchmark,
  type EquityCurve,
} from '../../lib/metrics/index.js';

const DAY = 86_400_000;
const curve = (equity: number[], time?: number[]): EquityCurve => ({
  time: Float64Array.from(time ?? equity.map((_, i) => i * DAY)),
  equity: Float64Array.from(equity),
});

describe('distribution', () => {
  it('skewness and excess kurtosis by hand: [1, 2, 3, 4, 10]', () => {
    // mean 4, deviations -3 -2 -1 0 6: m2 = 50/5 = 10, m3 = 180/5 = 36, m4 = 1394/5 = 278.8
    // g1 = 36 / 10^1.5 = 1.1384199; G1 = g1 sqrt(5*4) / 3 = 1.6970563
    // g2 = 278.8 / 100 - 3 = -0.212; G2 = ((6)(-0.212) + 6)(4) / ((3)(2)) = 3.152
    expect(skewness([1, 2, 3, 4, 10])).toBeCloseTo(1.6970563, 6);
    expect(excessKurtosis([1, 2, 3, 4, 10])).toBeCloseTo(3.152, 10);
    // symmetric data has no skew; NaN is skipped
    expect(skewness([1, 2, NaN, 3])).toBeCloseTo(0, 12);
  });

  it('undefined cases are null: too few values or no spread', () => {
    expect(skewness([1, 2])).toBeNull();
    expect(excessKurtosis([1, 2, 3])).toBeNull();
    expect(skewness([0.01, 0.01, 0.01, 0.01])).toBeNull();
    expect(excessKurtosis([5, 5, 5, 5, 5])).toBeNull();
  });

  it('matches scipy.stats skew/kurtosis (bias=False) and numpy.quantile on a 200-value series', () => {
    const x = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.3) * 0.01 + (((i * 7) % 11) - 5) * 0.001 + (i % 17 === 0 ? -0.03 : 0));
    expect(skewness(x)).toBeCloseTo(-1.1968939083636254, 10);
    expect(excessKurtosis(x)).toBeCloseTo(2.364539979199554, 10);
    expect(quantile(x, 0.05)).toBeCloseTo(-0.021490937579936583, 14);
    expect(tailRisk(x)?.conditionalValueAtRisk).toBeCloseTo(-0.03297522782506708, 14);
  });

  it('quantile interpolates linearly between order statistics; VaR and CVaR by hand', () => {
    // sorted [1,2,3,4,10]: h = 4 x 0.05 = 0.2 -> 1 + 0.2 x (2 - 1) = 1.2; the median is 3
    expect(quantile([10, 3, 1, 4, 2], 0.05)).toBeCloseTo(1.2, 12);
    expect(quantile([10, 3, 1, 4, 2], 0.5)).toBe(3);
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
    // sorted: -0.05 -0.03 -0.02 -0.01 0 0.01 0.01 0.02 0.03 0.04; h = 9 x 0.05 = 0.45 -> -0.05 + 0.45 x 0.02 = -0.041
    const r = [-0.05, 0.01, 0.02, -0.03, 0.04, -0.01, 0.0, 0.03, -0.02, 0.01];
    const t = tailRisk(r, 0.95)!;
    expect(t.valueAtRisk).toBeCloseTo(-0.041, 12);
    expect(t.conditionalValueAtRisk).toBeCloseTo(-0.05, 12); // only -0.05 is at or below
    // at 80 %: h = 9 x 0.2 = 1.8 -> -0.03 + 0.8 x 0.01 = -0.022; mean of -0.05, -0.03 = -0.04
    expect(tailRisk(r, 0.8)!.valueAtRisk).toBeCloseTo(-0.022, 12);
    expect(tailRisk(r, 0.8)!.conditionalValueAtRisk).toBeCloseTo(-0.04, 12);
  });

  it('histogram: fixed-width bins, the maximum in the last bin', () => {
    const h = histogram([0, 1, 2, 3, 4, NaN], 4)!;
    expect(h.start).toBe(0);
    expect(h.width).toBe(1);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 2]);
    expect(histogram([NaN])).toBeNull();
    expect(Array.from(histogram([7, 7], 3)!.counts)).toEqual([2, 0, 0]);
  });
});

describe('rolling statistics', () => {
  // reference: the window recomputed from scratch at every index
  function naive(r: number[], w: number, f: (xs: number[]) => number): number[] {
    return r.map((_, i) => (i < w - 1 ? NaN : f(r.slice(i - w + 1, i + 1))));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));

  it('volatility and Sharpe by hand on a 3-period window', () => {
    // window [0.01, -0.02, 0.03]: mean 0.02/3, sample var = (0.01^2 + 0.02^2 + 0.03^2 - 3 mean^2) / 2 = 6.3333e-4
    const r = [0.01, -0.02, 0.03, 0.0, 0.01];
    const v = rollingVolatility(r, 3, 1);
    expect(Number.isNaN(v[0]) && Number.isNaN(v[1])).toBe(true);
    expect(v[2]).toBeCloseTo(Math.sqrt(6.333333333e-4), 9);
    const s = rollingSharpe(r, 3, 4); // x sqrt(4) = 2
    expect(s[2]).toBeCloseTo(((0.02 / 3) / Math.sqrt(6.333333333e-4)) * 2, 8);
  });

  it('running sums agree with recomputing every window over a long series (no drift)', () => {
    const r = Array.from({ length: 5000 }, (_, i) => 0.0003 + 0.01 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
    const w = 126;
    const v = rollingVolatility(r, w, 252);
    const ref = naive(r, w, (xs) => sd(xs) * Math.sqrt(252));
    for (const i of [125, 126, 251, 252, 2000, 4999]) expect(v[i]).toBeCloseTo(ref[i], 12);
    const s = rollingSharpe(r, w, 252, 0.02);
    const refS = naive(r, w, (xs) => ((mean(xs) - 0.02 / 252) / sd(xs)) * Math.sqrt(252));
    for (const i of [125, 3000, 4999]) expect(s[i]).toBeCloseTo(refS[i], 9);
  });

  it('beta is exact for a levered copy and NaN where the benchmark is flat', () => {
    const rb = [0.01, -0.02, 0.015, 0.0, 0.03, -0.01];
    const r = rb.map((x) => 2 * x + 0.001);
    const b = rollingBeta(r, rb, 3);
    for (let i = 2; i < 6; i++) expect(b[i]).toBeCloseTo(2, 10);
    expect(Number.isNaN(rollingBeta([1, 2, 3], [0.01, 0.01, 0.01], 3)[2])).toBe(true);
    expect(() => rollingBeta([1, 2], [1], 2)).toThrow(/benchmark returns/);
    expect(() => rollingVolatility([1, 2], 1, 252)).toThrow(/window/);
  });

  it('the default window is half a year of bars', () => {
    expect(halfYearWindow(252)).toBe(126);
    expect(halfYearWindow(52)).toBe(26);
    expect(halfYearWindow(252 * 390)).toBe(49140);
  });
});

describe('drawdown periods', () => {
  it('by hand: two stretches, deepest first, the open one marked unrecovered', () => {
    //            0    1    2   3   4    5    6    7    8   9
    const c = curve([100, 110, 99, 88, 110, 120, 108, 114, 90, 100]);
    // stretch 1: peak 110 (bar 1), valley 88 (bar 3), back to 110 at bar 4: 88/110 - 1 = -0.2, 3 days
    // stretch 2: peak 120 (bar 5), valley 90 (bar 8), open at the end:       90/120 - 1 = -0.25, 4 days
    expect(drawdownPeriods(c)).toEqual([
      { peakIndex: 5, valleyIndex: 8, recoveryIndex: null, depth: 90 / 120 - 1, days: 4 },
      { peakIndex: 1, valleyIndex: 3, recoveryIndex: 4, depth: 88 / 110 - 1, days: 3 },
    ]);
    expect(drawdownPeriods(c, 1)).toHaveLength(1);
    expect(drawdownPeriods(curve([1, 2, 3]))).toEqual([]);
  });
});

describe('calendar returns', () => {
  const t = ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-29', '2025-01-02'].map((d) => Date.parse(d));
  const c = curve([100, 110, 99, 121, 133.1], t);

  it('days, months and years compound from the previous period end; a lone first bar is no period', () => {
    const d = calendarReturns(c, 'day');
    // 110/100 - 1, 99/110 - 1, 121/99 - 1, 133.1/121 - 1 (2024-01-30 holds only the first bar)
    expect(Array.from(d.start)).toEqual(t.slice(1));
    expect(Array.from(d.value).map((x) => +x.toFixed(10))).toEqual([0.1, -0.1, 0.2222222222, 0.1]);
    const m = calendarReturns(c, 'month');
    // Jan 110/100, Feb 121/110, Jan 2025 133.1/121
    expect(Array.from(m.start)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1), Date.UTC(2025, 0, 1)]);
    expect(Array.from(m.value).map((x) => +x.toFixed(10))).toEqual([0.1, 0.1, 0.1]);
    const y = calendarReturns(c, 'year');
    expect(Array.from(y.value).map((x) => +x.toFixed(10))).toEqual([0.21, 0.1]);
    expect(bestWorst(d.value)).toEqual({ best: 121 / 99 - 1, worst: 99 / 110 - 1 });
    expect(bestWorst([])).toEqual({ best: null, worst: null });
  });

  it('yearly returns beside the benchmark, null for a year the benchmark lacks', () => {
    const b = curve([50, 55, 60], [t[0], t[1], t[3]]);
    expect(yearlyVsBenchmark(c, b).map((y) => ({ ...y, strategy: +y.strategy.toFixed(10), benchmark: y.benchmark === null ? null : +y.benchmark.toFixed(10) }))).toEqual([
      { year: 2024, strategy: 0.21, benchmark: 0.2 },
      { year: 2025, strategy: 0.1, benchmark: null },
    ]);
  });
});

describe('computeMetrics: tearsheet fields and the one fee figure', () => {
  const t = ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-29', '2025-01-02'].map((d) => Date.parse(d));
  const c = curve([100, 110, 99, 121, 133.1], t);

  it('best/worst day, month, year and the distribution of daily returns', () => {
    const m = computeMetrics({ equity: c, trades: [] });
    expect(m.bestDay).toBeCloseTo(121 / 99 - 1, 12);
    expect(m.worstDay).toBeCloseTo(-0.1, 12);
    expect(m.bestMonth).toBeCloseTo(0.1, 12);
    expect(m.worstMonth).toBeCloseTo(0.1, 12);
    expect(m.bestYear).toBeCloseTo(0.21, 12);
    expect(m.worstYear).toBeCloseTo(0.1, 12);
    // daily returns 0.1, -0.1, 0.2222, 0.1: q05 with h = 3 x 0.05 = 0.15 -> -0.1 + 0.15 x 0.2 = -0.07
    expect(m.valueAtRisk).toBeCloseTo(-0.07, 10);
    expect(m.conditionalValueAtRisk).toBeCloseTo(-0.1, 12);
    expect(m.skew).toBeCloseTo(skewness([0.1, -0.1, 121 / 99 - 1, 0.1])!, 12);
    expect(m.kurtosis).toBeCloseTo(excessKurtosis([0.1, -0.1, 121 / 99 - 1, 0.1])!, 12);
  });

  it('weekly bars have no best day; a one-bar curve has none of these', () => {
    const m = computeMetrics({ equity: c, trades: [], periodsPerYear: 52 });
    expect(m.bestDay).toBeNull();
    expect(m.valueAtRisk).not.toBeNull();
    const one = computeMetrics({ equity: curve([100]), trades: [] });
    expect([one.skew, one.kurtosis, one.valueAtRisk, one.bestDay, one.bestMonth, one.worstYear]).toEqual([null, null, null, null, null, null]);
  });

  it('fees: the ledger total when given (open positions included), else the closed trades', () => {
    const trades = [{ symbol: 'A', side: 'long' as const, entryTime: t[0], entryPrice: '10', exitTime: t[1], exitPrice: '11', qty: '1', pnl: '0.5', fees: '0.5' }];
    expect(computeMetrics({ equity: c, trades }).totalFees).toBe(0.5);
    expect(computeMetrics({ equity: c, trades, fees: '1.75' }).totalFees).toBe(1.75);
    expect(() => computeMetrics({ equity: c, trades, fees: 'abc' })).toThrow(/fees/);
  });
});
