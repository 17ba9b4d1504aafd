import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeSeries } from '../../lib/core/bars.js';
import {
  alphaBeta,
  buyAndHoldCurve,
  computeMetrics,
  drawdownSeries,
  drawdownStats,
  metricsToJSON,
  monthlyReturns,
  periodicReturns,
  periodsPerYearFor,
  tradeStats,
  YEAR_MS,
  type ClosedTrade,
  type EquityCurve,
} from '../../lib/metrics/index.js';

const DAY = 86_400_000;
const Q = YEAR_MS / 4; // one quarter of a 365.25-day year

function curve(equity: number[], time?: number[]): EquityCurve {
  return {
    time: Float64Array.from(time ?? equity.map((_, i) => i * DAY)),
    equity: Float64Array.from(equity),
  };
}

function trade(pnl: string, entryDay: number, exitDay: number, fees = '1'): ClosedTrade {
  return {
    symbol: 'AAA',
    side: 'long',
    entryTime: entryDay * DAY,
    entryPrice: '10',
    exitTime: exitDay * DAY,
    exitPrice: '11',
    qty: '1',
    pnl,
    fees,
  };
}

/*
 * The worked example, quarterly bars (ppy = 4), times 0, Q, 2Q, 3Q, 4Q (exactly one 365.25-day year):
 *   equity 100 -> 110 -> 99 -> 118.8 -> 112.86, returns r = [0.1, -0.1, 0.2, -0.05]
 *   mean = 0.15 / 4 = 0.0375; deviations 0.0625, -0.1375, 0.1625, -0.0875
 *   squares 0.00390625 + 0.01890625 + 0.02640625 + 0.00765625 = 0.056875; sample var = 0.056875 / 3
 *   std = 0.13768926... ; annual vol = std * 2; Sharpe = 0.0375 / std * 2 = 0.544705...
 *   downside: (-0.1)^2 + (-0.05)^2 = 0.0125, / N=4 -> 0.003125, DD = 0.0559017; Sortino = 0.0375 / DD * 2 = 1.3416408
 *   total return = 0.1286; span = 1 year -> CAGR = 0.1286
 *   drawdowns: 110 -> 99 is -10 %, 118.8 -> 112.86 is -5 %: max DD = -0.1; Calmar = 0.1286 / 0.1 = 1.286
 *   longest underwater: peak at bar 1 (110) recovered at bar 3 (118.8): 2 bars = 2 quarters = 182.625 days
 */
const EX = curve([100, 110, 99, 118.8, 112.86], [0, Q, 2 * Q, 3 * Q, 4 * Q]);

describe('computeMetrics on a hand-computed example', () => {
  const m = computeMetrics({ equity: EX, trades: [], periodsPerYear: 4 });
  const std = Math.sqrt(0.056875 / 3);

  it('returns and growth', () => {
    expect(Array.from(periodicReturns(EX.equity))).toEqual([0.1, -0.1, 0.2, -0.05].map((x) => expect.closeTo(x, 12)));
    expect(m.totalReturn).toBeCloseTo(0.1286, 12);
    expect(m.cagr).toBeCloseTo(0.1286, 12);
    expect(m.startEquity).toBe(100);
    expect(m.endEquity).toBe(112.86);
    expect(m.bars).toBe(5);
  });

  it('volatility, Sharpe, Sortino', () => {
    expect(std).toBeCloseTo(0.1376892, 6);
    expect(m.annualVolatility).toBeCloseTo(std * 2, 12);
    expect(m.sharpe).toBeCloseTo(0.5447047, 6);
    expect(m.sortino).toBeCloseTo(1.3416408, 6);
  });

  it('drawdown depth, duration, Calmar', () => {
    expect(m.maxDrawdown).toBeCloseTo(-0.1, 12);
    expect(m.maxDrawdownBars).toBe(2);
    expect(m.maxDrawdownDays).toBeCloseTo(182.625, 9);
    expect(m.calmar).toBeCloseTo(1.286, 9);
  });

  it('risk-free rate is subtracted per period', () => {
    // rf = 4 % a year = 1 % a quarter: Sharpe = (0.0375 - 0.01) / std * 2
    const m2 = computeMetrics({ equity: EX, trades: [], periodsPerYear: 4, riskFreeRate: 0.04 });
    expect(m2.sharpe).toBeCloseTo(((0.0375 - 0.01) / std) * 2, 12);
    // downside vs 0.01: (0.1-0.01)->none, (-0.11)^2=0.0121, (0.19)->none, (-0.06)^2=0.0036: sum 0.0157 / 4
    expect(m2.sortino).toBeCloseTo(((0.0375 - 0.01) / Math.sqrt(0.0157 / 4)) * 2, 12);
  });

  it('CAGR over two calendar years is the geometric rate', () => {
    // 100 -> 121 over exactly 2 years: (1.21)^(1/2) - 1 = 0.1
    const m2 = computeMetrics({ equity: curve([100, 105, 121], [0, YEAR_MS, 2 * YEAR_MS]), trades: [] });
    expect(m2.cagr).toBeCloseTo(0.1, 12);
  });
});

