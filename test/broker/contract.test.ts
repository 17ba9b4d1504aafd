/**
 * One contract, every broker: the paper broker (fed bars) and the Alpaca adapter (against the local v2 mock)
 * must behave the same way through the Broker interface the runner uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../lib/broker/alpaca/index.js';
import type { Broker } from '../../lib/broker/broker.js';
import { MemoryEventLog, PaperBroker } from '../../lib/broker/paper/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { dec } from '../../lib/core/money.js';
import type { OrderRequest } from '../../lib/core/orders.js';
import { AlpacaMock } from '../fixtures/alpaca-mock.js';

interface Harness {
  broker: Broker;
  /** Let the market move so a market order submitted now can fill at `price`. */
  advance(price: number): Promise<void>;
  close(): Promise<void>;
}

const makers: Record<string, () => Promise<Harness>> = {
  paper: async () => {
    const clock = new SimClock(0);
    const b = new PaperBroker(new MemoryEventLog(), clock, { initialCash: 10_000 });
    let t = 86_400_000;
    b.onBar('X', { time: t, open: 100, high: 100, low: 100, close: 100, volume: 1 });
    return {
      broker: b,
      advance: async (price) => {
        t += 86_400_000;
        clock.advanceTo(t);
        b.onBar('X', { time: t, open: price, high: price, low: price, close: price, volume: 1 });
      },
      close: async () => b.close(),
    };
  },
  alpaca: async () => {
    const mock = new AlpacaMock({ cash: 10_000, prices: { X: 100 } });
    const base = await mock.start();
    const b = new AlpacaBroker({ keyId: 'test-key', secret: 'test-secret', baseUrl: base, baseDelayMs: 1, sleep: async () => {} });
    return { broker: b, advance: async (price) => mock.setPrice('X', price), close: () => mock.stop() };
  },
};

const market = (cid: string, side: 'buy' | 'sell', qty: number): OrderRequest => ({ clientOrderId: cid, symbol: 'X', side, qty: dec(qty), type: 'market', timeInForce: 'gtc' });

describe.each(Object.keys(makers))('Broker contract: %s', (name) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('a market buy fills, shows in positions, fills and cash; the client order id finds the order', async () => {
    h = await makers[name]();
    const r = await h.broker.submit(market('c-buy', 'buy', 10));
    expect(r.ok).toBe(true);
    await h.advance(100);
    const fills = await h.broker.fills(0);
    expect(fills.map((f) => [f.clientOrderId, f.side, f.qty.toString(), f.price.toString()])).toEqual([['c-buy', 'buy', '10', '100']]);
    expect((await h.broker.positions()).map((p) => [p.symbol, p.qty.toString()])).toEqual([['X', '10']]);
    expect((await h.broker.account()).cash.toString()).toBe('9000');
    const o = await h.broker.orderByClientId('c-buy');
    expect(o?.status).toBe('filled');
    expect(o?.filledQty.toString()).toBe('10');
    expect(await h.broker.orderByClientId('unknown')).toBeNull();
  });

  it('the same client order id never makes a second order', async () => {
    h = await makers[name]();
    const a = await h.broker.submit(market('c-dup', 'buy', 1));
    const b = await h.broker.submit(market('c-dup', 'buy', 1));
    expect(a.ok).toBe(true);
    // Either the broker says duplicate, or it hands back the one existing order.
    if (b.ok) expect(a.ok && b.order.id).toBe(a.ok && a.order.id);
    else expect(b.code).toBe('duplicate');
    await h.advance(100);
    expect((await h.broker.fills(0)).filter((f) => f.clientOrderId === 'c-dup')).toHaveLength(1);
  });

  it('an open limit order is listed and can be canceled; a canceled order never fills', async () => {
    h = await makers[name]();
    const r = await h.broker.submit({ ...market('c-lim', 'buy', 1), type: 'limit', limitPrice: dec(50) });
    expect(r.ok).toBe(true);
    const open = await h.broker.openOrders();
    expect(open.map((o) => o.clientOrderId)).toEqual(['c-lim']);
    await h.broker.cancel(open[0].id);
    expect(await h.broker.openOrders()).toEqual([]);
    expect((await h.broker.orderByClientId('c-lim'))?.status).toBe('canceled');
    await h.advance(40);
    expect(await h.broker.fills(0)).toEqual([]);
  });

  it('selling more than held without shorting is refused as a result, not an exception', async () => {
    h = await makers[name]();
    const r = await h.broker.submit(market('c-short', 'sell', 5));
    expect(r.ok).toBe(false);
  });
});
