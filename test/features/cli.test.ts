/** End to end: `tsx scripts/features.ts` on small CSVs written here. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, FEATURE_NAMES, INDICATOR_COLUMNS, featureTable } from '../../lib/features/index.js';
import * as Indicators from '../../lib/indicators/index.js';
import { makeSeries } from '../../lib/core/bars.js';

const ROOT = process.cwd();
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'features-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(TSX, ['scripts/features.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// 60 daily bars in Yahoo layout; Adj Close is half the close (as after a 2-for-1 split).
const closes = Array.from({ length: 60 }, (_, i) => Math.round((100 + 10 * Math.sin(i / 5) + i * 0.3) * 100) / 100);
const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
closes.forEach((c, i) => {
  const d = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  lines.push(`${d},${(c - 0.5).toFixed(2)},${(c + 1).toFixed(2)},${(c - 1).toFixed(2)},${c.toFixed(2)},${(c / 2).toFixed(4)},${1000 + i * 10}`);
});
const good = join(dir, 'good.csv');
writeFileSync(good, lines.join('\n') + '\n');

const parse = (text: string) => {
  const [head, ...rows] = text.trim().split('\n');
  return { head: head.split(','), rows: rows.map((r) => r.split(',')) };
};

describe('npm run features', () => {
  it('writes date, the indicator columns and every default feature to stdout, warm-up cells empty', () => {
    const r = run('--csv', good, '--no-adjust');
    expect(r.err).not.toMatch(/features:/);
    expect(r.code).toBe(0);
    const { head, rows } = parse(r.out);
    expect(head).toEqual(['date', ...INDICATOR_COLUMNS, ...DEFAULT_FEATURES.filter((f) => !['rsi_14', 'macd', 'macd_signal'].includes(f))]);
    expect(INDICATOR_COLUMNS).toEqual(expect.arrayContaining(['obv', 'wma_10', 'wma_30', 'atr_14', 'true_range', 'vwap', 'adx_14', 'stoch_k', 'stoch_d', 'roc_10', 'mom_10', 'stddev_20']));
    expect(rows).toHaveLength(60);
    expect(rows[0][0]).toBe('2024-01-01');
    const col = (name: string) => rows.map((row) => row[head.indexOf(name)]);
    expect(col('sma_10')[8]).toBe('');
    const mean10 = closes.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    expect(Number(col('sma_10')[9])).toBeCloseTo(mean10, 9);
    expect(col('macd')[32]).toBe('');
    expect(col('macd')[33]).not.toBe('');
    expect(Number(col('return_1d')[1])).toBeCloseTo(closes[1] / closes[0] - 1, 11);
    // OBV (TA-Lib): the first volume, then +/- each volume on up/down closes
    let obv = 1000;
    for (let i = 1; i < 60; i++) obv += closes[i] > closes[i - 1] ? 1000 + i * 10 : closes[i] < closes[i - 1] ? -(1000 + i * 10) : 0;
    expect(Number(col('obv')[59])).toBe(obv);
    expect(col('obv')[0]).toBe('1000');
    // WMA(10): weights 1..10 on the last ten closes over 55
    const w = closes.slice(50, 60).reduce((a, c, k) => a + (k + 1) * c, 0) / 55;
    expect(Number(col('wma_10')[59])).toBeCloseTo(w, 8);
    expect(col('wma_10')[8]).toBe('');
    // raw ATR(14), Wilder: seed = mean of true ranges 1..14, then (prev x 13 + tr) / 14
    const tr = (i: number) => Math.max(2, Math.abs(closes[i] + 1 - closes[i - 1]), Math.abs(closes[i] - 1 - closes[i - 1]));
    let atr = 0;
    for (let i = 1; i <= 14; i++) atr += tr(i) / 14;
    expect(Number(col('atr_14')[14])).toBeCloseTo(atr, 8);
    for (let i = 15; i < 60; i++) atr = (atr * 13 + tr(i)) / 14;
    expect(Number(col('atr_14')[59])).toBeCloseTo(atr, 8);
    expect(col('atr_14')[13]).toBe('');
    expect(Number(col('true_range')[5])).toBeCloseTo(tr(5), 9);
  });

  it('covers every batch indicator lib/indicators exports (a new indicator must get a column)', () => {
    const helpers = new Set(['checkPeriod', 'checkFinite', 'nanArray', 'warmupArray', 'checkSameLength', 'emaK', 'emaInto', 'trueRangeOf', 'macdLookback']);
    const batch = Object.entries(Indicators).filter(([k, v]) => typeof v === 'function' && /^[a-z]/.test(k) && !helpers.has(k)).map(([k]) => k);
    const columnOf: Record<string, string> = { sma: 'sma_10', ema: 'ema_12', wma: 'wma_10', rsi: 'rsi_14', macd: 'macd', bollinger: 'bb_middle', trueRange: 'true_range', atr: 'atr_14', adx: 'adx_14', stochastic: 'stoch_k', roc: 'roc_10', momentum: 'mom_10', rollingStd: 'stddev_20', volatility: 'volatility_20', obv: 'obv', vwap: 'vwap' };
    expect(batch.filter((k) => !(k in columnOf))).toEqual([]);
    const s = makeSeries('X', '1d', { time: closes.map((_, i) => i * 86_400_000), open: closes, high: closes.map((c) => c + 1), low: closes.map((c) => c - 1), close: closes, volume: closes.map(() => 1) });
    const t = featureTable(s); // volatility (the return-based one) is the default feature volatility_20
    for (const k of batch) expect(t.columns).toContain(columnOf[k]);
  });

  it('adjusts prices unless --no-adjust, and --out writes a file', () => {
    const out = join(dir, 'out.csv');
    const r = run('--csv', good, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/wrote 60 rows to .*out\.csv/);
    const { head, rows } = parse(readFileSync(out, 'utf8'));
    const raw = parse(run('--csv', good, '--no-adjust').out);
    const j = head.indexOf('sma_30');
    expect(Number(rows[40][j])).toBeCloseTo(Number(raw.rows[40][j]) / 2, 6);
    // ratios do not care about the scale
    const k = head.indexOf('sma_20_ratio');
    expect(Number(rows[40][k])).toBeCloseTo(Number(raw.rows[40][k]), 6);
  });

  it('reads the Alpha Vantage layout too (same bars, same table)', () => {
    const av = ['timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient'];
    for (const l of lines.slice(1).reverse()) {
      const [d, o, h, lo, c, , v] = l.split(',');
      av.push([d, o, h, lo, c, c, v, '0.0', '1.0'].join(','));
    }
    const file = join(dir, 'av.csv');
    writeFileSync(file, av.join('\n') + '\n');
    const a = run('--csv', file, '--no-adjust');
    expect(a.code).toBe(0);
    expect(a.out).toBe(run('--csv', good, '--no-adjust').out);
  });

  it('names the file and row of bad input, and rejects bad arguments', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, lines.map((l, i) => (i === 12 ? l.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1abc') : l)).join('\n') + '\n');
    const r = run('--csv', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.csv:13 \[close\]/);
    const u = run('--csv', good, '--features', 'rsi_14,next_return');
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/features: --features\[1\]: "next_return" is a label/);
    const z = run('--csv', good, '--timezone', 'Mars/Olympus');
    expect(z.code).toBe(2);
    expect(z.err).toMatch(/features: --timezone: "Mars\/Olympus" is not an IANA time zone/);
    const m = run('--out', 'x.csv');
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/--csv FILE is required/);
  });

  it('--list prints every registered feature with its warm-up and whether it is in the default set', () => {
    const r = run('--list');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^name +warm-up +default +description$/);
    expect(lines).toHaveLength(FEATURE_NAMES.length + 1);
    expect(lines.find((l) => l.startsWith('rsi_14 '))).toMatch(/^rsi_14 +14 +yes +Wilder's RSI/);
    expect(lines.find((l) => l.startsWith('adx_14 '))).toMatch(/^adx_14 +27 {2,}trend strength/);
  });

  it('--timezone sets the zone of zone-less intraday times (default America/New_York)', () => {
    const f = join(dir, 'min.csv');
    writeFileSync(f, ['Date,Open,High,Low,Close,Volume', ...Array.from({ length: 3 }, (_, i) => `2024-01-02 09:3${i}:00,1,1,1,1,1`)].join('\n') + '\n');
    const dates = (text: string) => parse(text).rows.map((r) => r[0]);
    expect(dates(run('--csv', f).out)).toEqual(['2024-01-02T14:30:00Z', '2024-01-02T14:31:00Z', '2024-01-02T14:32:00Z']);
    expect(dates(run('--csv', f, '--timezone', 'UTC').out)[0]).toBe('2024-01-02T09:30:00Z');
  });

  it("takes the zone and the adjustment from the config's data section unless the options say otherwise", () => {
    const f = join(dir, 'min2.csv');
    writeFileSync(f, ['Date,Open,High,Low,Close,Volume', '2024-07-01 09:30:00,1,1,1,1,1'].join('\n') + '\n');
    const cfg = join(dir, 'london.yaml');
    writeFileSync(cfg, 'data: { timezone: Europe/London, adjust: false }\n');
    expect(parse(run('--csv', f, '--config', cfg).out).rows[0][0]).toBe('2024-07-01T08:30:00Z'); // BST
    expect(parse(run('--csv', f, '--config', cfg, '--timezone', 'UTC').out).rows[0][0]).toBe('2024-07-01T09:30:00Z');
    const j = parse(run('--csv', good).out).head.indexOf('sma_30');
    const byConfig = parse(run('--csv', good, '--config', cfg).out).rows[40][j];
    expect(byConfig).toBe(parse(run('--csv', good, '--no-adjust').out).rows[40][j]);
    expect(run('--list', '--config', cfg).err).toMatch(/--list takes no other option/);
  });
});