describe('drawdown helpers', () => {
  it('underwater series', () => {
    // peaks 100, 110, 110, 118.8, 118.8 -> 0, 0, 99/110-1, 0, 112.86/118.8-1
    const dd = drawdownSeries(EX.equity);
    expect(Array.from(dd)).toEqual([0, 0, expect.closeTo(-0.1, 12), 0, expect.closeTo(-0.05, 12)]);
  });

  it('an unrecovered drawdown runs to the last bar', () => {
    // peak 120 at bar 1; never regained; bars 1..5 = 4 bars; deepest 60/120-1 = -0.5 at bar 3
    const s = drawdownStats(curve([100, 120, 90, 60, 80, 119]));
    expect(s.maxDrawdown).toBeCloseTo(-0.5, 12);
    expect(s.peakIndex).toBe(1);
    expect(s.troughIndex).toBe(3);
    expect(s.longestBars).toBe(4);
    expect(s.longestDays).toBe(4);
    expect(s.longestRecovered).toBe(false);
  });

  it('the longest stretch is not necessarily the deepest', () => {
    // stretch A: peak bar 0 (100) -> 50 -> back to 100 at bar 2 (2 bars, -50 %)
    // stretch B: peak bar 3 (101) -> 100, 100, 100 -> 102 at bar 7 (4 bars, -1 %)
    const s = drawdownStats(curve([100, 50, 100, 101, 100, 100, 100, 102]));
    expect(s.maxDrawdown).toBeCloseTo(-0.5, 12);
    expect(s.longestBars).toBe(4);
    expect(s.longestStart).toBe(3);
    expect(s.longestEnd).toBe(7);
    expect(s.longestRecovered).toBe(true);
  });
});

describe('trade statistics', () => {
  /*
   * pnl 50, -20, 30, 0, -10: wins 2 (50, 30), losses 2 (-20, -10), one scratch
   * win rate 2/5 = 0.4; gross profit 80, gross loss -30, profit factor 80/30 = 2.6667
   * expectancy 50/5 = 10; avg win 40; avg loss -15; holding 1..5 days -> mean 3 days; fees 5 x 1
   */
  const trades = [trade('50', 0, 1), trade('-20', 0, 2), trade('30', 1, 4), trade('0', 0, 4), trade('-10', 0, 5)];

  it('hand-computed', () => {
    const t = tradeStats(trades);
    expect(t.numTrades).toBe(5);
    expect(t.winRate).toBe(0.4);
    expect(t.profitFactor).toBeCloseTo(8 / 3, 12);
    expect(t.expectancy).toBe(10);
    expect(t.avgWin).toBe(40);
    expect(t.avgLoss).toBe(-15);
    expect(t.netPnl).toBe(50);
    expect(t.totalFees).toBe(5);
    expect(t.avgHoldingDays).toBe(3);
  });

  it('decimal sums are exact', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004
    const t = tradeStats([trade('0.1', 0, 1), trade('0.2', 0, 1)]);
    expect(t.netPnl).toBe(0.3);
  });

  it('only wins -> profit factor Infinity, written as "Infinity" in JSON', () => {
    const m = computeMetrics({ equity: curve([100, 101]), trades: [trade('1', 0, 1)] });
    expect(m.profitFactor).toBe(Infinity);
    expect(m.avgLoss).toBeNull();
    const j = metricsToJSON(m);
    expect(j.profitFactor).toBe('Infinity');
    expect(JSON.parse(JSON.stringify(j)).profitFactor).toBe('Infinity');
  });
});

