import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { dec } from '../../lib/core/money.js';
import { Store } from '../../runner/store.js';

const dir = mkdtempSync(join(tmpdir(), 'journal-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal: model versions and fill-priced brackets', () => {
  it('records each model version once (a restart retrains to the same versions)', () => {
    const s = new Store(':memory:');
    s.recordModelVersion({ version: 'm#1@abcd1234', fittedAt: 2000, detail: '{"rows":10}' });
    s.recordModelVersion({ version: 'm#1@abcd1234', fittedAt: 2000, detail: '{"rows":10}' });
    s.recordModelVersion({ version: 'm#2@ef567890', fittedAt: 3000, detail: '{"rows":10}' });
    expect(s.modelVersions().map((v) => v.version)).toEqual(['m#1@abcd1234', 'm#2@ef567890']);
    s.close();
  });

  it('keeps a bracket reference price, and migrates a journal made before the column existed', () => {
    const path = join(dir, 'old.db');
    // A journal from before: the orders table without bracket_ref.
    const old = new Database(path);
    old.exec(`CREATE TABLE orders (client_order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, broker_id TEXT, symbol TEXT NOT NULL, side TEXT NOT NULL, qty TEXT NOT NULL,
      type TEXT NOT NULL, limit_price TEXT, stop_price TEXT, tif TEXT NOT NULL, take_profit TEXT, stop_loss TEXT, status TEXT NOT NULL, filled_qty TEXT NOT NULL,
      avg_fill_price TEXT, bar_time INTEGER, source TEXT NOT NULL, tag TEXT, reject_reason TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
    old.close();
    const s = new Store(path);
    const req = { clientOrderId: 'c1', symbol: 'X', side: 'buy' as const, qty: dec(5), type: 'market' as const, timeInForce: 'gtc' as const, bracket: { stopLoss: dec(95), takeProfit: dec(110), reference: dec(100) } };
    expect(s.insertPendingOrder(req, 1000, 'strategy', 1)).toBe(true);
    expect(s.order('c1')!.bracket).toEqual({ takeProfit: '110', stopLoss: '95', reference: '100' });
    s.close();
  });
});
