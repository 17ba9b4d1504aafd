/**
 * Alpaca as it behaves (public v2 API docs), against the local mock: price ticks, oto/bracket order
 * classes, shares held by open legs, Retry-After with a cap, unknown and done_for_day statuses, replaced
 * orders, partial fills and cancels of partial fills; and through the runner's loop: exits while legs are
 * open, a rate limit that does not stall the loop, and a manual order that keeps hitting 429 -> 503.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlpacaBroker, toTick } from '../../lib/broker/alpaca/index.js';
import { BrokerError } from '../../lib/broker/broker.js';
import { makeSeries } from '../../lib/core/bars.js';
import { SimClock } from '../../lib/core/clock.js';
import { dec } from '../../lib/core/money.js';
import type { OrderRequest } from '../../lib/core/orders.js';
import { Engine } from '../../lib/engine/index.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { RiskGate, permissiveLimits, type RiskLimits } from '../../lib/risk/index.js';
import { NO_INTENTS, type Intent, type Strategy, type StrategyContext } from '../../lib/strategy/index.js';
import { createApp } from '../../runner/api/app.js';
import { RunnerControl } from '../../runner/control-impl.js';
import { TradingLoop } from '../../runner/loop.js';
import { Store } from '../../runner/store.js';
import { AlpacaMock } from '../fixtures/alpaca-mock.js';

let mock: AlpacaMock;
let base: string;
let sleeps: number[];
const H = { 'APCA-API-KEY-ID': 'test-key', 'APCA-API-SECRET-KEY': 'test-secret', 'Content-Type': 'application/json' };

function broker(extra: Partial<ConstructorParameters<typeof AlpacaBroker>[0]> = {}): AlpacaBroker {
  return new AlpacaBroker({ keyId: 'test-key', secret: 'test-secret', baseUrl: base, timeoutMs: 500, baseDelayMs: 10, sleep: async (ms) => void sleeps.push(ms), ...extra });
}
const req = (cid: string, over: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId: cid, symbol: 'AAPL', side: 'buy', qty: dec(10), type: 'market', timeInForce: 'gtc', ...over });
const raw = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${base}${path}`, { method, headers: H, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
};

beforeEach(async () => {
  mock = new AlpacaMock({ cash: 100_000, prices: { AAPL: 100, PENNY: 0.5 } });
  base = await mock.start();
  sleeps = [];
});
afterEach(async () => {
  await mock.stop();
});

describe('the mock refuses what Alpaca refuses', () => {
  it('sub-penny prices at or above $1 and more than 4 decimals below $1; bracket without both legs; oto with both', async () => {
    const p = (o: Record<string, unknown>) => raw('POST', '/v2/orders', { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', time_in_force: 'gtc', limit_price: '99', ...o });
    expect((await p({ limit_price: '99.123' })).status).toBe(422);
    expect(String((await p({ limit_price: '99.123' })).json!.message)).toMatch(/sub-penny/);
    expect((await p({ symbol: 'PENNY', limit_price: '0.12345' })).status).toBe(422);
    expect((await p({ symbol: 'PENNY', limit_price: '0.1234' })).status).toBe(200);
    expect((await p({ order_class: 'bracket', stop_loss: { stop_price: '95' } })).status).toBe(422);
    expect((await p({ order_class: 'oto', stop_loss: { stop_price: '95' }, take_profit: { limit_price: '110' } })).status).toBe(422);
    expect((await p({ order_class: 'bracket', stop_loss: { stop_price: '95.001' }, take_profit: { limit_price: '110' } })).status).toBe(422);
    expect((await p({ stop_loss: { stop_price: '95' } })).status).toBe(422); // simple orders take no legs
  });
});

describe('AlpacaBroker as the live service behaves', () => {
  it('sends prices on valid ticks (cents at or above $1, 4 decimals below)', async () => {
    expect(toTick(dec('100.125')).toString()).toBe('100.13');
    expect(toTick(dec('0.123456')).toString()).toBe('0.1235');
    const b = broker();
    const r = await b.submit(req('t-1', { type: 'limit', limitPrice: dec('95.123456'), bracket: { stopLoss: dec('90.3333'), takeProfit: dec('104.6789') } }));
    expect(r.ok).toBe(true);
    const o = mock.ordersByClientId('t-1')[0];
    expect([o.limit_price, o.legs!.map((l) => l.limit_price ?? l.stop_price)]).toEqual(['95.12', ['104.68', '90.33']]);
    expect((await b.submit(req('t-2', { symbol: 'PENNY', type: 'limit', limitPrice: dec('0.123456') }))).ok).toBe(true);
    expect(mock.ordersByClientId('t-2')[0].limit_price).toBe('0.1235');
  });

  it('one protective leg goes out as order_class oto, both as bracket; legs are listed with their parent', async () => {
    const b = broker();
    expect((await b.submit(req('oto-1', { bracket: { stopLoss: dec(90) } }))).ok).toBe(true);
    expect((await b.submit(req('br-1', { bracket: { stopLoss: dec(90), takeProfit: dec(120) } }))).ok).toBe(true);
    expect(mock.ordersByClientId('oto-1')[0].order_class).toBe('oto');
    expect(mock.ordersByClientId('oto-1')[0].legs).toHaveLength(1);
    expect(mock.ordersByClientId('br-1')[0].order_class).toBe('bracket');
    const open = await b.openOrders();
    const parent = mock.ordersByClientId('br-1')[0].id;
    expect(open.filter((o) => o.parentId === parent).map((o) => o.type).sort()).toEqual(['limit', 'stop']);
  });

  it('an exit while legs hold the shares: a full exit cancels the legs, a partial one shrinks them (replace)', async () => {
    const b = broker();
    await b.submit(req('in-1', { bracket: { stopLoss: dec(90), takeProfit: dec(120) } }));
    expect(mock.available('AAPL')).toBe(0);
    const part = await b.submit(req('out-1', { side: 'sell', qty: dec(4) }));
    expect(part.ok).toBe(true);
    expect(mock.positions.get('AAPL')!.qty).toBe(6);
    const legs = (await b.openOrders()).filter((o) => o.parentId);
    expect(legs.map((o) => o.qty.toString())).toEqual(['6', '6']); // still protecting what is left
    expect([...mock.orders.values()].filter((o) => o.status === 'replaced')).toHaveLength(2);
    const all = await b.submit(req('out-2', { side: 'sell', qty: dec(6) }));
    expect(all.ok).toBe(true);
    expect(mock.positions.has('AAPL')).toBe(false);
    expect((await b.openOrders()).filter((o) => o.parentId)).toEqual([]);
  });

  it('Retry-After is honoured up to the cap: a short one is waited out, a long one pauses all calls without sleeping', async () => {
    mock.fault({ method: 'POST', path: '/v2/orders', status: 429, retryAfterSeconds: 2 });
    expect((await broker().submit(req('ra-1'))).ok).toBe(true);
    expect(sleeps).toEqual([2000]);
    sleeps = [];
    let now = 1_000_000;
    const b = broker({ retryAfterCapMs: 60_000, now: () => now });
    mock.fault({ method: 'POST', path: '/v2/orders', status: 429, retryAfterSeconds: 600 });
    const err = await b.submit(req('ra-2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).retryable).toBe(true);
    expect((err as BrokerError).message).toMatch(/rate limit exceeded \(Retry-After 600 s, capped at 60 s\)/);
    expect(sleeps).toEqual([]); // nothing slept: the caller carries on
    const requests = mock.log.length;
    now += 59_000;
    await expect(b.account()).rejects.toThrow(/no request before/); // still in the pause: not even sent
    expect(mock.log.length).toBe(requests);
    now += 1_001;
    expect((await b.submit(req('ra-2'))).ok).toBe(true);
    expect(mock.ordersByClientId('ra-2')).toHaveLength(1);
  });

  it('an unknown status is kept as unknown (no throw); done_for_day stays open; replaced names its replacement', async () => {
    const b = broker();
    await b.submit(req('lim-1', { type: 'limit', limitPrice: dec(90) }));
    const o = mock.ordersByClientId('lim-1')[0];
    mock.setStatus(o.id, 'pending_review_by_martians');
    const u = await b.orderByClientId('lim-1');
    expect([u!.status, u!.rawStatus]).toEqual(['unknown', 'pending_review_by_martians']);
    mock.setStatus(o.id, 'done_for_day');
    const d = await b.orderByClientId('lim-1');
    expect([d!.status, d!.rawStatus]).toEqual(['accepted', 'done_for_day']);
    const rep = await raw('PATCH', `/v2/orders/${o.id}`, { limit_price: '91', client_order_id: 'lim-1b' });
    expect(rep.status).toBe(200);
    const old = await b.orderByClientId('lim-1');
    expect(old!.status).toBe('replaced');
    expect((await b.order(old!.replacedBy!))!.clientOrderId).toBe('lim-1b');
  });
});

/** Enters 10 at the 2nd bar, exits at the 4th; a limit entry at 99 at the 6th. */
class Scripted implements Strategy {
  readonly name = 'scripted';
  onBar(ctx: StrategyContext): readonly Intent[] {
    const i = ctx.index[0];
    if (i === 1) return [{ kind: 'target_qty', symbol: 'AAPL', qty: 10, reason: 'enter' }];
    if (i === 3) return [{ kind: 'target_qty', symbol: 'AAPL', qty: 0, reason: 'exit' }];
    if (i === 5) return [{ kind: 'order', symbol: 'AAPL', side: 'buy', qty: 10, type: 'limit', limitPrice: 99, reason: 'dip' }];
    return NO_INTENTS;
  }
}

