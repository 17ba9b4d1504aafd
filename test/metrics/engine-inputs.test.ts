/** The engine's result feeds metrics and the report as it is (structural types), with consistent numbers. */
import { describe, expect, it } from 'vitest';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { runBacktest } from '../../lib/engine/index.js';
import { buyAndHoldCurve, computeMetrics, tradeStats, type MetricsInput } from '../../lib/metrics/index.js';
import { backtestMetricsInput, backtestReportHtml, fmtMoney, renderReport } from '../../lib/report/index.js';
import { SmaCrossover } from '../../lib/strategy/index.js';

describe('metrics of a real backtest', () => {
  const series = syntheticMarket({ symbols: ['AAA', 'BBB'], start: '2018-01-01', end: '2020-01-01', seed: 11 });
  const res = runBacktest({ series, strategy: new SmaCrossover({ fast: 5, slow: 20 }), initialCash: 100_000 });
  const input: MetricsInput = { equity: res.equity, benchmark: res.benchmark, trades: res.trades, exposure: res.exposure, turnover: res.turnover };
  const m = computeMetrics(input);

  it('agrees with the ledger', () => {
    expect(res.trades.length).toBeGreaterThan(0);
    expect(m.numTrades).toBe(res.trades.length);
    expect(m.startEquity).toBeCloseTo(Number(res.initialCash), 6);
    expect(m.endEquity).toBeCloseTo(Number(res.finalEquity), 4);
    expect(m.totalReturn).toBeCloseTo(Number(res.finalEquity) / Number(res.initialCash) - 1, 9);
    expect(m.totalFees).toBeCloseTo(tradeStats(res.trades).totalFees, 12);
    expect(m.exposure).not.toBeNull();
    expect(m.exposure as number).toBeGreaterThanOrEqual(0);
    expect(m.beta).not.toBeNull();
  });

  it('our equal-weight buy-and-hold matches the engine benchmark', () => {
    const b = buyAndHoldCurve(series, 100_000);
    expect(Array.from(b.time)).toEqual(Array.from(res.benchmark.time));
    for (let i = 0; i < b.equity.length; i += 50) expect(b.equity[i]).toBeCloseTo(res.benchmark.equity[i], 6);
  });

  it('renders a report from it', () => {
    const html = renderReport({ ...input, series, strategy: 'sma-crossover (5/20)', initialCash: res.initialCash, finalEquity: res.finalEquity, openPositions: res.openPositions });
    expect(html.includes(`Trades (${res.trades.length})`)).toBe(true);
  });

  it('backtestReportHtml takes the engine result as it is', () => {
    const html = backtestReportHtml({ result: res, series, config: { fast: 5, slow: 20 } });
    expect(html.includes(`Trades (${res.trades.length})`)).toBe(true);
    expect(html.includes('&quot;slow&quot;: 20')).toBe(true);
  });

  it('one fee figure: the report shows the ledger total the console prints, open positions included', () => {
    // commission on every fill; the run ends holding a position whose entry fee is in no closed trade
    const withFees = runBacktest({ series, strategy: new SmaCrossover({ fast: 5, slow: 20 }), initialCash: 100_000, commission: { percent: 0.1, minimum: 1 } });
    expect(withFees.openPositions.length).toBeGreaterThan(0);
    const closedOnly = tradeStats(withFees.trades).totalFees;
    expect(Number(withFees.fees)).toBeGreaterThan(closedOnly); // the gap the console and the report used to show
    const mm = computeMetrics(backtestMetricsInput(withFees));
    expect(mm.totalFees).toBe(Number(withFees.fees));
    const html = backtestReportHtml({ result: withFees, series });
    expect(html).toContain(`<td title="all fills, as the ledger (and the console) report them" class="def">Fees</td><td>${fmtMoney(Number(withFees.fees))}</td>`);
  });
});
