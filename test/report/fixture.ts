/** A small, deterministic report input from the synthetic market with fake trades (no engine needed). */
import type { BarSeries } from '../../lib/core/bars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { buyAndHoldCurve, type ClosedTrade } from '../../lib/metrics/index.js';
import type { ReportInput } from '../../lib/report/index.js';

/** Every `every` bars each symbol buys 10 shares at the close and sells `hold` bars later; equity marks it. */
export function fakeRun(symbols: readonly string[], start: string, end: string, seed = 7, every = 25, hold = 10): ReportInput & { series: BarSeries[] } {
  const series = syntheticMarket({ symbols, start, end, seed });
  const cash0 = 100_000;
  const bench = buyAndHoldCurve(series, cash0);
  const trades: ClosedTrade[] = [];
  const T = series[0].length;
  const pnlAt = new Float64Array(T);
  for (const s of series) {
    for (let i = 5; i + hold < s.length; i += every) {
      const entry = Number(s.close[i].toFixed(2));
      const exit = Number(s.close[i + hold].toFixed(2));
      const pnl = ((exit - entry) * 10 - 2).toFixed(2);
      trades.push({
        symbol: s.symbol,
        side: 'long',
        entryTime: s.time[i],
        entryPrice: entry.toFixed(2),
        exitTime: s.time[i + hold],
        exitPrice: exit.toFixed(2),
        qty: '10',
        pnl,
        fees: '2.00',
      });
      for (let k = i + hold; k < T; k++) pnlAt[k] += Number(pnl);
    }
  }
  trades.sort((a, b) => a.exitTime - b.exitTime || a.symbol.localeCompare(b.symbol));
  const equity = new Float64Array(T);
  const exposure = new Float64Array(T);
  for (let k = 0; k < T; k++) {
    equity[k] = cash0 + pnlAt[k];
    exposure[k] = (k % 25) >= 5 && (k % 25) < 15 ? 0.05 * series.length : 0;
  }
  return {
    title: 'Test report <script>alert("x")</script> & co',
    strategy: 'fake <b>every</b> 25',
    series,
    equity: { time: series[0].time, equity },
    benchmark: bench,
    trades,
    exposure,
    turnover: 3.5,
    config: { strategy: 'fake', params: { every, hold }, note: '</script><b>not bold</b>' },
    dataSource: 'synthetic seed 7',
    initialCash: '100000',
    openPositions: [{ symbol: symbols[0], qty: '10', avgPrice: '101.5', lastPrice: '102', marketValue: '1020', unrealized: '5' }],
  };
}