describe('alpha and beta', () => {
  // benchmark returns rb = [0.05, -0.05, 0.1, -0.025]: 100, 105, 99.75, 109.725, 106.981875
  const bench = curve([100, 105, 99.75, 109.725, 106.981875], [0, Q, 2 * Q, 3 * Q, 4 * Q]);

  it('strategy = 2 x benchmark returns: beta 2, alpha 0', () => {
    // EX has r = [0.1, -0.1, 0.2, -0.05] = 2 * rb exactly
    const m = computeMetrics({ equity: EX, benchmark: bench, trades: [], periodsPerYear: 4 });
    expect(m.beta).toBeCloseTo(2, 10);
    expect(m.alpha).toBeCloseTo(0, 10);
    expect(m.benchmarkReturn).toBeCloseTo(0.06981875, 12);
  });

  it('r = 2 rb + 1 % a period: beta 2, alpha 0.01 x 4 = 0.04 a year', () => {
    // r = [0.11, -0.09, 0.21, -0.04]
    const eq = [100];
    for (const r of [0.11, -0.09, 0.21, -0.04]) eq.push(eq[eq.length - 1] * (1 + r));
    const ab = alphaBeta(curve(eq, [0, Q, 2 * Q, 3 * Q, 4 * Q]), bench, 4);
    expect(ab.beta).toBeCloseTo(2, 10);
    expect(ab.alpha).toBeCloseTo(0.04, 10);
  });

  it('a flat benchmark has no beta', () => {
    const m = computeMetrics({ equity: EX, benchmark: curve([1, 1, 1, 1, 1], Array.from(EX.time)), trades: [], periodsPerYear: 4 });
    expect(m.beta).toBeNull();
    expect(m.alpha).toBeNull();
    expect(m.benchmarkReturn).toBe(0);
  });

  it('a benchmark on other timestamps is carried forward onto the strategy times', () => {
    // benchmark known at 0 and 2Q only: on the strategy times it reads 100, 100, 110, 110, 110
    const b = curve([100, 110], [0, 2 * Q]);
    const ab = alphaBeta(EX, b, 4);
    expect(ab.benchmarkReturn).toBeCloseTo(0.1, 12);
    // rb = [0, 0.1, 0, 0]; r = [0.1, -0.1, 0.2, -0.05]; cov/var by hand:
    // mean rb 0.025, mean r 0.0375; cov = ((-0.025)(0.0625)+(0.075)(-0.1375)+(-0.025)(0.1625)+(-0.025)(-0.0875))/3
    //     = (-0.0015625 - 0.0103125 - 0.0040625 + 0.0021875)/3 = -0.01375/3; var = (3*0.000625+0.005625)/3 = 0.0075/3
    expect(ab.beta).toBeCloseTo(-0.01375 / 0.0075, 10);
  });
});

