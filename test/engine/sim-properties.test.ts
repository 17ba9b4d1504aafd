import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec, ZERO } from '../../lib/core/money.js';
import type { OrderType } from '../../lib/core/orders.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { SimExecution } from '../../lib/broker/sim/index.js';

const DAY = 86_400_000;
const arbOrder = fc.record({
  sym: fc.integer({ min: 0, max: 1 }),
  buy: fc.boolean(),
  qty: fc.integer({ min: 1, max: 300 }),
  type: fc.constantFrom<OrderType>('market', 'limit', 'stop', 'stop_limit'),
  off: fc.integer({ min: -30, max: 30 }).map((x) => x / 10),
  bracket: fc.boolean(),
  allIn: fc.boolean(),
});
const arbStep = fc.record({
  moves: fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })),
  orders: fc.array(arbOrder, { maxLength: 3 }),
  cancel: fc.boolean(),
});

describe('SimExecution properties over random bars and orders', () => {
  it('long-only with a cash check: cash never negative, no position below zero, the ledger identity holds', () => {
    let fills = 0;
    let sells = 0;
    fc.assert(
      fc.property(fc.array(arbStep, { minLength: 5, maxLength: 60 }), fc.boolean(), (steps, closeFills) => {
        const pf = new Portfolio('20000', ['A', 'B']);
        const ex = new SimExecution(pf, { commission: { perShare: 0.01, minimum: 1 }, slippageBps: 5, fillAt: closeFills ? 'close' : 'next_open' });
        const px = [50, 80];
        let n = 0;
        steps.forEach((st, k) => {
          const t = k * DAY;
          for (let s = 0; s < 2; s++) {
            const open = px[s];
            const close = Math.max(1, Math.round((open + st.moves[s] / 10) * 100) / 100);
            const high = Math.max(open, close) + 0.5;
            const low = Math.max(0.5, Math.min(open, close) - 0.5);
            ex.onBar(s, t, open, high, low, close);
            px[s] = close;
          }
          for (const o of st.orders) {
            const ref = px[o.sym];
            const level = dec(Math.max(0.5, Math.round((ref + o.off) * 100) / 100));
            ex.submit(
              {
                clientOrderId: `c${++n}`,
                symbol: o.sym ? 'B' : 'A',
                side: o.buy ? 'buy' : 'sell',
                qty: dec(o.qty),
                type: o.type,
                timeInForce: 'gtc',
                ...(o.type === 'limit' || o.type === 'stop_limit' ? { limitPrice: level } : {}),
                ...(o.type === 'stop' || o.type === 'stop_limit' ? { stopPrice: level } : {}),
                ...(o.bracket && o.buy ? { bracket: { stopLoss: dec(Math.max(0.1, ref * 0.9).toFixed(2)), takeProfit: dec((ref * 1.1).toFixed(2)) } } : {}),
              },
              t,
              o.allIn && o.buy ? { allInFraction: 0.5 } : {},
            );
          }
          if (st.cancel) {
            const open = ex.openOrders();
            if (open.length) ex.cancel(open[0].id);
          }
          expect(pf.cash.isNegative()).toBe(false);
          for (const p of pf.positions()) expect(p.qty.isNegative()).toBe(false);
          let basis = ZERO;
          for (const p of pf.positions()) basis = basis.plus(p.basis);
          expect(pf.cash.plus(basis).eq(pf.initialCash.plus(pf.realized).minus(pf.fees))).toBe(true);
        });
        // every fill is on the bar grid: fills never happen before the order's bar
        for (const f of ex.fills) expect(f.time % DAY).toBe(0);
        fills += ex.fills.length;
        sells += ex.fills.filter((f) => f.side === 'sell').length;
      }),
      { numRuns: 120, seed: 1234 },
    );
    expect(fills).toBeGreaterThan(500); // the property is not vacuous
    expect(sells).toBeGreaterThan(100);
  });
});
