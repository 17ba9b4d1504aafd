import { describe, expect, it } from 'vitest';
import { dec } from '../../lib/core/money.js';
import { SimClock } from '../../lib/core/clock.js';
import type { OrderRequest } from '../../lib/core/orders.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { Commission, SimBroker, SimExecution, slip, type SimOptions } from '../../lib/broker/sim/index.js';

const DAY = 86_400_000;
let n = 0;
function req(p: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'type'>): OrderRequest {
  return { clientOrderId: `c${++n}`, symbol: 'X', qty: dec(10), timeInForce: 'gtc', ...p };
}
function setup(opts: SimOptions = {}, cash = 100_000) {
  const pf = new Portfolio(cash, ['X']);
  const ex = new SimExecution(pf, opts);
  // bar 0 is the "current" bar when orders are placed
  ex.onBar(0, 0, 100, 101, 99, 100);
  return { pf, ex };
}
const bar = (ex: SimExecution, t: number, o: number, h: number, l: number, c: number) => ex.onBar(0, t * DAY, o, h, l, c);

describe('SimExecution fill rules', () => {
  it('fills a market order at the next open with slippage against the trader and commission', () => {
    const { pf, ex } = setup({ slippageBps: 10, commission: { perShare: 0.01, minimum: 1 } });
    expect(ex.submit(req({ side: 'buy', type: 'market' }), 0).ok).toBe(true);
    const f = bar(ex, 1, 100, 102, 99, 101);
    expect(f).toHaveLength(1);
    expect(f[0].price.toString()).toBe('100.1');
    expect(f[0].fee.toString()).toBe('1');
    expect(pf.cash.toString()).toBe(String(100_000 - 1001 - 1));
    expect(slip(dec('50'), 'sell', 10).toString()).toBe('49.95');
  });

  it("fills a market order at the current close with fillAt 'close'", () => {
    const { pf, ex } = setup({ fillAt: 'close' });
    ex.submit(req({ side: 'buy', type: 'market' }), 0);
    expect(ex.fills).toHaveLength(1);
    expect(ex.fills[0].price.toString()).toBe('100');
    expect(pf.qty('X').toString()).toBe('10');
  });

  it('fills limits at the open on a gap, at the limit when touched, not at all otherwise', () => {
    const { ex } = setup();
    ex.submit(req({ side: 'buy', type: 'limit', limitPrice: dec(98) }), 0);
    ex.submit(req({ side: 'buy', type: 'limit', limitPrice: dec(95) }), 0);
    ex.submit(req({ side: 'buy', type: 'limit', limitPrice: dec(90) }), 0);
    const f = bar(ex, 1, 97, 99, 94, 96); // gap below 98: fills at the open 97; 95 touched: fills at 95; 90 not reached
    expect(f.map((x) => x.price.toString())).toEqual(['97', '95']);
    expect(ex.openOrders()).toHaveLength(1);
  });

  it('fills stops at the open on a gap and at the stop when touched', () => {
    const { ex } = setup();
    ex.submit(req({ side: 'buy', type: 'market', qty: dec(20) }), 0);
    bar(ex, 1, 100, 100, 100, 100);
    ex.submit(req({ side: 'sell', type: 'stop', stopPrice: dec(95) }), DAY);
    ex.submit(req({ side: 'sell', type: 'stop', stopPrice: dec(90) }), DAY);
    const f = bar(ex, 2, 93, 94, 89, 90); // opens below 95 -> 93; 90 touched -> 90
    expect(f.map((x) => x.price.toString())).toEqual(['93', '90']);
  });

  it('stop-limit: triggers, rests as a limit when the trigger price is beyond the limit, fills later', () => {
    const { ex } = setup();
    ex.submit(req({ side: 'buy', type: 'stop_limit', stopPrice: dec(105), limitPrice: dec(104) }), 0);
    expect(bar(ex, 1, 106, 108, 105.5, 107)).toHaveLength(0); // gapped above the stop to 106 > limit 104
    const f = bar(ex, 2, 105, 106, 103, 104); // now a limit at 104: touched
    expect(f.map((x) => x.price.toString())).toEqual(['104']);
  });

  it('bracket: children start on the next bar; when both could trigger, the stop-loss wins', () => {
    const { pf, ex } = setup();
    ex.submit(req({ side: 'buy', type: 'market', bracket: { stopLoss: dec(95), takeProfit: dec(110) } }), 0);
    // entry at 100; this bar's range covers both levels but the children are not active yet
    expect(bar(ex, 1, 100, 111, 94, 100)).toHaveLength(1);
    expect(ex.openOrders().map((o) => o.type).sort()).toEqual(['limit', 'stop']);
    const f = bar(ex, 2, 100, 112, 90, 100);
    expect(f).toHaveLength(1);
    expect(f[0].price.toString()).toBe('95');
    expect(ex.openOrders()).toHaveLength(0);
    expect(pf.trades[0].pnl.toString()).toBe('-50');
  });

  it('bracket with a reference price: both levels are re-priced off the fill (gap up from 100 to 110)', () => {
    const { ex } = setup();
    // Computed from the decision close 100: stop 5 % below (95), target 10 % above (110).
    ex.submit(req({ side: 'buy', type: 'market', bracket: { stopLoss: dec(95), takeProfit: dec(110), reference: dec(100) } }), 0);
    const f = bar(ex, 1, 110, 112, 109, 111);
    expect(f[0].price.toString()).toBe('110');
    const open = ex.openOrders();
    expect(open.find((o) => o.type === 'stop')!.stopPrice!.toString()).toBe('104.5'); // 110 x 0.95
    expect(open.find((o) => o.type === 'limit')!.limitPrice!.toString()).toBe('121'); // 110 x 1.10
    // Without a reference the levels stay absolute (an explicit order's own prices).
    const { ex: ex2 } = setup();
    ex2.submit(req({ side: 'buy', type: 'market', bracket: { stopLoss: dec(95), takeProfit: dec(130) } }), 0);
    bar(ex2, 1, 110, 112, 109, 111);
    expect(ex2.openOrders().find((o) => o.type === 'stop')!.stopPrice!.toString()).toBe('95');
  });

  it('bracket: the take-profit fills at its limit and cancels the stop', () => {
    const { pf, ex } = setup();
    ex.submit(req({ side: 'buy', type: 'market', bracket: { stopLoss: dec(95), takeProfit: dec(110) } }), 0);
    bar(ex, 1, 100, 101, 99, 100);
    expect(bar(ex, 2, 104, 111, 103, 108)[0].price.toString()).toBe('110');
    expect(ex.openOrders()).toHaveLength(0);
    expect(pf.position('X')).toBeNull();
  });

  it('cancels bracket children when another order flattens the position', () => {
    const { ex } = setup();
    ex.submit(req({ side: 'buy', type: 'market', bracket: { stopLoss: dec(95) } }), 0);
    bar(ex, 1, 100, 101, 99, 100);
    expect(ex.submit(req({ side: 'sell', type: 'market' }), DAY).ok).toBe(true); // children are not counted as pending sells
    bar(ex, 2, 100, 101, 99, 100);
    expect(ex.openOrders()).toHaveLength(0);
  });

  it('rejects shorts when disabled, overspending at the fill, duplicates and malformed orders', () => {
    const { ex } = setup({}, 500);
    const short = ex.submit(req({ side: 'sell', type: 'market' }), 0);
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.reason).toMatch(/short selling is disabled/);
    const r = req({ side: 'buy', type: 'market' });
    expect(ex.submit(r, 0).ok).toBe(true);
    const dup = ex.submit(r, 0);
    expect(!dup.ok && dup.code).toBe('duplicate');
    bar(ex, 1, 100, 100, 100, 100);
    expect(ex.lateRejections).toHaveLength(1);
    expect(ex.lateRejections[0].rejectReason).toMatch(/insufficient cash/);
    const bad = ex.submit(req({ side: 'buy', type: 'limit' }), 0);
    expect(!bad.ok && bad.reason).toMatch(/limitPrice/);
    const badBracket = ex.submit(req({ side: 'buy', type: 'market', bracket: { stopLoss: dec(110), takeProfit: dec(105) } }), 0);
    expect(!badBracket.ok && badBracket.reason).toMatch(/below takeProfit/);
  });

  it('allows shorts when enabled', () => {
    const { pf, ex } = setup({ allowShort: true });
    ex.submit(req({ side: 'sell', type: 'market' }), 0);
    bar(ex, 1, 100, 100, 100, 100);
    expect(pf.qty('X').toString()).toBe('-10');
  });

  it('bracket on a short entry: stop above, take-profit below', () => {
    const { pf, ex } = setup({ allowShort: true });
    ex.submit(req({ side: 'sell', type: 'market', bracket: { stopLoss: dec(105), takeProfit: dec(90) } }), 0);
    bar(ex, 1, 100, 101, 99, 100);
    const f = bar(ex, 2, 102, 106, 89, 100); // both levels in range: the stop-loss (buy stop at 105) wins
    expect(f.map((x) => `${x.side} ${x.price}`)).toEqual(['buy 105']);
    expect(pf.trades[0]).toMatchObject({ side: 'short' });
    expect(pf.trades[0].pnl.toString()).toBe('-50');
  });

  it("expires a 'day' order not filled on its first eligible bar", () => {
    const { ex } = setup();
    ex.submit(req({ side: 'buy', type: 'limit', limitPrice: dec(50), timeInForce: 'day' }), 0);
    bar(ex, 1, 100, 101, 99, 100);
    expect(ex.openOrders()).toHaveLength(0);
    expect(ex.lateRejections[0].status).toBe('expired');
  });

  it('sizes all-in orders at the fill price, leaving room for the commission', () => {
    const a = setup({ commission: { perShare: 0.01, minimum: 1 } }, 1000);
    a.ex.submit(req({ side: 'buy', type: 'market', qty: dec(1) }), 0, { allInFraction: 1 });
    expect(bar(a.ex, 1, 100, 100, 100, 100)[0].qty.toString()).toBe('9'); // 10 x 100 + 1 > 1000
    const b = setup({}, 1000);
    b.ex.submit(req({ side: 'buy', type: 'market', qty: dec(1) }), 0, { allInFraction: 1 });
    expect(bar(b.ex, 1, 99, 100, 98, 100)[0].qty.toString()).toBe('10');
    expect(b.pf.cash.toString()).toBe('10');
  });

  it('computes commission per share, percent and minimum, rounded to cents', () => {
    const c = new Commission({ perShare: 0.005, percent: 0.1, minimum: 1 });
    expect(c.fee(dec(100), dec(50)).toString()).toBe('5.5'); // 0.5 + 0.1% of 5000
    expect(c.fee(dec(1), dec(10)).toString()).toBe('1');
    expect(() => new Commission({ percent: -1 })).toThrow(/commission.percent/);
  });
});

describe('SimBroker: the async Broker contract over the same fill model', () => {
  it('submits, fills on bars, and reports account, positions, fills and orders', async () => {
    const pf = new Portfolio(10_000);
    const clock = new SimClock(0);
    const b = new SimBroker(pf, clock);
    b.onBar('X', { time: 0, open: 10, high: 10, low: 10, close: 10, volume: 1 });
    const r = await b.submit(req({ side: 'buy', type: 'market', qty: dec(100) }));
    expect(r.ok && r.order.status).toBe('accepted');
    expect(await b.openOrders()).toHaveLength(1);
    clock.advanceTo(DAY);
    b.onBar('X', { time: DAY, open: 11, high: 12, low: 10, close: 12, volume: 1 });
    expect((await b.positions())[0].qty.toString()).toBe('100');
    const acct = await b.account();
    expect(acct.cash.toString()).toBe('8900');
    expect(acct.equity.toString()).toBe('10100');
    expect(await b.fills(DAY)).toHaveLength(1);
    expect((await b.orderByClientId(r.ok ? r.order.clientOrderId : ''))!.status).toBe('filled');
  });
});
