import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog, PaperBroker, SqliteEventLog } from '../../lib/broker/paper/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { dec } from '../../lib/core/money.js';
import type { OrderRequest } from '../../lib/core/orders.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const buy = (cid: string, qty = 10): OrderRequest => ({ clientOrderId: cid, symbol: 'X', side: 'buy', qty: dec(qty), type: 'market', timeInForce: 'gtc' });
const bar = (time: number, open: number) => ({ time, open, high: open + 1, low: open - 1, close: open + 0.5, volume: 1000 });

describe('PaperBroker', () => {
  it('fills a market order at the next bar open (the sim fill model) with slippage and commission', async () => {
    const clock = new SimClock(0);
    const b = new PaperBroker(new MemoryEventLog(), clock, { initialCash: 10_000, slippageBps: 10, commission: { perShare: 0.01 } });
    b.onBar('X', bar(1000, 100));
    const r = await b.submit(buy('a'));
    expect(r.ok).toBe(true);
    expect(await b.fills(0)).toEqual([]);
    const fills = b.onBar('X', bar(2000, 101));
    expect(fills).toHaveLength(1);
    expect(fills[0].price.toString()).toBe('101.101');
    expect(fills[0].fee.toString()).toBe('0.1');
    const acct = await b.account();
    expect(acct.cash.toString()).toBe(dec(10_000).minus(dec('1011.01')).minus('0.1').toString());
  });

  it('rejects a duplicate client order id and ignores re-fed bars', async () => {
    const b = new PaperBroker(new MemoryEventLog(), new SimClock(0), { initialCash: 10_000 });
    b.onBar('X', bar(1000, 100));
    expect((await b.submit(buy('a'))).ok).toBe(true);
    const dup = await b.submit(buy('a'));
    expect(dup.ok === false && dup.code).toBe('duplicate');
    expect(b.onBar('X', bar(2000, 100))).toHaveLength(1);
    expect(b.onBar('X', bar(2000, 100))).toHaveLength(0);
    expect(b.onBar('X', bar(1500, 100))).toHaveLength(0);
    expect((await b.positions())[0].qty.toString()).toBe('10');
  });

  it('comes back after a crash with the same orders, fills, ids and cash (SQLite event log)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paper-'));
    dirs.push(dir);
    const path = join(dir, 'paper.db');
    const clock = new SimClock(0);
    const a = new PaperBroker(new SqliteEventLog(path), clock, { initialCash: 5_000 });
    a.onBar('X', bar(1000, 50));
    await a.submit(buy('a', 20));
    await a.submit({ ...buy('lim', 5), type: 'limit', limitPrice: dec(10) });
    a.onBar('X', bar(2000, 51));
    const before = { fills: await a.fills(0), open: await a.openOrders(), acct: await a.account(), pos: await a.positions() };
    a.close(); // the process dies; a new one opens the same log
    const b = new PaperBroker(new SqliteEventLog(path), clock, { initialCash: 5_000 });
    expect(await b.fills(0)).toEqual(before.fills);
    expect(await b.openOrders()).toEqual(before.open);
    expect(await b.account()).toEqual(before.acct);
    expect(await b.positions()).toEqual(before.pos);
    expect((await b.orderByClientId('a'))?.status).toBe('filled');
    b.close();
  });

  it('an unreadable event log is refused naming the file', () => {
    const d = mkdtempSync(join(tmpdir(), 'paper-bad-'));
    dirs.push(d);
    const path = join(d, 'paper-broker.db');
    writeFileSync(path, Buffer.alloc(8192, 7));
    expect(() => new SqliteEventLog(path)).toThrow(`paper broker log ${path}: file is not a database`);
  });
});
