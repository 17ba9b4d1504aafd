import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlpacaBroker, alpacaBars } from '../../lib/broker/alpaca/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { parseConfig } from '../../lib/config/index.js';
import { dataProvider } from '../../runner/runner.js';
import { BrokerError } from '../../lib/broker/broker.js';
import { dec } from '../../lib/core/money.js';
import type { OrderRequest } from '../../lib/core/orders.js';
import { AlpacaMock } from '../fixtures/alpaca-mock.js';

let mock: AlpacaMock;
let base: string;
let sleeps: number[];

function broker(extra: Partial<ConstructorParameters<typeof AlpacaBroker>[0]> = {}): AlpacaBroker {
  return new AlpacaBroker({
    keyId: 'test-key',
    secret: 'test-secret',
    baseUrl: base,
    timeoutMs: 300,
    baseDelayMs: 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
}

const req = (cid: string, over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: cid,
  symbol: 'AAPL',
  side: 'buy',
  qty: dec(10),
  type: 'market',
  timeInForce: 'day',
  ...over,
});

beforeEach(async () => {
  mock = new AlpacaMock({
    cash: 10_000,
    prices: { AAPL: 100 },
    barsPageSize: 2,
    bars: {
      AAPL: [
        { t: '2024-01-02T05:00:00Z', o: 1, h: 2, l: 0.5, c: 1.5, v: 10 },
        { t: '2024-01-03T05:00:00Z', o: 1.5, h: 2.5, l: 1, c: 2, v: 11 },
        { t: '2024-01-04T05:00:00Z', o: 2, h: 3, l: 1.5, c: 2.5, v: 12 },
      ],
    },
  });
  base = await mock.start();
  sleeps = [];
});
afterEach(async () => {
  await mock.stop();
});

describe('AlpacaBroker against a local Alpaca v2 mock', () => {
  it('submits, fills, and reports account, positions, fills and the order by client id', async () => {
    const b = broker();
    const r = await b.submit(req('c-1'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.order.clientOrderId).toBe('c-1');
    expect(r.order.status).toBe('filled');
    expect(r.order.avgFillPrice?.toString()).toBe('100');
    const acct = await b.account();
    expect(acct.cash.toString()).toBe('9000');
    expect(acct.equity.toString()).toBe('10000');
    const ps = await b.positions();
    expect(ps.map((p) => [p.symbol, p.qty.toString(), p.avgPrice.toString()])).toEqual([['AAPL', '10', '100']]);
    const fills = await b.fills(0);
    expect(fills).toHaveLength(1);
    expect(fills[0].clientOrderId).toBe('c-1');
    expect(fills[0].qty.toString()).toBe('10');
    expect((await b.orderByClientId('c-1'))?.id).toBe(r.order.id);
    expect(await b.orderByClientId('nope')).toBeNull();
  });

  it('reads fills across activity pages (100 per page), each with its client order id', async () => {
    const b = broker();
    mock.setPrice('AAPL', 1);
    for (let i = 0; i < 230; i++) expect((await b.submit(req(`many-${i}`, { qty: dec(1) }))).ok).toBe(true);
    const fills = await b.fills(0);
    expect(fills).toHaveLength(230);
    expect(new Set(fills.map((f) => f.id)).size).toBe(230);
    expect(fills[229].clientOrderId).toBe('many-229');
    expect(mock.log.filter((l) => l.path === '/v2/account/activities/FILL')).toHaveLength(3);
  });

  it('limit orders stay open and can be canceled; canceling twice is harmless', async () => {
    const b = broker();
    const r = await b.submit(req('lim-1', { type: 'limit', limitPrice: dec('90.5') }));
    expect(r.ok && r.order.status).toBe('new');
    const open = await b.openOrders();
    expect(open.map((o) => o.clientOrderId)).toEqual(['lim-1']);
    expect(open[0].limitPrice?.toString()).toBe('90.5');
    await b.cancel(open[0].id);
    await b.cancel(open[0].id);
    expect(await b.openOrders()).toEqual([]);
  });

  it('403 insufficient buying power and 422 invalid order come back as results, not retried', async () => {
    const b = broker();
    const poor = await b.submit(req('big', { qty: dec(1000) }));
    expect(poor).toEqual({ ok: false, code: 'insufficient_funds', reason: 'insufficient buying power' });
    const bad = await b.submit(req('bad', { type: 'limit' }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.code).toBe('invalid');
      expect(bad.reason).toMatch(/limit_price/);
    }
    expect(sleeps).toEqual([]);
    expect(mock.orders.size).toBe(0);
  });

  it('429 is retried after Retry-After', async () => {
    mock.fault({ method: 'POST', path: '/v2/orders', status: 429, retryAfterSeconds: 2 });
    const b = broker();
    const r = await b.submit(req('rl-1'));
    expect(r.ok).toBe(true);
    expect(sleeps).toEqual([2000]);
    expect(mock.ordersByClientId('rl-1')).toHaveLength(1);
  });

  it('a 5xx after the order was created is resolved by looking it up: no second order', async () => {
    mock.fault({ method: 'POST', path: '/v2/orders', status: 503, afterEffect: true });
    const b = broker();
    const r = await b.submit(req('amb-1'));
    expect(r.ok).toBe(true);
    expect(mock.ordersByClientId('amb-1')).toHaveLength(1);
    const posts = mock.log.filter((l) => l.method === 'POST');
    expect(posts).toHaveLength(1);
  });

  it('a timeout after the order was created is resolved by looking it up: no second order', async () => {
    mock.fault({ method: 'POST', path: '/v2/orders', status: 'timeout', afterEffect: true });
    const b = broker();
    const r = await b.submit(req('to-1'));
    expect(r.ok).toBe(true);
    expect(mock.ordersByClientId('to-1')).toHaveLength(1);
  });

  it('a timeout before the order reached the broker is retried once the lookup finds nothing', async () => {
    mock.fault({ method: 'POST', path: '/v2/orders', status: 'timeout' });
    mock.fault({ method: 'POST', path: '/v2/orders', status: 500 });
    const b = broker();
    const r = await b.submit(req('to-2'));
    expect(r.ok).toBe(true);
    expect(mock.ordersByClientId('to-2')).toHaveLength(1);
    expect(mock.log.filter((l) => l.path === '/v2/orders:by_client_order_id').length).toBeGreaterThanOrEqual(1);
  });

  it('re-submitting the same client order id returns the existing order (422 duplicate -> lookup)', async () => {
    const b = broker();
    const a = await b.submit(req('dup-1'));
    const again = await b.submit(req('dup-1'));
    expect(a.ok && again.ok && a.order.id === again.order.id).toBe(true);
    expect(mock.ordersByClientId('dup-1')).toHaveLength(1);
  });

  it('GETs are retried on 5xx and give up with a retryable BrokerError', async () => {
    for (let i = 0; i < 10; i++) mock.fault({ method: 'GET', path: '/v2/account', status: 502 });
    const b = broker({ retries: 2 });
    const err = await b.account().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).retryable).toBe(true);
    expect((err as BrokerError).status).toBe(502);
    expect(sleeps).toEqual([10, 20]);
  });

  it('refuses to start without credentials; paper unless live', () => {
    expect(() => new AlpacaBroker({ keyId: '', secret: '' })).toThrow(/key id and secret/);
    expect(broker().name).toBe('alpaca-paper');
    expect(broker({ live: true }).name).toBe('alpaca-live');
  });

  it('bad credentials are a non-retryable 401', async () => {
    const err = await broker({ secret: 'wrong' }).account().catch((e: unknown) => e);
    expect((err as BrokerError).status).toBe(401);
    expect((err as BrokerError).retryable).toBe(false);
  });

  it('reads daily bars across pages, stamped at midnight UTC', async () => {
    const s = await alpacaBars(broker().sdk, 'AAPL', '1d', Date.parse('2024-01-01'), Date.parse('2024-01-10'));
    expect(s.length).toBe(3);
    expect(Array.from(s.time).map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(Array.from(s.close)).toEqual([1.5, 2, 2.5]);
  });

  it('serves the same bars as a DataProvider (data.provider: alpaca), and the runner refuses it without the Alpaca broker', async () => {
    const provider = broker().dataProvider(new SimClock(Date.parse('2024-01-10')));
    const s = await provider.load({ symbol: 'AAPL', start: '2024-01-01' });
    expect(Array.from(s.close)).toEqual([1.5, 2, 2.5]);
    const config = parseConfig({ data: { provider: 'alpaca' } });
    expect(dataProvider(config, provider)).toBe(provider);
    expect(() => dataProvider(config, null)).toThrow('data.provider: "alpaca" needs broker.provider: alpaca');
  });
});
