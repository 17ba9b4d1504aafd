import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoDate } from '../../lib/core/bars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { main, type CliReport } from '../../scripts/backtest.js';

let dir: string;
const csvPath = () => join(dir, 'FIX.csv');

interface Row {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
}
let rows: Row[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'b1-cli-'));
  const [s] = syntheticMarket({ symbols: ['FIX'], start: '2019-01-01', end: '2021-12-31', seed: 5 });
  const r2 = (x: number) => Math.round(x * 100) / 100;
  rows = [];
  for (let i = 0; i < s.length; i++) {
    const open = r2(s.open[i]);
    const close = r2(s.close[i]);
    rows.push({ date: isoDate(s.time[i]), open, close, high: Math.max(r2(s.high[i]), open, close), low: Math.min(r2(s.low[i]), open, close) });
  }
  const text = ['Date,Open,High,Low,Close,Adj Close,Volume', ...rows.map((r) => `${r.date},${r.open},${r.high},${r.low},${r.close},${r.close},1000`)].join('\n');
  writeFileSync(csvPath(), `${text}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Independent reference: plain floats, SMA by loops, cross vs the last non-zero difference, fill at the next open. */
function reference(fast: number, slow: number, cash0: number, size: 'all' | number) {
  const c = rows.map((r) => r.close);
  const avg = (i: number, p: number) => c.slice(i - p + 1, i + 1).reduce((a, b) => a + b, 0) / p;
  let cash = cash0;
  let qty = 0;
  let last = 0;
  let pending: 'buy' | 'sell' | null = null;
  let entry = { date: '', price: 0 };
  const trades: Array<{ entryDate: string; entryPrice: number; exitDate: string; exitPrice: number; qty: number; pnl: number }> = [];
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i].open;
    if (pending === 'buy') {
      const q = size === 'all' ? Math.floor(cash / o) : size;
      if (q * o <= cash) {
        qty = q;
        cash -= q * o;
        entry = { date: rows[i].date, price: o };
      }
    } else if (pending === 'sell') {
      cash += qty * o;
      trades.push({ entryDate: entry.date, entryPrice: entry.price, exitDate: rows[i].date, exitPrice: o, qty, pnl: qty * (o - entry.price) });
      qty = 0;
    }
    pending = null;
    if (i < slow - 1) continue;
    const d = avg(i, fast) - avg(i, slow);
    if (Math.abs(d) < 1e-9) continue;
    const sign = d > 0 ? 1 : -1;
    if (last !== 0 && sign !== last) {
      if (sign > 0 && qty === 0) pending = 'buy';
      if (sign < 0 && qty > 0) pending = 'sell';
    }
    last = sign;
  }
  return { trades, finalEquity: cash + qty * c[c.length - 1], openQty: qty };
}

async function runCli(args: string[]): Promise<{ code: number; report?: CliReport; errors: string }> {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  try {
    const code = await main([...args, '--json', out, '--quiet'], () => {});
    const errors = err.mock.calls.map((c) => String(c[0])).join('\n');
    return { code, errors, ...(code === 0 ? { report: JSON.parse(readFileSync(out, 'utf8')) as CliReport } : {}) };
  } finally {
    err.mockRestore();
  }
}

describe('scripts/backtest.ts', () => {
  it('reproduces the hand-checked trade list of the tiny fixture (SMA 2/3, all in, 1000 cash)', async () => {
    const tiny = join(dir, 'TINY.csv');
    const closes = [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3, 2, 1];
    const lines = closes.map((c, i) => {
      const o = c - 0.25;
      return `2024-01-${String(i + 1).padStart(2, '0')},${o},${Math.max(o, c) + 0.1},${Math.min(o, c) - 0.1},${c},${c},1000`;
    });
    writeFileSync(tiny, ['Date,Open,High,Low,Close,Adj Close,Volume', ...lines].join('\n'));
    const { code, report } = await runCli(['--csv', tiny, '--fast', '2', '--slow', '3', '--size', 'all', '--cash', '1000', '--no-adjust']);
    expect(code).toBe(0);
    // signal at the close of Jan 7 (bar 6), buy at the open of Jan 8: floor(1000 / 3.75) = 266;
    // signal at the close of Jan 11, sell at the open of Jan 12 (1.75): 266 x (1.75 - 3.75) = -532
    expect(report!.trades).toEqual([
      { symbol: 'TINY', side: 'long', entryDate: '2024-01-08', entryPrice: '3.75', exitDate: '2024-01-12', exitPrice: '1.75', qty: '266', pnl: '-532', fees: '0' },
    ]);
    expect(report!.finalEquity).toBe('468');
    expect(report!.openPositions).toEqual([]);
  });

  it('--size all matches an independent reference trade by trade', async () => {
    const { code, report } = await runCli(['--csv', csvPath(), '--strategy', 'sma-crossover', '--fast', '10', '--slow', '30', '--size', 'all', '--cash', '100000', '--no-adjust']);
    expect(code).toBe(0);
    const ref = reference(10, 30, 100_000, 'all');
    expect(ref.trades.length).toBeGreaterThan(5);
    expect(report!.trades.length).toBe(ref.trades.length);
    report!.trades.forEach((t, k) => {
      const e = ref.trades[k];
      expect([t.symbol, t.entryDate, t.exitDate, Number(t.qty)]).toEqual(['FIX', e.entryDate, e.exitDate, e.qty]);
      expect(Number(t.entryPrice)).toBe(e.entryPrice);
      expect(Number(t.exitPrice)).toBe(e.exitPrice);
      expect(Number(t.pnl)).toBeCloseTo(e.pnl, 6);
    });
    expect(Number(report!.finalEquity)).toBeCloseTo(ref.finalEquity, 6);
    expect(report!.openPositions.length).toBe(ref.openQty > 0 ? 1 : 0);
    expect(report!.data[0]).toMatchObject({ symbol: 'FIX', bars: rows.length });
    expect(report!.metrics.numTrades).toBe(ref.trades.length);
    expect(report!.metrics.endEquity).toBeCloseTo(ref.finalEquity, 6);
  });

  it('--size N trades N shares', async () => {
    const { report } = await runCli(['--csv', csvPath(), '--fast', '5', '--slow', '20', '--size', '7', '--no-adjust']);
    const ref = reference(5, 20, 100_000, 7);
    expect(report!.trades.map((t) => [t.entryDate, t.qty])).toEqual(ref.trades.map((t) => [t.entryDate, '7']));
    expect(Number(report!.finalEquity)).toBeCloseTo(ref.finalEquity, 6);
  });

  it('runs buy-and-hold on the synthetic market without --csv', async () => {
    const { code, report } = await runCli(['--strategy', 'buy-and-hold', '--symbols', 'SA,SB', '--start', '2020-01-01', '--end', '2020-06-30']);
    expect(code).toBe(0);
    expect(report!.openPositions.map((p) => p.symbol)).toEqual(['SA', 'SB']);
    expect(report!.trades).toEqual([]);
  });

  it('--html writes the self-contained report', async () => {
    const html = join(dir, 'report.html');
    const { code } = await runCli(['--csv', csvPath(), '--no-adjust', '--html', html]);
    expect(code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toMatch(/<html/i);
    expect(text).toContain('sma-crossover(10,30)');
    expect(text).not.toMatch(/<script[^>]+src=["']https?:/i); // no network
  });

  it('exits 2 with a message naming the bad argument or file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--fast', '30', '--slow', '10'], /--fast 30 must be less than --slow 10/],
      [['--size', 'lots'], /--size: "lots"/],
      [['--cash', '-5'], /--cash: "-5"/],
      [['--strategy', 'magic'], /--strategy: "magic"/],
      [['--bogus'], /unknown argument "--bogus"/],
      [['--csv'], /--csv needs a value/],
      [['--csv', join(dir, 'missing.csv')], /missing\.csv/],
      [['--commission', 'per_share=abc'], /--commission per_share: "abc"/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.errors).toMatch(re);
    }
  });
});
