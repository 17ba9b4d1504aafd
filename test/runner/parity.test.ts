import { describe, expect, it } from 'vitest';
import { MemoryEventLog, PaperBroker } from '../../lib/broker/paper/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { dec } from '../../lib/core/money.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { Engine, runBacktest } from '../../lib/engine/index.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { RiskGate } from '../../lib/risk/index.js';
import { SmaCrossover } from '../../lib/strategy/index.js';
import { TradingLoop } from '../../runner/loop.js';
import { Store } from '../../runner/store.js';

const series = syntheticMarket({ symbols: ['SYNA', 'SYNB', 'SYNC'], start: '2020-01-01', end: '2021-06-30', seed: 7 });
const symbols = series.map((s) => s.symbol);
const commission = { perShare: 0.005, minimum: 1 };
const limits = {}; // the defaults, daily loss limit and brackets included

describe('replay parity with the backtest', () => {
  it.each(['next_open', 'close'] as const)('the runner loop with the paper broker makes the same fills and equity as runBacktest (fill at %s)', async (fillAt) => {
    const bt = runBacktest({ series, strategy: new SmaCrossover({ fast: 5, slow: 20 }), initialCash: 100_000, commission, slippageBps: 2, limits, fillAt });
    expect(bt.fills.length).toBeGreaterThan(10);
    expect(bt.fills.some((f) => /-(sl|tp)$/.test(f.clientOrderId))).toBe(true); // bracket exits took part

    const clock = new SimClock(0);
    const store = new Store(':memory:');
    const paper = new PaperBroker(new MemoryEventLog(), clock, { initialCash: 100_000, symbols, commission, slippageBps: 2, fillAt });
    const portfolio = new Portfolio(100_000, symbols);
    const engine = new Engine({ strategy: new SmaCrossover({ fast: 5, slow: 20 }), gate: new RiskGate(limits), sizing: { method: 'fixed_fraction', fraction: 0.1 }, portfolio });
    const loop = new TradingLoop({ store, broker: paper, paper, engine, clock, symbols, initialCash: dec(100_000) });
    await loop.recover(series);
    for (const t of loop.timeline()) {
      clock.advanceTo(t);
      await loop.step(t);
    }
    const key = (f: { symbol: string; side: string; qty: { toString(): string } | string; price: { toString(): string } | string; fee: { toString(): string } | string; time: number }) =>
      `${f.time}|${f.symbol}|${f.side}|${f.qty.toString()}|${f.price.toString()}|${f.fee.toString()}`;
    expect(store.fills().map(key)).toEqual(bt.fills.map(key));
    expect(store.equityHistory().at(-1)!.equity).toBe(bt.finalEquity);
    expect(portfolio.cash.toString()).toBe(bt.finalCash);
    // Orders: the journal's filled orders are the backtest's filled parent orders (same symbol, side, qty, order).
    const parents = (fills: ReadonlyArray<{ clientOrderId: string; symbol: string; side: string; qty: { toString(): string } | string }>) => {
      const seen = new Map<string, string>();
      for (const f of fills) if (!/-(sl|tp)$/.test(f.clientOrderId) && !seen.has(f.clientOrderId)) seen.set(f.clientOrderId, `${f.symbol}|${f.side}|${f.qty.toString()}`);
      return [...seen.values()];
    };
    expect(store.orders().filter((o) => o.status === 'filled' && o.parentId === null).map((o) => `${o.symbol}|${o.side}|${o.qty}`)).toEqual(parents(bt.fills));
    // The same decisions carry the same deterministic client order ids in the backtest and the runner.
    const btIds = [...new Set(bt.fills.map((f) => f.clientOrderId).filter((id) => !/-(sl|tp)$/.test(id)))];
    expect(store.orders().filter((o) => o.status === 'filled' && o.parentId === null).map((o) => o.clientOrderId)).toEqual(btIds);
    expect(btIds[0]).toMatch(/^sma-crossover_5_20_:SYN[ABC]:\d{4}-\d{2}-\d{2}:long:0$/);
    // Bracket legs are journaled under their parent.
    expect(store.orders().some((o) => o.source === 'bracket' && o.parentId !== null && /-(sl|tp)$/.test(o.clientOrderId))).toBe(true);
    // Journal orders: none duplicated.
    const cids = store.orders().map((o) => o.clientOrderId);
    expect(new Set(cids).size).toBe(cids.length);
    store.close();
  });
});
