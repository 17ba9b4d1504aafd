import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoDate } from '../../lib/core/bars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { describeRejections, main, type CliReport } from '../../scripts/backtest.js';

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

// The reference runs are cost-free and uncapped; config.yaml's costs and limits are tested on their own below.
const FREE = ['--commission', '0', '--slippage-bps', '0', '--risk', 'none'];

async function runCli(args: string[], opts: { quiet?: boolean; report?: boolean } = {}): Promise<{ code: number; report?: CliReport; errors: string; out: string[] }> {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const json = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const out: string[] = [];
  try {
    const code = await main([...args, '--json', json, ...(opts.quiet === false ? [] : ['--quiet']), ...(opts.report ? [] : ['--no-report'])], (s) => out.push(s));
    const errors = err.mock.calls.map((c) => String(c[0])).join('\n');
    return { code, errors, out, ...(code === 0 && !args.includes('--help') ? { report: JSON.parse(readFileSync(json, 'utf8')) as CliReport } : {}) };
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
    const { code, report } = await runCli(['--csv', tiny, '--fast', '2', '--slow', '3', '--size', 'all', '--cash', '1000', '--no-adjust', ...FREE]);
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
    const { code, report } = await runCli(['--csv', csvPath(), '--strategy', 'sma-crossover', '--fast', '10', '--slow', '30', '--size', 'all', '--cash', '100000', '--no-adjust', ...FREE]);
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
    const { report } = await runCli(['--csv', csvPath(), '--fast', '5', '--slow', '20', '--size', '7', '--no-adjust', ...FREE]);
    const ref = reference(5, 20, 100_000, 7);
    expect(report!.trades.map((t) => [t.entryDate, t.qty])).toEqual(ref.trades.map((t) => [t.entryDate, '7']));
    expect(Number(report!.finalEquity)).toBeCloseTo(ref.finalEquity, 6);
  });

  it('runs buy-and-hold on the synthetic market without --csv', async () => {
    const { code, report } = await runCli(['--strategy', 'buy-and-hold', '--symbols', 'SA,SB', '--start', '2020-01-01', '--end', '2020-06-30', '--risk', 'none']);
    expect(code).toBe(0);
    expect(report!.openPositions.map((p) => p.symbol)).toEqual(['SA', 'SB']);
    expect(report!.trades).toEqual([]);
  });

  it('--html writes the self-contained report', async () => {
    const html = join(dir, 'report.html');
    const { code } = await runCli(['--csv', csvPath(), '--no-adjust', '--html', html], { report: true });
    expect(code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toMatch(/<html/i);
    expect(text).toContain('sma-crossover(10,30)');
    expect(text).not.toMatch(/<script[^>]+src=["']https?:/i); // no network
  });

  it('the report shows the fees the console prints (the ledger total), with costs on', async () => {
    const html = join(dir, 'fees.html');
    const cfg = join(dir, 'fees.yaml');
    writeFileSync(cfg, 'broker: { commission: { per_share: 0.013, minimum: 1.3 }, slippage_bps: 3 }\n');
    const r = await runCli(['--csv', csvPath(), '--no-adjust', '--config', cfg, '--html', html], { quiet: false, report: true });
    expect(r.code).toBe(0);
    const fees = Number(r.report!.fees);
    expect(fees).toBeGreaterThan(0);
    expect(r.out.join('\n')).toContain(`fees ${r.report!.fees}`);
    const shown = /class="def">Fees<\/td><td>([^<]+)<\/td>/.exec(readFileSync(html, 'utf8'))?.[1];
    expect(shown).toBe(fees.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  });

  it('--start/--end cut a CSV to the range (inclusive), before any trading', async () => {
    const all = await runCli(['--csv', csvPath(), '--no-adjust', ...FREE, '--size', 'all']);
    const cut = await runCli(['--csv', csvPath(), '--no-adjust', ...FREE, '--size', 'all', '--start', '2020-03-02', '--end', '2020-12-31']);
    expect(cut.code).toBe(0);
    const inRange = rows.filter((r) => r.date >= '2020-03-02' && r.date <= '2020-12-31');
    expect(cut.report!.data[0]).toMatchObject({ bars: inRange.length, start: inRange[0].date, end: inRange[inRange.length - 1].date });
    expect(all.report!.data[0].bars).toBe(rows.length);
    for (const t of cut.report!.trades) expect(t.entryDate >= '2020-03-02' && t.exitDate <= '2020-12-31').toBe(true);
    // the cut run is the full-file run of a file that holds only those rows
    const cutCsv = join(dir, 'CUT.csv');
    writeFileSync(cutCsv, ['Date,Open,High,Low,Close,Adj Close,Volume', ...inRange.map((r) => `${r.date},${r.open},${r.high},${r.low},${r.close},${r.close},1000`)].join('\n'));
    const ref = await runCli(['--csv', cutCsv, '--no-adjust', ...FREE, '--size', 'all']);
    expect(cut.report!.trades.map((t) => [t.entryDate, t.exitDate, t.pnl])).toEqual(ref.report!.trades.map((t) => [t.entryDate, t.exitDate, t.pnl]));
    expect(cut.report!.finalEquity).toBe(ref.report!.finalEquity);
  });

  it("uses the config file's costs, cash and limits unless overridden, and says which", async () => {
    const cfg = join(dir, 'costs.yaml');
    writeFileSync(cfg, 'broker: { commission: { per_share: 0.01, minimum: 1 }, slippage_bps: 5 }\nportfolio: { initial_cash: 50000, max_position_size: 0.2 }\n');
    const r = await runCli(['--csv', csvPath(), '--no-adjust', '--config', cfg], { quiet: false });
    expect(r.code).toBe(0);
    expect(r.report!.initialCash).toBe('50000');
    expect(r.report!.config).toMatchObject({ commission: { perShare: 0.01, minimum: 1 }, slippageBps: 5, limits: { maxPositionFraction: 0.2 } });
    expect(Number(r.report!.fees)).toBeGreaterThan(0);
    // every trade pays at least the minimum on both legs
    for (const t of r.report!.trades) expect(Number(t.fees)).toBeGreaterThanOrEqual(2);
    expect(r.out.join('\n')).toContain(`commission 0.01/share, minimum 1 (${cfg} broker.commission), slippage 5 bps (${cfg} broker.slippage_bps)`);
    expect(r.out.join('\n')).toContain(`position cap 20% of equity`);
    const o = await runCli(['--csv', csvPath(), '--no-adjust', '--config', cfg, '--commission', '0', '--slippage-bps', '0', '--cash', '1000'], { quiet: false });
    expect(o.report!.fees).toBe('0');
    expect(o.report!.initialCash).toBe('1000');
    expect(o.out.join('\n')).toContain('commission none (--commission), slippage 0 bps (--slippage-bps)');
    expect(o.out.join('\n')).toContain('cash 1000 (--cash)');
  });

  it("adjusts CSV prices as the config's data.adjust says, unless --no-adjust", async () => {
    const cfg = join(dir, 'raw.yaml');
    writeFileSync(cfg, 'data: { adjust: false }\n');
    // Adj Close at half the close: adjusted prices are half the raw ones.
    const half = join(dir, 'HALF.csv');
    const [head, ...rows] = readFileSync(csvPath(), 'utf8').trim().split('\n');
    writeFileSync(half, [head, ...rows.map((r) => r.split(',').map((x, j) => (j === 5 ? String(Number(x) / 2) : x)).join(','))].join('\n'));
    const byConfig = await runCli(['--csv', half, '--config', cfg, ...FREE, '--size', 'all']);
    const byFlag = await runCli(['--csv', half, '--no-adjust', ...FREE, '--size', 'all']);
    const adjusted = await runCli(['--csv', half, ...FREE, '--size', 'all']);
    expect(byConfig.report!.config).toMatchObject({ adjust: false });
    expect(adjusted.report!.config).toMatchObject({ adjust: true });
    expect(byConfig.report!.trades).toEqual(byFlag.report!.trades);
    expect(Number(adjusted.report!.trades[0].entryPrice)).toBeCloseTo(Number(byFlag.report!.trades[0].entryPrice) / 2, 9);
  });

  it('ends with CAGR, Sharpe, max drawdown, exposure and the report path', async () => {
    const html = join(dir, 'summary.html');
    const r = await runCli(['--csv', csvPath(), '--no-adjust', '--html', html], { quiet: false, report: true });
    expect(r.code).toBe(0);
    const m = r.report!.metrics;
    const p = (x: unknown) => `${((x as number) * 100).toFixed(1)}%`;
    expect(r.out.at(-3)).toBe(`result: total ${p(m.totalReturn)}, CAGR ${p(m.cagr)}, Sharpe ${(m.sharpe as number).toFixed(2)}, max drawdown ${p(m.maxDrawdown)}, exposure ${p(m.exposure)}`);
    expect(r.out.at(-2)).toMatch(/^buy-and-hold of the same symbols \(no costs\): total /);
    expect(r.out.at(-1)).toBe(`report: ${html}`);
  });

  it('explains orders dropped at the fill in words', () => {
    const lines = describeRejections(
      [
        { time: Date.UTC(2020, 2, 2), symbol: 'FIX', side: 'sell', qty: '100', status: 'rejected', reason: 'short selling is disabled: sell 100 FIX exceeds the position 0' },
        { time: Date.UTC(2020, 2, 3), symbol: 'FIX', side: 'sell', qty: '50', status: 'rejected', reason: 'short selling is disabled: sell 50 FIX exceeds the position 0' },
        { time: Date.UTC(2020, 2, 4), symbol: 'FIX', side: 'buy', qty: '10', status: 'rejected', reason: 'insufficient cash: buy 10 FIX at 9 costs 90, cash is 5' },
      ],
      isoDate,
    );
    expect(lines[0]).toBe('3 orders were accepted but not filled:');
    expect(lines[1]).toMatch(/^ {2}2 x sells larger than the position still held .*shorting is off \(portfolio\.allow_short: false\)$/);
    expect(lines[2]).toMatch(/^ {2}1 x buys the cash no longer covered at the fill price/);
    expect(lines[3]).toBe('  first: 2020-03-02 sell 100 FIX: short selling is disabled: sell 100 FIX exceeds the position 0');
    expect(describeRejections([], isoDate)).toEqual([]);
  });

  it('--help lists every option with its default and exits 0', async () => {
    const r = await runCli(['--help'], { quiet: false });
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    for (const flag of ['--csv', '--start', '--end', '--strategy', '--commission', '--slippage-bps', '--risk', '--config', '--html', '--no-report']) expect(text).toContain(flag);
    expect(text).toMatch(/--strategy sma-crossover\|buy-and-hold\|ml\s+strategy to trade \(default: sma-crossover\)/);
  });

  it('exits 2 with a message naming the bad argument, 1 for a bad file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--fast', '30', '--slow', '10'], /--fast 30 must be less than --slow 10/],
      [['--size', 'lots'], /--size: "lots"/],
      [['--cash=-5'], /--cash: "-5"/],
      [['--cash', '-5'], /--cash needs a value/],
      [['--strategy', 'magic'], /--strategy: "magic" is not one of sma-crossover, buy-and-hold, ml/],
      [['--bogus'], /unknown option --bogus/],
      [['--csv'], /--csv needs a value/],
      [['--start', '2020-13-45'], /--start: "2020-13-45" is not a date/],
      [['--csv', csvPath(), '--start', '2030-01-01'], /leaves no bars of .*FIX\.csv \(it covers 2019-01-01\.\.2021-12-3\d\)/],
      [['--commission', 'per_share=abc'], /--commission per_share: "abc"/],
      [['--csv', csvPath(), '--seed', '3'], /--seed has no effect with --csv/],
      [['--no-adjust'], /--no-adjust has no effect without --csv/],
      [['--strategy', 'buy-and-hold', '--fast', '5'], /--fast has no effect with --strategy buy-and-hold/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.errors).toMatch(re);
    }
    const missing = await runCli(['--csv', join(dir, 'missing.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.errors).toMatch(/missing\.csv/);
  });
});
