import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { dec } from '../../lib/core/money.js';
import { Store } from '../../runner/store.js';
import { MemoryEventLog, PaperBroker } from '../../lib/broker/paper/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { Engine } from '../../lib/engine/index.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { RiskGate } from '../../lib/risk/index.js';
import { NO_INTENTS, type Intent, type Strategy, type StrategyContext } from '../../lib/strategy/index.js';
import { TradingLoop } from '../../runner/loop.js';
import { retrainFactory } from '../../lib/strategy/ml/index.js';
import type { ModelMetadata } from '../../lib/ml/registry.js';

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

  it('the journal records which model version made each decision', async () => {
    const series = syntheticMarket({ symbols: ['SYNA'], start: '2020-01-01', end: '2020-03-01', seed: 3 });
    class Versioned implements Strategy {
      readonly name = 'versioned';
      onBar(ctx: StrategyContext): readonly Intent[] {
        const i = ctx.index[0];
        if (i === 5) return [{ kind: 'signal', symbol: 'SYNA', direction: 'long', reason: 'test', modelVersion: 'm#1@00000001' }];
        if (i === 9) return [{ kind: 'signal', symbol: 'SYNA', direction: 'flat', reason: 'test', modelVersion: 'm#2@00000002' }];
        return NO_INTENTS;
      }
    }
    const clock = new SimClock(0);
    const store = new Store(':memory:');
    const paper = new PaperBroker(new MemoryEventLog(), clock, { initialCash: 10_000, symbols: ['SYNA'] });
    const engine = new Engine({ strategy: new Versioned(), gate: new RiskGate({}), sizing: { method: 'fixed_fraction', fraction: 0.1 }, portfolio: new Portfolio(10_000, ['SYNA']) });
    const loop = new TradingLoop({ store, broker: paper, paper, engine, clock, symbols: ['SYNA'], initialCash: dec(10_000) });
    await loop.recover(series);
    for (const t of loop.timeline()) {
      clock.advanceTo(t);
      await loop.step(t);
    }
    const versions = store.signals().map((x) => (JSON.parse(x.detail!) as { model_version?: string }).model_version);
    expect(versions).toEqual(['m#1@00000001', 'm#2@00000002']);
    store.close();
  });

  it('live retraining is refused at load for a model type that fits asynchronously (mlp)', () => {
    expect(() => retrainFactory({ modelType: 'mlp', params: {} } as unknown as ModelMetadata)).toThrow(/strategy.ml.retrain_every: .*rf models.*set it to 0/);
    expect(retrainFactory({ modelType: 'rf', params: { nEstimators: 3, seed: 1 } } as unknown as ModelMetadata)().kind).toBe('rf');
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
