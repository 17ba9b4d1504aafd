import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimClock } from '../../lib/core/clock.js';
import { UnknownSymbolError } from '../../lib/core/errors.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { YahooProvider } from '../../lib/data/yahoo.js';
import { startFakeYahoo, type FakeYahoo } from '../fixtures/yahoo-server.js';

const [base] = syntheticMarket({ symbols: ['AAPL'], start: '2020-01-01', end: '2021-01-01', seed: 7 });
// Give the fake vendor a dividend-adjusted close: 1% lower before 2020-07-01.
const cut = Date.UTC(2020, 6, 1);
const adj = Float64Array.from(base.close, (c, i) => (base.time[i] < cut ? c * 0.99 : c));
const aapl = { ...base, adjClose: adj };

describe('YahooProvider against a local server speaking Yahoo chart JSON', () => {
  let server: FakeYahoo;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeYahoo({ AAPL: aapl }, { AAPL: [{ time: cut + 2 * 86_400_000, amount: 0.82 }] });
    dir = mkdtempSync(join(tmpdir(), 'yahoo-cache-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const provider = (opts: Partial<ConstructorParameters<typeof YahooProvider>[0]> = {}) =>
    new YahooProvider({ baseUrl: server.url, cacheDir: dir, clock: new SimClock(Date.UTC(2022, 0, 1)), sleep: async () => {}, ...opts });

  it('loads bars stamped at midnight UTC of the trading date, adjusted by adjclose/close', async () => {
    const p = provider({ cacheDir: null });
    const s = await p.load({ symbol: 'AAPL', start: '2020-03-02', end: '2020-04-01' });
    const i0 = base.time.indexOf(Date.UTC(2020, 2, 2));
    expect(s.time[0]).toBe(Date.UTC(2020, 2, 2));
    expect(s.length).toBe(base.time.indexOf(Date.UTC(2020, 3, 1)) - i0);
    expect(s.close[0]).toBeCloseTo(base.close[i0] * 0.99, 10);
    expect(s.open[0]).toBeCloseTo(base.open[i0] * 0.99, 10);
    expect(s.volume[0]).toBe(base.volume[i0]);
    expect(s.adjusted).toBe(true);
    const raw = await provider({ cacheDir: null, adjust: false }).load({ symbol: 'AAPL', start: '2020-03-02', end: '2020-04-01' });
    expect(raw.close[0]).toBe(base.close[i0]);
  });

  it('maps dividends onto their bar', async () => {
    const s = await provider({ cacheDir: null }).load({ symbol: 'AAPL', start: '2020-06-01', end: '2020-08-01' });
    const k = s.time.indexOf(cut + 2 * 86_400_000);
    expect(s.dividends![k]).toBe(0.82);
    expect(s.dividends!.reduce((a, b) => a + b, 0)).toBe(0.82);
  });

  it('serves cached ranges from disk and fetches only the missing range', async () => {
    const p = provider();
    const n0 = server.requests.length;
    const a = await p.load({ symbol: 'AAPL', start: '2020-02-01', end: '2020-05-01' });
    expect(server.requests.length - n0).toBe(1);
    const again = await provider().load({ symbol: 'AAPL', start: '2020-02-01', end: '2020-05-01' });
    expect(server.requests.length - n0).toBe(1); // no network on a re-run
    expect(Array.from(again.close)).toEqual(Array.from(a.close));
    const wider = await provider().load({ symbol: 'AAPL', start: '2020-02-01', end: '2020-07-01' });
    expect(server.requests.length - n0).toBe(2);
    const last = server.requests[server.requests.length - 1];
    expect(last.period1).toBe(Date.UTC(2020, 4, 1) / 1000); // only the missing tail
    expect(last.period2).toBe(Date.UTC(2020, 6, 1) / 1000);
    expect(wider.time[0]).toBe(a.time[0]);
    expect(wider.length).toBeGreaterThan(a.length);
  });

  // yahoo-finance2 console.error()s the URL of every non-OK response; the expected failures below would
  // clutter the test output with them, so they are captured and checked instead.
  let stray: { mock: { calls: unknown[][] }; mockRestore(): void } | null = null;
  const captureStrayUrls = () => (stray = vi.spyOn(console, 'error').mockImplementation(() => {}));
  afterEach(() => {
    stray?.mockRestore();
    stray = null;
  });
  const strayLines = () => (stray?.mock.calls ?? []).map((c) => String(c[0]));

  it('retries transient failures with backoff, then succeeds', async () => {
    captureStrayUrls();
    const delays: number[] = [];
    const p = provider({ cacheDir: null, sleep: async (ms) => void delays.push(ms), baseDelayMs: 100 });
    server.failNext(2, 503);
    const s = await p.load({ symbol: 'AAPL', start: '2020-03-02', end: '2020-03-10' });
    expect(s.length).toBe(6);
    expect(delays).toEqual([100, 200]);
    server.failNext(1, 429);
    await expect(p.load({ symbol: 'AAPL', start: '2020-03-02', end: '2020-03-10' })).resolves.toBeTruthy();
    expect(strayLines()).toHaveLength(3);
    for (const l of strayLines()) expect(l).toMatch(/^https:\/\/query2\.finance\.yahoo\.com\/v8\/finance\/chart\/AAPL\?/);
  });

  it('gives up after the configured retries with a clear error', async () => {
    captureStrayUrls();
    const p = provider({ cacheDir: null, retries: 2 });
    server.failNext(3, 503);
    await expect(p.load({ symbol: 'AAPL', start: '2020-03-02', end: '2020-03-10' })).rejects.toThrow(/yahoo:AAPL: gave up after retries: HTTP 503/);
    expect(strayLines()).toHaveLength(3);
  });

  it('reports unknown symbols as UnknownSymbolError without retrying', async () => {
    const p = provider({ cacheDir: null });
    const n0 = server.requests.length;
    const err = await p.load({ symbol: 'NOPE', start: '2020-03-02', end: '2020-03-10' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownSymbolError);
    expect((err as Error).message).toMatch(/unknown symbol "NOPE" at yahoo/);
    expect(server.requests.length - n0).toBe(1);
  });
});
