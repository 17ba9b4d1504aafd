import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal, ZERO, dec } from '../../lib/core/money.js';
import type { Fill } from '../../lib/core/orders.js';
import { Portfolio, type PortfolioJSON } from '../../lib/portfolio/index.js';

let seq = 0;
function fill(symbol: string, side: 'buy' | 'sell', qty: string | number, price: string | number, fee: string | number = 0, time = ++seq): Fill {
  return { id: `f${seq}`, orderId: `o${seq}`, clientOrderId: `c${seq}`, symbol, side, qty: dec(qty), price: dec(price), fee: dec(fee), time };
}

describe('Portfolio: hand-computed ledger', () => {
  it('scales in, partly closes, flips to short and covers with the exact numbers', () => {
    const pf = new Portfolio('10000');
    expect(pf.applyFill(fill('X', 'buy', 10, 100, 1, 1))).toBeNull();
    pf.applyFill(fill('X', 'buy', 10, 110, 1, 2));
    expect(pf.cash.toString()).toBe('7898');
    expect(pf.position('X')!.avgPrice.toString()).toBe('105');

    const t1 = pf.applyFill(fill('X', 'sell', 5, 120, 1, 3))!;
    expect(t1.side).toBe('long');
    expect(t1.entryTime).toBe(1);
    expect(t1.entryPrice.toString()).toBe('105');
    expect(t1.qty.toString()).toBe('5');
    // realised 5 x (120 - 105) = 75, minus a quarter of the entry fees (0.5) and the exit fee (1)
    expect(t1.pnl.toString()).toBe('73.5');
    expect(t1.fees.toString()).toBe('1.5');
    expect(pf.cash.toString()).toBe('8497');
    expect(pf.realized.toString()).toBe('75');
    const s1 = pf.snapshot({ X: '130' });
    expect(s1.equity.toString()).toBe('10447');
    expect(s1.unrealized.toString()).toBe('375');

    // sell 25 @ 100: closes 15 (realised -75), opens a 10-share short; the fee 2 splits 1.2 / 0.8
    const t2 = pf.applyFill(fill('X', 'sell', 25, 100, 2, 4))!;
    expect(t2.qty.toString()).toBe('15');
    expect(t2.pnl.toString()).toBe('-77.7');
    expect(pf.cash.toString()).toBe('10995');
    expect(pf.position('X')!.qty.toString()).toBe('-10');
    expect(pf.position('X')!.openedAt).toBe(4);
    expect(pf.snapshot({ X: 90 }).equity.toString()).toBe('10095');

    const t3 = pf.applyFill(fill('X', 'buy', 10, 90, 1, 5))!;
    expect(t3.side).toBe('short');
    expect(t3.entryPrice.toString()).toBe('100');
    expect(t3.pnl.toString()).toBe('98.2');
    expect(pf.position('X')).toBeNull();
    expect(pf.openPositionCount()).toBe(0);
    expect(pf.cash.toString()).toBe('10094');
    expect(pf.fees.toString()).toBe('6');
    expect(pf.snapshot({}).equity.toString()).toBe('10094');
  });

  it('keeps a float mirror equal to the exact values and a float equity', () => {
    const pf = new Portfolio(1000, ['A', 'B']);
    pf.applyFill(fill('B', 'buy', '3', '10.10', '0.01'));
    expect(pf.qtyAt(1)).toBe(3);
    expect(pf.cashFloat).toBe(pf.cash.toNumber());
    expect(pf.equityFloat(new Float64Array([0, 11]))).toBeCloseTo(1000 - 30.3 - 0.01 + 33, 10);
  });

  it('rejects malformed fills and missing marks with the field named', () => {
    const pf = new Portfolio(1000);
    expect(() => pf.applyFill(fill('A', 'buy', 0, 10))).toThrow(/fill.qty/);
    expect(() => pf.applyFill(fill('A', 'buy', 1, 10, -1))).toThrow(/fill.fee/);
    pf.applyFill(fill('A', 'buy', 1, 10));
    expect(() => pf.snapshot({})).toThrow(/marks.A/);
    expect(() => new Portfolio(-1)).toThrow(/initial_cash/);
  });
});

const SYMS = ['A', 'B', 'C'];
const arbFill = fc.record({
  sym: fc.constantFrom(...SYMS),
  buy: fc.boolean(),
  qty: fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), fc.integer({ min: 1, max: 99999 }).map((n) => (n / 1000).toString())),
  price: fc.integer({ min: 1, max: 500_000 }).map((c) => (c / 100).toString()),
  fee: fc.oneof(fc.constant('0'), fc.integer({ min: 0, max: 500 }).map((c) => (c / 100).toString())),
});

