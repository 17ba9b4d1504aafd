import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isoDate, type BarSeries } from '../../lib/core/bars.js';
import { main } from '../../scripts/backtest.js';
import { sizingSchema } from '../../lib/config/schema.js';
import { dec } from '../../lib/core/money.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { runBacktest } from '../../lib/engine/index.js';
import { sizingFromConfig, permissiveLimits } from '../../lib/risk/index.js';
import { SmaCrossover } from '../../lib/strategy/index.js';
import { DAY, T0, tinySeries } from './tiny-market.js';

// SMA(2/3) on the tiny market (open = close - 0.25).
// A: long from the open of bar 7 (3.75) to the open of bar 11 (1.75), again from the open of bar 15 (3.75) to the end (close 5).
// B: long from the open of bar 7 (3.75) to the open of bar 14 (4.75), a winner; flat afterwards.
const A = tinySeries('A', [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, 5]);
const B = tinySeries('B', [5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 6, 5, 4, 3]);
const run = (method: 'sleeve' | 'all_in', series = [A, B], cash = 1000) =>
  runBacktest({ series, strategy: new SmaCrossover({ fast: 2, slow: 3 }), initialCash: cash, limits: permissiveLimits(), sizing: { method } });
const summary = (r: ReturnType<typeof run>) => r.trades.map((t) => [t.symbol, (t.entryTime - T0) / DAY, t.qty, t.pnl]);

describe('sleeve sizing: each symbol owns a fixed share of the starting cash and compounds only its own P&L', () => {
  it('hand-computed two-symbol run (1000 cash, sleeves of 500)', () => {
    const r = run('sleeve');
    // A: floor(500 / 3.75) = 133 (498.75, sleeve cash 1.25); sold at 1.75 -> 1.25 + 232.75 = 234 (pnl -266).
    //    Re-entry from A's own 234 only: floor(234 / 3.75) = 62 (232.5), sleeve cash 1.5, worth 1.5 + 62 x 5 = 311.5.
    // B: 133 at 3.75, sold at 4.75 (pnl +133) -> sleeve 1.25 + 631.75 = 633, which A never touches.
    expect(summary(r)).toEqual([
      ['A', 7, '133', '-266'],
      ['B', 7, '133', '133'],
    ]);
    expect(r.openPositions).toMatchObject([{ symbol: 'A', qty: '62', avgPrice: '3.75' }]);
    expect(r.finalCash).toBe(String(1.5 + 633));
    expect(r.finalEquity).toBe('944.5');
  });

  it('all_in on the same run lets A re-enter with B\'s profit (the difference sleeves remove)', () => {
    const r = run('all_in');
    // After B's sale the account has 235.25 + 631.75 = 867; both flat -> A gets 1/2: floor(433.5 / 3.75) = 115.
    expect(r.openPositions).toMatchObject([{ symbol: 'A', qty: '115' }]);
    expect(r.finalEquity).toBe(String(867 - 115 * 3.75 + 115 * 5)); // 1010.75
  });

  it('a sleeve run equals the sum of single-symbol all-in runs on each share (5 synthetic symbols)', () => {
    const series = syntheticMarket({ symbols: ['S1', 'S2', 'S3', 'S4', 'S5'], start: '2015-01-02', end: '2019-12-31', seed: 11 });
    const r = run('sleeve', series, 100_000);
    let sum = dec(0);
    let trades = 0;
    for (const s of series) {
      const one = run('all_in', [s], 20_000);
      sum = sum.plus(one.finalEquity);
      trades += one.trades.length;
    }
    expect(r.trades.length).toBe(trades);
    expect(trades).toBeGreaterThan(20);
    expect(r.finalEquity).toBe(sum.toString());
  });

  it('config.yaml portfolio.sizing.method: sleeve and all_in map to the engine methods', () => {
    const base = { fraction: 0.1, quantity: 1, target_volatility: 0.15 };
    expect(sizingFromConfig({ ...base, method: 'sleeve' })).toEqual({ method: 'sleeve' });
    expect(sizingFromConfig({ ...base, method: 'all_in' })).toEqual({ method: 'all_in' });
    expect(sizingFromConfig(sizingSchema.parse({ method: 'sleeve' }))).toEqual({ method: 'sleeve' });
    expect(() => sizingSchema.parse({ method: 'sleeves' })).toThrow();
  });
});

describe('backtest CLI --size sleeve', () => {
  it('takes effect: the same two CSVs give the sleeve figure with sleeve and the all-in figure with all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sleeve-cli-'));
    try {
      const write = (s: BarSeries) => {
        const rows = Array.from({ length: s.length }, (_, i) => `${isoDate(s.time[i])},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},1000`);
        writeFileSync(join(dir, `${s.symbol}.csv`), ['Date,Open,High,Low,Close,Volume', ...rows].join('\n'));
        return join(dir, `${s.symbol}.csv`);
      };
      const files = [write(A), write(B)].flatMap((f) => ['--csv', f]);
      const equity = async (size: string) => {
        const out = join(dir, `${size}.json`);
        expect(await main([...files, '--fast', '2', '--slow', '3', '--cash', '1000', '--size', size, '--risk', 'none', '--commission', '0', '--slippage-bps', '0', '--fill-at', 'next_open', '--json', out, '--quiet'])).toBe(0);
        return (JSON.parse(readFileSync(out, 'utf8')) as { finalEquity: string }).finalEquity;
      };
      expect(await equity('sleeve')).toBe('944.5');
      expect(await equity('all')).toBe('1010.75');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