const days = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14'];
const series = makeSeries('AAPL', '1d', { time: days.map((d) => Date.parse(`${d}T00:00:00Z`)), open: days.map(() => 100), high: days.map(() => 101), low: days.map(() => 99), close: days.map(() => 100), volume: days.map(() => 1) });
const T = Array.from(series.time);

function loop(limits: Partial<RiskLimits>, b: AlpacaBroker, strategy: Strategy = new Scripted()): TradingLoop {
  const portfolio = new Portfolio(100_000, ['AAPL']);
  const engine = new Engine({ strategy, gate: new RiskGate({ ...permissiveLimits(), ...limits }), sizing: { method: 'fixed_quantity', quantity: 10 }, portfolio });
  return new TradingLoop({ store: new Store(':memory:'), broker: b, engine, clock: new SimClock(0), symbols: ['AAPL'], initialCash: dec(100_000) });
}

describe('the runner loop against Alpaca as it behaves', () => {
  it('bracket legs are journaled under their entry; the strategy exit cancels them first instead of failing with 403', async () => {
    const l = loop({ stopLoss: 0.05, takeProfit: 0.1 }, broker());
    await l.recover([series]);
    for (const t of T.slice(0, 3)) await l.step(t);
    const legs = l.store.orders().filter((o) => o.source === 'bracket');
    expect(legs.map((o) => `${o.type} ${o.side} ${o.qty} ${o.status}`).sort()).toEqual(['limit sell 10 new', 'stop sell 10 accepted']);
    expect(legs.every((o) => o.parentId === l.store.orders()[0].clientOrderId)).toBe(true);
    await l.step(T[3]);
    expect(l.portfolio.qty('AAPL').toString()).toBe('0');
    await l.step(T[4]); // the next sync sees the legs' new state
    expect(l.store.orders().filter((o) => o.source === 'bracket').map((o) => o.status)).toEqual(['canceled', 'canceled']);
    expect(l.store.killSwitch().active).toBe(false);
  });

  it('a bracket leg can be canceled through the loop (the API\'s DELETE /api/orders/:id)', async () => {
    const l = loop({ stopLoss: 0.05, takeProfit: 0.1 }, broker());
    await l.recover([series]);
    for (const t of T.slice(0, 3)) await l.step(t);
    const tp = l.store.orders().find((o) => o.source === 'bracket' && o.type === 'limit')!;
    const r = await l.cancel(tp.clientOrderId);
    expect(r.ok && r.orders[0].status).toBe('canceled');
  });

  it('a long Retry-After does not stall the loop: the step completes, the order stays pending and goes out after the pause', async () => {
    let now = 1_000_000;
    const l = loop({}, broker({ retryAfterCapMs: 60_000, now: () => now }));
    await l.recover([series]);
    await l.step(T[0]);
    mock.fault({ method: 'POST', path: '/v2/orders', status: 429, retryAfterSeconds: 600 });
    await l.step(T[1]);
    expect(l.lastBarTime).toBe(T[1]);
    expect(l.store.pendingSubmits()).toHaveLength(1);
    expect(sleeps).toEqual([]);
    now += 60_001;
    await l.step(T[2]);
    expect(l.store.pendingSubmits()).toHaveLength(0);
    expect(l.portfolio.qty('AAPL').toString()).toBe('10');
    expect(mock.ordersByClientId(l.store.orders()[0].clientOrderId)).toHaveLength(1);
  });

  it('partial fills, a cancel of a partially filled order, done_for_day and an unknown status, followed into the journal', async () => {
    const l = loop({}, broker());
    await l.recover([series]);
    for (const t of T.slice(0, 6)) await l.step(t);
    const lim = l.store.orders().at(-1)!;
    expect([lim.type, lim.status]).toEqual(['limit', 'new']);
    const mo = mock.ordersByClientId(lim.clientOrderId)[0];
    mock.fill(mo, 4, 98.5);
    await l.step(T[6]);
    expect(l.store.order(lim.clientOrderId)!.status).toBe('partially_filled');
    expect(l.portfolio.qty('AAPL').toString()).toBe('4');
    mock.setStatus(mo.id, 'done_for_day');
    await l.step(T[7]);
    expect(l.store.order(lim.clientOrderId)!.status).toBe('accepted'); // still open: it may fill next session
    const c = await l.cancel(lim.clientOrderId);
    expect(c.ok && [c.orders[0].status, c.orders[0].filledQty]).toEqual(['canceled', '4']);
    await l.step(T[8]);
    expect(l.store.fills().map((f) => `${f.side} ${f.qty} @ ${f.price}`)).toEqual(['buy 10 @ 100', 'sell 10 @ 100', 'buy 4 @ 98.5']);
    expect(l.store.killSwitch().active).toBe(false);
    await l.reconcile();
    expect(l.store.killSwitch().active).toBe(false); // broker and journal agree: 4 shares
  });

  it('an unknown order status is kept as unknown in the journal and read again, never thrown', async () => {
    const l = loop({}, broker());
    await l.recover([series]);
    for (const t of T.slice(0, 6)) await l.step(t);
    const lim = l.store.orders().at(-1)!;
    mock.setStatus(mock.ordersByClientId(lim.clientOrderId)[0].id, 'something_new');
    await l.step(T[6]);
    expect(l.store.order(lim.clientOrderId)!.status).toBe('unknown');
    mock.setStatus(mock.ordersByClientId(lim.clientOrderId)[0].id, 'new');
    await l.step(T[7]);
    expect(l.store.order(lim.clientOrderId)!.status).toBe('new');
  });

  it('a replaced order is followed to its replacement in the journal', async () => {
    const l = loop({}, broker());
    await l.recover([series]);
    for (const t of T.slice(0, 6)) await l.step(t);
    const lim = l.store.orders().at(-1)!;
    await raw('PATCH', `/v2/orders/${mock.ordersByClientId(lim.clientOrderId)[0].id}`, { limit_price: '99.5', client_order_id: 'dip-2' });
    await l.step(T[6]);
    expect(l.store.order(lim.clientOrderId)!.status).toBe('replaced');
    const next = l.store.order('dip-2')!;
    expect([next.parentId, next.limitPrice, next.status, next.source]).toEqual([lim.clientOrderId, '99.5', 'new', 'strategy']);
  });

  it('a manual order that keeps hitting 429 ends in 503 with the broker\'s message, and is not sent later', async () => {
    const l = loop({}, broker({ retries: 2 }), { name: 'idle', onBar: () => NO_INTENTS });
    await l.recover([series]);
    await l.step(T[0]);
    for (let i = 0; i < 5; i++) mock.fault({ method: 'POST', path: '/v2/orders', status: 429 });
    const control = new RunnerControl(l, { mode: 'live', strategy: 'idle', model: null, interval: '1d', marketHours: false, startedAtMs: 0, wallClock: new SimClock(0), isRunning: () => true });
    const app = createApp(control, { token: 't'.repeat(32) });
    const srv = app.listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    try {
      const port = (srv.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/orders`, { method: 'POST', headers: { Authorization: `Bearer ${'t'.repeat(32)}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ symbol: 'AAPL', side: 'buy', qty: 5, client_order_id: 'rl-1' }) });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: string; kind: string };
      expect(body.kind).toBe('unavailable');
      expect(body.error).toMatch(/rate limit exceeded/);
      expect(l.store.order('rl-1')!.status).toBe('rejected');
      await l.step(T[1]);
      expect(mock.ordersByClientId('rl-1')).toHaveLength(0);
    } finally {
      srv.close();
    }
  });
});