describe('monthly returns', () => {
  it('months compound to the year', () => {
    // 2023-12-29 100 | 2024-01-30 100, 01-31 102 | 02-01 101, 02-29 110 | 03-01 99
    // Dec 2023: 100/100-1 = 0; Jan: 102/100-1 = 0.02; Feb: 110/102-1; Mar: 99/110-1 = -0.1; 2024: 99/100-1 = -0.01
    const t = ['2023-12-29', '2024-01-30', '2024-01-31', '2024-02-01', '2024-02-29', '2024-03-01'].map((d) => Date.parse(d));
    const mr = monthlyReturns(curve([100, 100, 102, 101, 110, 99], t));
    expect(mr.years).toEqual([2023, 2024]);
    expect(mr.values[0][11]).toBe(0);
    expect(mr.values[0].slice(0, 11).every((v) => v === null)).toBe(true);
    expect(mr.values[1][0]).toBeCloseTo(0.02, 12);
    expect(mr.values[1][1]).toBeCloseTo(110 / 102 - 1, 12);
    expect(mr.values[1][2]).toBeCloseTo(-0.1, 12);
    expect(mr.values[1][3]).toBeNull();
    expect(mr.yearly[0]).toBe(0);
    expect(mr.yearly[1]).toBeCloseTo(-0.01, 12);
    const compounded = mr.values[1].reduce<number>((acc, v) => acc * (1 + (v ?? 0)), 1) - 1;
    expect(compounded).toBeCloseTo(mr.yearly[1] as number, 12);
  });

  it('intraday bars: the last bar of each month and year ends it, to the millisecond', () => {
    // hourly bars from 2019-12-30 to 2021-01-02, with bars at 23:59:59.999 and 00:00 on month changes
    const t: number[] = [];
    for (let x = Date.UTC(2019, 11, 30); x < Date.UTC(2021, 0, 2); x += 3_600_000) {
      t.push(x);
      if (new Date(x + 3_600_000).getUTCDate() === 1 && new Date(x).getUTCHours() === 23) t.push(x + 3_599_999);
    }
    const eq = t.map((_, i) => 100 + 10 * Math.sin(i / 50));
    const mr = monthlyReturns(curve(eq, t));
    // independently: the index of the last bar of each (year, month), by Date per bar
    const lastOf = new Map<string, number>();
    t.forEach((x, i) => lastOf.set(`${new Date(x).getUTCFullYear()}-${new Date(x).getUTCMonth()}`, i));
    let base = eq[0];
    const want = new Map<string, number>();
    for (const [k, i] of lastOf) {
      want.set(k, eq[i] / base - 1);
      base = eq[i];
    }
    expect(mr.years).toEqual([2019, 2020, 2021]);
    for (const [k, v] of want) {
      const [y, m] = k.split('-').map(Number);
      expect(mr.values[y - 2019][m]).toBe(v);
    }
    expect(mr.yearly[1]).toBe(eq[lastOf.get('2020-11')!] / eq[lastOf.get('2019-11')!] - 1);
  });
});

describe('buyAndHoldCurve', () => {
  it('equal weight, each symbol bought at its first close', () => {
    // A: t0 10, t1 20, t2 20 -> 500 buys 50 shares at t0
    // B: t1 5, t2 10      -> its 500 is cash until t1, then 100 shares
    // equity: t0 500 + 50*10 = 1000; t1 50*20 + 100*5 = 1500; t2 50*20 + 100*10 = 2000
    const A = makeSeries('A', '1d', { time: [0, DAY, 2 * DAY], open: [10, 20, 20], high: [10, 20, 20], low: [10, 20, 20], close: [10, 20, 20], volume: [1, 1, 1] });
    const B = makeSeries('B', '1d', { time: [DAY, 2 * DAY], open: [5, 10], high: [5, 10], low: [5, 10], close: [5, 10], volume: [1, 1] });
    const c = buyAndHoldCurve([A, B], 1000);
    expect(Array.from(c.time)).toEqual([0, DAY, 2 * DAY]);
    expect(Array.from(c.equity)).toEqual([1000, 1500, 2000]);
  });

  it('rejects bad cash', () => {
    expect(() => buyAndHoldCurve([], 1000)).toThrow(/series/);
    expect(() => buyAndHoldCurve([], 0)).toThrow(/initialCash/);
  });
});

