import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dec } from '../../lib/core/money.js';
import type { Fill } from '../../lib/core/orders.js';
import { Store } from '../../runner/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function fresh(): string {
  const d = mkdtempSync(join(tmpdir(), 'store-'));
  dirs.push(d);
  return join(d, 'journal.db');
}
const fill = (id: string, side: 'buy' | 'sell', qty: number, price: string, fee = '1'): Fill => ({
  id, orderId: `o-${id}`, clientOrderId: `c-${id}`, symbol: 'X', side, qty: dec(qty), price: dec(price), fee: dec(fee), time: 1000 + Number(id.replace(/\D/g, '')),
});

describe('Store (the SQLite journal)', () => {
  it('is in WAL mode with synchronous=FULL', () => {
    const s = new Store(fresh());
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    s.close();
  });

  it('applies a fill exactly once, moving cash and the position by hand-computed amounts', () => {
    const s = new Store(':memory:');
    s.initCash(dec(10_000));
    expect(s.applyFill(fill('f1', 'buy', 10, '100.5'))).toBe(true);
    expect(s.applyFill(fill('f1', 'buy', 10, '100.5'))).toBe(false);
    expect(s.cash().toString()).toBe('8994'); // 10000 - 1005 - 1
    expect(s.applyFill(fill('f2', 'buy', 10, '102.5'))).toBe(true);
    expect(s.position('X')!.avgPrice.toString()).toBe('101.5');
    expect(s.applyFill(fill('f3', 'sell', 20, '110'))).toBe(true);
    expect(s.position('X')).toBeNull();
    expect(s.cash().toString()).toBe(String(10_000 - 1005 - 1 - 1025 - 1 + 2200 - 1));
    expect(s.fills().map((f) => f.id)).toEqual(['f1', 'f2', 'f3']);
    expect(s.lastFillTime()).toBe(1003);
  });

  it('the starting cash is set once: a restart with another value does not reset the account', () => {
    const path = fresh();
    const a = new Store(path);
    a.initCash(dec(5000));
    a.applyFill(fill('f1', 'buy', 1, '100', '0'));
    a.close();
    const b = new Store(path);
    b.initCash(dec(99_999));
    expect(b.cash().toString()).toBe('4900');
    expect(b.initialCash().toString()).toBe('5000');
    b.close();
  });

  it('journals an order once per client order id and tracks it to filled', () => {
    const s = new Store(':memory:');
    const req = { clientOrderId: 'c1', symbol: 'X', side: 'buy' as const, qty: dec(5), type: 'market' as const, timeInForce: 'gtc' as const, bracket: { stopLoss: dec(95) } };
    expect(s.insertPendingOrder(req, 1000, 'strategy', 1)).toBe(true);
    expect(s.insertPendingOrder(req, 1000, 'strategy', 2)).toBe(false);
    expect(s.pendingSubmits().map((o) => o.clientOrderId)).toEqual(['c1']);
    expect(s.order('c1')!.bracket).toEqual({ takeProfit: null, stopLoss: '95' });
    s.updateFromBroker({ ...req, id: 'b1', status: 'filled', filledQty: dec(5), avgFillPrice: dec(100), submittedAt: 1, updatedAt: 2 }, 3);
    expect(s.pendingSubmits()).toEqual([]);
    expect(s.openOrders()).toEqual([]);
    expect(s.orderByBrokerId('b1')!.status).toBe('filled');
  });

  it('kill switch, decisions and progress survive a reopen', () => {
    const path = fresh();
    const a = new Store(path);
    a.setKillSwitch(true, 'test', 42, 'manual');
    a.markDecided(1000);
    a.setLastBar('X', 1000);
    a.setLastBar('Y', 1000);
    a.close();
    const b = new Store(path);
    expect(b.killSwitch()).toEqual({ active: true, kind: 'manual', reason: 'test', since: 42 });
    expect(b.decided(1000)).toBe(true);
    expect(b.decided(2000)).toBe(false);
    expect(b.lastProcessedTime()).toBe(1000);
    b.setKillSwitch(false, null, 43);
    expect(b.killSwitch().active).toBe(false);
    b.close();
  });
});
