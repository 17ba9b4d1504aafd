import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('records a fill exactly once and returns every fill (no row limit)', () => {
    const s = new Store(':memory:');
    s.initCash(dec(10_000));
    expect(s.applyFill(fill('f1', 'buy', 10, '100.5'))).toBe(true);
    expect(s.applyFill(fill('f1', 'buy', 10, '100.5'))).toBe(false);
    expect(s.applyFill(fill('f2', 'buy', 10, '102.5'))).toBe(true);
    expect(s.applyFill(fill('f3', 'sell', 20, '110'))).toBe(true);
    expect(s.fills().map((f) => f.id)).toEqual(['f1', 'f2', 'f3']);
    expect(s.fills(2).map((f) => f.id)).toEqual(['f2', 'f3']);
    expect(s.lastFillTime()).toBe(1003);
    s.tx(() => {
      for (let i = 4; i < 100_010; i++) s.applyFill(fill(`f${i}`, 'buy', 1, '1', '0'));
    });
    expect(s.fills()).toHaveLength(100_009);
    expect(s.fillCount()).toBe(100_009);
  });

  it('the starting cash is set once: a restart with another value does not reset the account', () => {
    const path = fresh();
    const a = new Store(path);
    a.initCash(dec(5000));
    a.close();
    const b = new Store(path);
    b.initCash(dec(99_999));
    expect(b.initialCash().toString()).toBe('5000');
    b.close();
  });

  it('names the file when SQLite cannot open it', () => {
    const path = fresh();
    writeFileSync(path, 'this is not a database, just some text that is long enough '.repeat(20));
    expect(() => new Store(path)).toThrow(`journal ${path}: file is not a database`);
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
