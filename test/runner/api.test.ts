import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { serveApi, type RunningServer } from '../../runner/api/server.js';
import { createApp } from '../../runner/api/app.js';
import { silentLogger } from '../../runner/loop.js';
import { createRunner, type Runner } from '../../runner/runner.js';

const TOKEN = 'test-token-123';
const dir = mkdtempSync(join(tmpdir(), 'api-'));
let runner: Runner;
let srv: RunningServer;
let times: number[];
let next = 0;

const config = parseConfig({
  broker: { provider: 'paper', commission: { per_share: 0, percent: 0, minimum: 0 }, slippage_bps: 0 },
  strategy: { active: ['sma-crossover'], sma_crossover: { fast: 3, slow: 8 } },
  portfolio: { initial_cash: 100000, max_position_size: 0.5, stop_loss: 0, take_profit: 0 },
  data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB'], start: '2021-01-01', end: '2021-04-01', synthetic: { seed: 3 } },
  runner: { mode: 'replay', replay_speed: 0 },
  api: { host: '127.0.0.1', port: 0 },
});

async function step(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = times[next++];
    (runner.clock as SimClock).advanceTo(t);
    await runner.loop.step(t);
  }
}

async function api(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; json: any }> {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  runner = await createRunner({
    config,
    secrets: { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: TOKEN, port: null },
    logger: silentLogger,
    stateDir: dir,
  });
  times = runner.loop.timeline();
  await step(20);
  srv = await runner.serve();
});
afterAll(async () => {
  await srv?.close();
  runner?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP API over the control facade', () => {
  it('GET /health needs no token; every /api route does', async () => {
    expect((await api('GET', '/health', undefined, null)).status).toBe(200);
    for (const p of ['/api/status', '/api/portfolio', '/api/positions', '/api/orders', '/api/signals', '/api/metrics']) {
      expect((await api('GET', p, undefined, null)).status).toBe(401);
      expect((await api('GET', p, undefined, 'wrong-token')).status).toBe(401);
      expect((await api('GET', p)).status).toBe(200);
    }
    expect((await api('POST', '/api/kill', {}, null)).status).toBe(401);
  });

  it('status reports mode, strategy, last bar, equity, kill switch and uptime', async () => {
    const { json } = await api('GET', '/api/status');
    expect(json.mode).toBe('replay');
    expect(json.broker).toBe('paper');
    expect(json.strategy).toBe('sma-crossover(3,8)');
    expect(json.lastBarTime).toBe(new Date(times[19]).toISOString().slice(0, 10));
    expect(Number(json.equity)).toBeGreaterThan(0);
    expect(json.killSwitch.active).toBe(false);
    expect(typeof json.uptimeSeconds).toBe('number');
    expect(json.barsProcessed).toBe(20);
  });

  it('unknown routes are 404 JSON', async () => {
    const a = await api('GET', '/nope', undefined, null);
    expect(a.status).toBe(404);
    expect(a.json.error).toMatch(/no route GET \/nope/);
    expect((await api('GET', '/api/nope')).status).toBe(404);
  });

  it('bad order bodies get 400 naming the field and the reason, and change nothing', async () => {
    const before = (await api('GET', '/api/orders')).json.length;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ symbol: 'SYNA', qty: 1 }, 'side', /is required/],
      [{ symbol: 'SYNA', side: 'hold', qty: 1 }, 'side', /buy|sell|option/i],
      [{ symbol: 'SYNA', side: 'buy' }, 'qty', /is required/],
      [{ symbol: 'SYNA', side: 'buy', qty: '-5' }, 'qty', /positive/],
      [{ symbol: 'SYNA', side: 'buy', qty: 1, type: 'limit' }, 'limit_price', /required for a limit order/],
      [{ symbol: 'SYNA', side: 'buy', qty: 1, colour: 'red' }, '(body)', /colour|unrecognized/i],
      [{ symbol: 'not a symbol!', side: 'buy', qty: 1 }, 'symbol', /must be a symbol/],
    ];
    for (const [body, field, reason] of cases) {
      const r = await api('POST', '/api/orders', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.field).toBe(field);
      expect(r.json.reason).toMatch(reason);
    }
    const bad = await api('POST', '/api/orders', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toMatch(/not valid JSON/);
    expect((await api('GET', '/api/orders')).json.length).toBe(before);
  });

  it('a manual market order goes through the risk gate, is journaled, and fills on the next bar', async () => {
    const r = await api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: '10', client_order_id: 'manual-1' });
    expect(r.status).toBe(201);
    expect(r.json.order.clientOrderId).toBe('manual-1');
    expect(r.json.order.status).toBe('accepted');
    expect(r.json.order.source).toBe('manual');
    const dup = await api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: '10', client_order_id: 'manual-1' });
    expect(dup.status).toBe(409);
    await step();
    const orders = (await api('GET', '/api/orders')).json as Array<{ clientOrderId: string; status: string }>;
    expect(orders.find((o) => o.clientOrderId === 'manual-1')?.status).toBe('filled');
    const pos = (await api('GET', '/api/positions')).json as Array<{ symbol: string; qty: string }>;
    expect(Number(pos.find((p) => p.symbol === 'SYNB')?.qty)).toBeGreaterThanOrEqual(10);
  });

  it('an order the gate would shrink is refused with 422 naming the largest allowed quantity and the rule, unless allow_resize', async () => {
    const before = (await api('GET', '/api/orders')).json.length;
    const held = Number(((await api('GET', '/api/positions')).json as Array<{ symbol: string; qty: string }>).find((p) => p.symbol === 'SYNA')?.qty ?? 0);
    const short = await api('POST', '/api/orders', { symbol: 'SYNA', side: 'sell', qty: held + 1000 });
    expect(short.status).toBe(422);
    expect(short.json.kind).toBe('risk');
    expect(short.json.max_qty).toBe(String(held)); // selling what is held is an exit: always allowed
    expect(short.json.reasons.join(' ')).toMatch(/short_disabled/);
    expect(short.json.error).toMatch(new RegExp(`largest allowed quantity is ${held}`));
    const big = await api('POST', '/api/orders', { symbol: 'SYNA', side: 'buy', qty: 1000000 });
    expect(big.status).toBe(422);
    expect(big.json.reasons.join(' ')).toMatch(/max_position_size/);
    const max = Number(big.json.max_qty);
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThan(1000000);
    const frac = await api('POST', '/api/orders', { symbol: 'SYNA', side: 'buy', qty: '1.5' });
    expect(frac.status).toBe(422);
    expect(frac.json.max_qty).toBe('1');
    expect(frac.json.reasons.join(' ')).toMatch(/whole_shares/);
    expect((await api('GET', '/api/orders')).json.length).toBe(before); // refusals change nothing
    // Every refusal is a journaled risk decision.
    const d = (await api('GET', '/api/decisions')).json as Array<{ outcome: string; source: string; requestedQty: number; approvedQty: number; time: string }>;
    expect(d.slice(-3).map((x) => [x.outcome, x.source, x.requestedQty])).toEqual([['refused', 'manual', -(held + 1000)], ['refused', 'manual', 1000000], ['refused', 'manual', 1.5]]);
    expect(d.at(-1)!.time).toMatch(/^\d{4}-\d{2}-\d{2}/);
    // With allow_resize the smaller order goes out, with its reason.
    const ok = await api('POST', '/api/orders', { symbol: 'SYNA', side: 'buy', qty: 1000000, allow_resize: true, type: 'limit', limit_price: '1', client_order_id: 'big-1' });
    expect(ok.status).toBe(201);
    expect(ok.json.reasons.join(' ')).toMatch(/max_position_size/);
    expect(Number(ok.json.order.qty)).toBeLessThan(1000000);
    expect(d.length + 1).toBe((await api('GET', '/api/decisions')).json.length);
  });

  it('a limit order is sized against the last price: a buy limit at 0.01 does not reserve everything', async () => {
    const last = Number((await api('GET', '/api/positions')).json.length >= 0 ? runner.loop.marks[1] : 0);
    const q = Math.floor((0.5 * Number((await api('GET', '/api/status')).json.equity)) / last) + 50;
    // At 0.01 the notional would pass any cap; at the last price it does not.
    const r = await api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: q, type: 'limit', limit_price: '0.01' });
    expect(r.status).toBe(422);
    expect(r.json.reasons.join(' ')).toMatch(/max_position_size|max_gross_exposure/);
  });

  it('DELETE /api/orders/:id cancels an open order; a second cancel is 409, an unknown id 404', async () => {
    const c = await api('DELETE', '/api/orders/big-1');
    expect(c.status).toBe(200);
    expect(c.json.order.status).toBe('canceled');
    expect((await api('DELETE', '/api/orders/big-1')).status).toBe(409);
    expect((await api('DELETE', '/api/orders/nope')).status).toBe(404);
  });

  it('wrong Content-Type is 415; HEAD /api/events completes; times are ISO 8601; signal details are objects', async () => {
    const res = await fetch(`${srv.url}/api/orders`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/plain' }, body: 'symbol=SYNA' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/application\/json.*text\/plain/);
    const head = await fetch(`${srv.url}/api/events`, { method: 'HEAD', headers: { Authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(3000) });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/text\/event-stream/);
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{3})?Z)?$/;
    const orders = (await api('GET', '/api/orders')).json as Array<Record<string, unknown>>;
    for (const o of orders) for (const k of ['createdAt', 'updatedAt', 'barTime']) if (o[k] !== null) expect(String(o[k]), k).toMatch(iso);
    const sig = (await api('GET', '/api/signals')).json as Array<{ time: string; detail: { kind: string; reason: string } }>;
    expect(sig.length).toBeGreaterThan(0);
    expect(sig[0].time).toMatch(iso);
    expect(typeof sig[0].detail).toBe('object');
    expect(sig[0].detail.kind).toBe('signal');
  });

  it('kill blocks orders until resume; the switch is in the status', async () => {
    const k = await api('POST', '/api/kill', { reason: 'test' });
    expect(k.status).toBe(200);
    expect(k.json.killSwitch).toMatchObject({ active: true, kind: 'manual', reason: 'test' });
    const blocked = await api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: 1 });
    expect(blocked.status).toBe(403);
    expect(blocked.json.error).toMatch(/kill switch/);
    // Reducing stays possible: a person who hits the switch usually wants out.
    const held = Number(((await api('GET', '/api/positions')).json as Array<{ symbol: string; qty: string }>).find((p) => p.symbol === 'SYNB')?.qty ?? 0);
    expect(held).toBeGreaterThan(0);
    const out = await api('POST', '/api/orders', { symbol: 'SYNB', side: 'sell', qty: 1, client_order_id: 'exit-while-killed' });
    expect(out.status).toBe(201);
    expect((await api('POST', '/api/kill', { reason: 5 })).status).toBe(400);
    const r = await api('POST', '/api/resume', {});
    expect(r.json.killSwitch.active).toBe(false);
  });

  it('GET /api/events streams status, signals and fills as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${srv.url}/api/events`, { headers: { Authorization: `Bearer ${TOKEN}` }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/event: status/);
    await api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: '1', client_order_id: 'sse-1' });
    await readUntil(/event: risk\ndata: .*"clientOrderIds":\["sse-1"\]/); // every risk decision is streamed
    await step();
    await readUntil(/event: fill[\s\S]*sse-1/);
    expect(text).toMatch(/event: fill\ndata: .*"clientOrderId":"sse-1"/);
    ac.abort();
  });

  it('metrics and portfolio are consistent with the journal', async () => {
    const m = (await api('GET', '/api/metrics')).json;
    expect(m.fills).toBeGreaterThanOrEqual(2);
    expect(m.equityPoints).toBe(runner.loop.barsProcessed);
    const p = (await api('GET', '/api/portfolio')).json;
    expect(p.initialCash).toBe('100000');
    expect(Number(p.equity)).toBeCloseTo(Number((await api('GET', '/api/status')).json.equity), 6);
  });

  it('refuses a non-loopback address without a configured token', async () => {
    await expect(serveApi(runner.control, { host: '0.0.0.0', port: 0, token: 'x' })).rejects.toThrow(/not a loopback address.*1 characters \(at least 32/);
    await expect(serveApi(runner.control, { host: '0.0.0.0', port: 0, token: 'a'.repeat(31) })).rejects.toThrow(/31 characters/);
    const ok = await serveApi(runner.control, { host: '0.0.0.0', port: 0, token: 'a'.repeat(32) });
    await ok.close();
  });

  it('answers repeated failed authentications from one address with 429 (even with the right token) until the window passes', async () => {
    let now = 1_000_000;
    const app = createApp(runner.control, { token: 'x'.repeat(32), authFailures: { max: 20, windowMs: 60_000 }, nowMs: () => now });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const url = `http://127.0.0.1:${(s.address() as { port: number }).port}/api/status`;
    const get = (t: string) => fetch(url, { headers: { Authorization: `Bearer ${t}` } });
    try {
      for (let i = 0; i < 20; i++) expect((await get(`guess-${i}`)).status).toBe(401);
      const blocked = await get('x'.repeat(32));
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBe(60);
      now += 60_001;
      expect((await get('x'.repeat(32))).status).toBe(200);
    } finally {
      s.close();
    }
  });
});
