import { describe, expect, it } from 'vitest';
import { dec } from '../../lib/core/money.js';
import type { Fill } from '../../lib/core/orders.js';
import { FillLog } from '../../lib/engine/index.js';

const fill = (i: number, o: Partial<Fill>): Fill => ({
  id: `sim-f${i}`,
  orderId: `sim-o${i}`,
  clientOrderId: `s:X:${i}`,
  symbol: 'X',
  side: 'buy',
  qty: dec(10),
  price: dec(0.7420613069601859),
  fee: dec(0),
  time: 1000 * i,
  ...o,
});

describe('FillLog: compact fills that rebuild exactly', () => {
  it('round-trips float-exact and non-float decimals (slipped prices, fractional fees) and grows', () => {
    const log = new FillLog();
    const input: Fill[] = [];
    for (let i = 0; i < 200; i++) {
      const f =
        i % 3 === 0
          ? fill(i, { side: 'sell', symbol: `S${i % 7}`, price: dec('0.74228392535227395577'), fee: dec('1.23'), qty: dec(i + 1) })
          : i % 3 === 1
            ? fill(i, { qty: dec('0.1234567890123456789'), fee: dec('0.000000000000000001') })
            : i === 5
              ? fill(i, { id: 'paper-f5', orderId: 'other-o5', clientOrderId: 'manual' })
              : fill(i, { clientOrderId: `sma-crossover(10,30):X:${1000 * i}:${i}` });
      input.push(f);
      log.push(f);
    }
    expect(log.length).toBe(200);
    const out = log.toArray();
    const s = (f: Fill) => ({ ...f, qty: f.qty.toString(), price: f.price.toString(), fee: f.fee.toString() });
    expect(out.map(s)).toEqual(input.map(s));
    expect(log.at(3).price.toString()).toBe('0.74228392535227395577');
    expect(() => log.at(200)).toThrow(RangeError);
    const notional = input.reduce((a, f) => a + Math.abs(f.qty.toNumber() * f.price.toNumber()), 0);
    expect(log.tradedNotional).toBeCloseTo(notional, 9);
  });
});