function checkInvariants(pf: Portfolio, marks: Record<string, string>, notionalSum: Decimal): void {
  let basis = ZERO;
  let openEntryFees = ZERO;
  const json = pf.toJSON();
  for (const p of json.positions) {
    basis = basis.plus(p.basis);
    openEntryFees = openEntryFees.plus(p.entryFees);
  }
  // cash + basis = initial + realised - fees, exactly
  expect(pf.cash.plus(basis).eq(pf.initialCash.plus(pf.realized).minus(pf.fees))).toBe(true);
  // cash moves only by notional and fees
  expect(pf.cash.eq(pf.initialCash.minus(notionalSum).minus(pf.fees))).toBe(true);
  // equity = cash + market value = initial + realised + unrealised - fees
  const snap = pf.snapshot(marks);
  expect(snap.equity.eq(snap.cash.plus(snap.marketValue))).toBe(true);
  expect(snap.equity.eq(pf.initialCash.plus(snap.realized).plus(snap.unrealized).minus(snap.fees))).toBe(true);
  // closed trades: pnl + fees sum to the realised P&L; fees are all attributed
  let tp = ZERO;
  let tf = ZERO;
  for (const t of pf.trades) {
    tp = tp.plus(t.pnl);
    tf = tf.plus(t.fees);
  }
  expect(tp.plus(tf).eq(pf.realized)).toBe(true);
  expect(tf.plus(openEntryFees).eq(pf.fees)).toBe(true);
}

describe('Portfolio: properties over random fill sequences', () => {
  it('keeps the accounting identities exactly after every fill', () => {
    fc.assert(
      fc.property(fc.array(arbFill, { minLength: 1, maxLength: 60 }), (fills) => {
        const pf = new Portfolio('100000');
        let notional = ZERO;
        const marks: Record<string, string> = { A: '1', B: '1', C: '1' };
        for (const f of fills) {
          pf.applyFill(fill(f.sym, f.buy ? 'buy' : 'sell', f.qty, f.price, f.fee));
          notional = notional.plus(dec(f.qty).times(f.price).times(f.buy ? 1 : -1));
          marks[f.sym] = f.price;
          checkInvariants(pf, marks, notional);
        }
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('round-trips through JSON exactly, mid-life', () => {
    fc.assert(
      fc.property(fc.array(arbFill, { minLength: 1, maxLength: 40 }), fc.array(arbFill, { maxLength: 20 }), (first, second) => {
        const a = new Portfolio('50000');
        for (const f of first) a.applyFill(fill(f.sym, f.buy ? 'buy' : 'sell', f.qty, f.price, f.fee, 7));
        const text = JSON.stringify(a.toJSON());
        const b = Portfolio.fromJSON(JSON.parse(text) as PortfolioJSON);
        expect(JSON.stringify(b.toJSON())).toBe(text);
        for (let i = 0; i < 3; i++) expect(b.qtyAt(i)).toBe(a.qtyAt(i));
        // both continue identically
        for (const f of second) {
          const x = fill(f.sym, f.buy ? 'buy' : 'sell', f.qty, f.price, f.fee, 9);
          a.applyFill(x);
          b.applyFill(x);
        }
        expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('has no drift after thousands of trades: float equity tracks the exact equity', () => {
    const pf = new Portfolio('1000000', SYMS);
    let x = 12345;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const closes = new Float64Array([50, 80, 120]);
    let notional = ZERO;
    for (let i = 0; i < 5000; i++) {
      const s = Math.floor(rnd() * 3);
      closes[s] = Math.round(closes[s] * (1 + (rnd() - 0.5) * 0.04) * 100) / 100;
      const q = 1 + Math.floor(rnd() * 50);
      const buy = rnd() < 0.5;
      pf.applyFill(fill(SYMS[s], buy ? 'buy' : 'sell', q, closes[s], '0.35'));
      notional = notional.plus(dec(q).times(dec(closes[s])).times(buy ? 1 : -1));
    }
    const marks = { A: closes[0], B: closes[1], C: closes[2] };
    checkInvariants(pf, { A: String(closes[0]), B: String(closes[1]), C: String(closes[2]) }, notional);
    const exact = pf.snapshot(marks).equity.toNumber();
    expect(Math.abs(pf.equityFloat(closes) - exact)).toBeLessThan(1e-6);
    expect(pf.trades.length).toBeGreaterThan(1000);
  });

  it('refuses a portfolio file of another schema version', () => {
    const j = { ...new Portfolio(1).toJSON(), schemaVersion: 99 };
    expect(() => Portfolio.fromJSON(j)).toThrow(/schemaVersion/);
  });
});