describe('edge cases: documented values, never NaN', () => {
  it('flat equity and no trades', () => {
    const m = computeMetrics({ equity: curve([100, 100, 100, 100]), trades: [], exposure: new Float64Array(4) });
    expect(m.totalReturn).toBe(0);
    expect(m.cagr).toBe(0);
    expect(m.annualVolatility).toBe(0);
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.calmar).toBeNull();
    expect(m.maxDrawdown).toBe(0);
    expect(m.maxDrawdownBars).toBe(0);
    expect(m.numTrades).toBe(0);
    expect(m.winRate).toBeNull();
    expect(m.profitFactor).toBeNull();
    expect(m.expectancy).toBeNull();
    expect(m.avgHoldingDays).toBeNull();
    expect(m.exposure).toBe(0);
    expect(m.turnover).toBeNull();
    expect(m.beta).toBeNull();
  });

  it('steady growth with no losing period has no Sortino (zero downside)', () => {
    const m = computeMetrics({ equity: curve([100, 101, 103, 104]), trades: [] });
    expect(m.sortino).toBeNull();
    expect(m.sharpe).not.toBeNull();
  });

  it('one bar and an empty curve', () => {
    const one = computeMetrics({ equity: curve([100]), trades: [] });
    expect(one.totalReturn).toBe(0);
    expect(one.cagr).toBeNull();
    expect(one.annualVolatility).toBeNull();
    const none = computeMetrics({ equity: curve([]), trades: [] });
    expect(none.bars).toBe(0);
    expect(none.startTime).toBeNull();
  });

  it('bad input names the field', () => {
    expect(() => computeMetrics({ equity: { time: new Float64Array(2), equity: new Float64Array(3) }, trades: [] })).toThrow(/equity\.time/);
    expect(() => computeMetrics({ equity: curve([100, NaN]), trades: [] })).toThrow(/equity\.equity\[1\]/);
    expect(() => computeMetrics({ equity: curve([100, 101], [5, 5]), trades: [] })).toThrow(/strictly increasing/);
    expect(() => computeMetrics({ equity: curve([0, 1]), trades: [] })).toThrow(/equity\[0\]/);
    expect(() => computeMetrics({ equity: curve([1, 2]), trades: [], periodsPerYear: 0 })).toThrow(/periodsPerYear/);
    expect(() => computeMetrics({ equity: curve([1, 2]), trades: [], exposure: new Float64Array(3) })).toThrow(/exposure/);
  });

  it('random curves (including ruin) never produce NaN', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 2, noNaN: true }), { minLength: 0, maxLength: 40 }), (rs) => {
        const eq = [100];
        for (const r of rs) eq.push(Math.max(0, eq[eq.length - 1] * (1 + r)));
        const bench = curve(eq.map((_, i) => 100 + i));
        const m = computeMetrics({ equity: curve(eq), benchmark: bench, trades: [], exposure: new Float64Array(eq.length), turnover: 1 });
        for (const [k, v] of Object.entries(m)) {
          if (v !== null && Number.isNaN(v)) throw new Error(`${k} is NaN`);
        }
        expect(m.maxDrawdown).toBeLessThanOrEqual(0);
        expect(m.maxDrawdown).toBeGreaterThanOrEqual(-1);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('periodsPerYearFor', () => {
  it('daily, weekly, intraday', () => {
    expect(periodsPerYearFor('1d')).toBe(252);
    expect(periodsPerYearFor('1wk')).toBe(52);
    expect(periodsPerYearFor('1m')).toBe(252 * 390);
    expect(periodsPerYearFor('5m')).toBe(252 * 78);
    expect(periodsPerYearFor('1h')).toBe(252 * 7);
  });
});
