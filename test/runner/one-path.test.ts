/**
 * One trading path: a live start never trades history (defect 1), the kill switch holds across a restart
 * (defect 4), and manual orders are intents through the strategy's plan: brackets attached, a
 * reduce-then-flip split into two legs, every decision journaled (defect 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEventLog, PaperBroker, SqliteEventLog } from '../../lib/broker/paper/index.js';
import { makeSeries, sliceByTime, type BarSeries } from '../../lib/core/bars.js';
import { SimClock } from '../../lib/core/clock.js';
import { parseConfig } from '../../lib/config/index.js';
import { dec } from '../../lib/core/money.js';
import type { DataProvider, DataRequest } from '../../lib/data/provider.js';
import { toEpochMs } from '../../lib/data/provider.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { Engine } from '../../lib/engine/index.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { RiskGate, permissiveLimits, type RiskLimits } from '../../lib/risk/index.js';
import { NO_INTENTS, type Intent, type Strategy, type StrategyContext } from '../../lib/strategy/index.js';
import { completeBefore, liveTick } from '../../runner/live.js';
import { silentLogger, TradingLoop } from '../../runner/loop.js';
import { createRunner } from '../../runner/runner.js';
import { Store } from '../../runner/store.js';
import { AlpacaMock } from '../fixtures/alpaca-mock.js';

const root = mkdtempSync(join(tmpdir(), 'one-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** Wants 10 shares of X on every bar (stateless: whatever it saw before, it asks again). */
class Always implements Strategy {
  readonly name = 'always';
  onBar(ctx: StrategyContext): readonly Intent[] {
    return ctx.updated[0] === 1 ? [{ kind: 'target_qty', symbol: ctx.series[0].symbol, qty: 10, reason: 'hold 10' }] : NO_INTENTS;
  }
}

/** Enters 10 at the 3rd bar (index 2), exits at the 6th. */
class Scripted implements Strategy {
  readonly name = 'scripted';
  onBar(ctx: StrategyContext): readonly Intent[] {
    const i = ctx.index[0];
    if (i === 2) return [{ kind: 'target_qty', symbol: 'X', qty: 10, reason: 'enter' }];
    if (i === 5) return [{ kind: 'target_qty', symbol: 'X', qty: 0, reason: 'exit' }];
    return NO_INTENTS;
  }
}

function xSeries(days: string[]): BarSeries {
  const n = days.length;
  const c = Array.from({ length: n }, (_, i) => 100 + i);
  return makeSeries('X', '1d', { time: days.map(day), open: c, high: c.map((v) => v + 1), low: c.map((v) => v - 1), close: c, volume: c.map(() => 1000) });
}

function loopWith(o: { strategy: Strategy; store: Store; paper: PaperBroker; clock: SimClock; limits?: Partial<RiskLimits>; killAllowsExits?: boolean; onPoint?: (p: string, t: number) => void }): TradingLoop {
  const portfolio = new Portfolio(100_000, ['X']);
  const engine = new Engine({ strategy: o.strategy, gate: new RiskGate(o.limits ?? permissiveLimits()), sizing: { method: 'fixed_quantity', quantity: 10 }, portfolio });
  return new TradingLoop({ store: o.store, broker: o.paper, paper: o.paper, engine, clock: o.clock, symbols: ['X'], initialCash: dec(100_000), ...(o.killAllowsExits !== undefined ? { killAllowsExits: o.killAllowsExits } : {}), ...(o.onPoint ? { onPoint: o.onPoint } : {}) });
}

describe('defect 1: a live start warms up on history and trades only bars that close after it', () => {
  it('loop level: no order for the loaded history; the first bar closing after the start is traded', async () => {
    const full = xSeries(['2024-07-01', '2024-07-02', '2024-07-03', '2024-07-05', '2024-07-08']);
    const provider: DataProvider = { name: 'fake', load: async (req: DataRequest) => sliceByTime(full, toEpochMs(req.start, -Infinity), toEpochMs(req.end, Infinity)) };
    const clock = new SimClock(Date.parse('2024-07-05T15:00:00Z')); // Friday, session open: 07-05 not complete yet
    const paper = new PaperBroker(new MemoryEventLog(), clock, { initialCash: 100_000 });
    const loop = loopWith({ strategy: new Always(), store: new Store(':memory:'), paper, clock });
    loop.store.setMeta('trading_from', String(completeBefore(clock.nowMs(), '1d')));
    await loop.recover([sliceByTime(full, 0, day('2024-07-04'))]);
    expect(await loop.warmUp()).toBe(3);
    const opts = { loop, provider, interval: '1d' as const, clock, marketHoursOnly: true, logger: silentLogger };
    expect(await liveTick(opts)).toBe(0);
    expect(loop.store.orders()).toEqual([]);
    clock.advanceTo(Date.parse('2024-07-05T20:30:00Z')); // 07-05 closed after the start
    expect(await liveTick(opts)).toBe(1);
    expect(loop.store.orders().map((o) => `${o.side} ${o.qty} ${o.barTime === day('2024-07-05')}`)).toEqual(['buy 10 true']);
  });

  it('createRunner in live mode on an empty journal against the Alpaca mock: no order for any bar that closed before the start', async () => {
    // Before the fix the first new bar stepped the whole history: 524 bars, 48 orders sent to the mock.
    const mock = new AlpacaMock({ cash: 100_000, prices: { SYNA: 100, SYNB: 50 } });
    const base = await mock.start();
    try {
      const full = syntheticMarket({ symbols: ['SYNA', 'SYNB'], start: '2022-01-03', end: '2024-01-06', seed: 4 });
      const provider: DataProvider = { name: 'fake', load: async (req: DataRequest) => sliceByTime(full.find((x) => x.symbol === req.symbol)!, toEpochMs(req.start, -Infinity), toEpochMs(req.end, Infinity)) };
      const history = full.map((x) => sliceByTime(x, -Infinity, day('2024-01-04')));
      const config = parseConfig({
        broker: { provider: 'alpaca' },
        strategy: { active: ['sma-crossover'], sma_crossover: { fast: 5, slow: 20 } },
        data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB'], start: '2022-01-03', end: '2024-01-06' },
        runner: { mode: 'live', market_hours_only: true },
      });
      const secrets = { alpacaKeyId: 'test-key', alpacaSecretKey: 'test-secret', alpacaPaper: true, apiToken: null, port: null };
      const clock = new SimClock(Date.parse('2024-01-03T22:00:00Z')); // started after the 01-03 close
      const dir = join(root, 'live');
      const r = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir, alpacaBaseUrl: base, series: history, clock });
      expect(r.control.status().tradingFrom).toBe('2024-01-03T00:00:00.001Z'); // the 01-03 bar had closed: warm-up
      expect(r.loop.lastBarTime).toBe(day('2024-01-03'));
      const tick = () => liveTick({ loop: r.loop, provider, interval: '1d', clock, marketHoursOnly: true, logger: silentLogger });
      expect(await tick()).toBe(0);
      expect(mock.log.filter((l) => l.method === 'POST')).toEqual([]);
      clock.advanceTo(Date.parse('2024-01-04T22:00:00Z')); // the first bar that closes after the start
      expect(await tick()).toBe(1);
      expect(r.loop.barsProcessed).toBe(1);
      const orders = r.loop.store.orders();
      expect(orders.every((o) => o.barTime === day('2024-01-04'))).toBe(true);
      expect(mock.log.filter((l) => l.method === 'POST').length).toBe(orders.length);
      r.close();
      // A restart keeps the boundary: history is still not traded.
      const again = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir, alpacaBaseUrl: base, series: history, clock });
      expect(again.loop.tradingStartsAt).toBe(day('2024-01-03') + 1);
      expect(again.loop.lastBarTime).toBe(day('2024-01-04'));
      expect(mock.log.filter((l) => l.method === 'POST').length).toBe(orders.length);
      again.close();
    } finally {
      await mock.stop();
    }
  });
});

describe('live start: a bar still forming at the start is not history', () => {
  it('today\'s daily bar loaded during the session is dropped, then traded once it has closed', async () => {
    const full = syntheticMarket({ symbols: ['SYNA'], start: '2023-10-02', end: '2024-01-06', seed: 2 });
    const provider: DataProvider = { name: 'fake', load: async (req: DataRequest) => sliceByTime(full[0], toEpochMs(req.start, -Infinity), toEpochMs(req.end, Infinity)) };
    const config = parseConfig({
      broker: { provider: 'paper' },
      strategy: { active: ['sma-crossover'], sma_crossover: { fast: 3, slow: 8 } },
      data: { provider: 'synthetic', symbols: ['SYNA'], start: '2023-10-02', end: '2024-01-06' },
      runner: { mode: 'live' },
    });
    const clock = new SimClock(Date.parse('2024-01-04T15:00:00Z')); // Thursday, session open
    const r = await createRunner({ config, secrets: { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: null, port: null }, logger: silentLogger, stateDir: join(root, 'forming'), series: full, clock });
    const s = r.loop.currentSeries[0];
    expect(s.time[s.length - 1]).toBe(day('2024-01-03'));
    expect(r.loop.lastBarTime).toBe(day('2024-01-03'));
    expect(r.loop.barsProcessed).toBe(0); // warm-up only
    clock.advanceTo(Date.parse('2024-01-04T21:30:00Z'));
    expect(await liveTick({ loop: r.loop, provider, interval: '1d', clock, marketHoursOnly: true, logger: silentLogger })).toBe(1);
    expect(r.loop.lastBarTime).toBe(day('2024-01-04'));
    expect(r.loop.barsProcessed).toBe(1); // a traded step
    r.close();
  });
});

describe('defect 4: the kill switch holds across a restart', () => {
  const x = xSeries(['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12', '2024-03-13']);
  const times = Array.from(x.time);
  const submits = (path: string) => new SqliteEventLog(path).load().filter((e) => e.kind === 'submit').length;

  it('an entry journaled but not sent before a crash is not sent after the switch went on; it is canceled with the reason', async () => {
    const dir = mkdtempSync(join(root, 'kill-'));
    const clock = new SimClock(0);
    const mk = (onPoint?: (p: string, t: number) => void) =>
      loopWith({ strategy: new Scripted(), store: new Store(join(dir, 'journal.db')), paper: new PaperBroker(new SqliteEventLog(join(dir, 'paper.db')), clock, { initialCash: 100_000 }), clock, ...(onPoint ? { onPoint } : {}) });
    const a = mk((p, t) => {
      if (p === 'after-decide' && t === times[2]) throw new Error('simulated crash');
    });
    await a.recover([x]);
    for (const t of times.slice(0, 2)) await a.step(t);
    await expect(a.step(times[2])).rejects.toThrow('simulated crash');
    expect(a.store.pendingSubmits()).toHaveLength(1);
    a.store.setKillSwitch(true, 'operator stop', 1, 'manual'); // hit while the runner was down
    a.store.close();
    const b = mk();
    await b.recover([x]);
    const o = b.store.orders()[0];
    expect(o.status).toBe('canceled');
    expect(o.rejectReason).toBe('not sent: kill switch active (operator stop)');
    expect(submits(join(dir, 'paper.db'))).toBe(0);
    b.store.close();
  });

  it('with the switch on, an exit still goes out (configurable); new entries do not', async () => {
    for (const allow of [true, false]) {
      const clock = new SimClock(0);
      const loop = loopWith({ strategy: new Scripted(), store: new Store(':memory:'), paper: new PaperBroker(new MemoryEventLog(), clock, { initialCash: 100_000 }), clock, killAllowsExits: allow });
      await loop.recover([x]);
      for (const t of times.slice(0, 4)) await loop.step(t);
      expect(loop.portfolio.qty('X').toString()).toBe('10');
      const resting = await loop.manualOrder({ symbol: 'X', side: 'buy', qty: 5, type: 'limit', limitPrice: 50, timeInForce: 'gtc', clientOrderId: `rest-${allow}` });
      expect(resting.ok).toBe(true);
      await loop.kill('stop now');
      expect(loop.store.order(`rest-${allow}`)).toMatchObject({ status: 'canceled', rejectReason: 'canceled by the kill switch: stop now' });
      for (const t of times.slice(4)) await loop.step(t);
      expect(loop.portfolio.qty('X').toString()).toBe(allow ? '0' : '10');
      const d = loop.store.riskDecisions();
      expect(d.at(-1)!.outcome).toBe(allow ? 'approved' : 'blocked');
      const manual = await loop.manualOrder({ symbol: 'X', side: 'buy', qty: 1, type: 'market', timeInForce: 'day' });
      expect(manual.ok).toBe(false);
      if (!manual.ok) expect(manual.refusal.kind).toBe('kill_switch');
    }
  });
});

describe('defect 5: manual orders are intents through the same plan', () => {
  const series = syntheticMarket({ symbols: ['X'], start: '2023-01-02', end: '2023-03-01', seed: 9 });

  async function ready(limits: Partial<RiskLimits>): Promise<TradingLoop> {
    const clock = new SimClock(0);
    const loop = loopWith({ strategy: { name: 'idle', onBar: () => NO_INTENTS }, store: new Store(':memory:'), paper: new PaperBroker(new MemoryEventLog(), clock, { initialCash: 100_000, allowShort: true }), clock, limits });
    await loop.recover(series);
    const times = loop.timeline();
    for (const t of times.slice(0, 5)) {
      clock.advanceTo(t);
      await loop.step(t);
    }
    return loop;
  }

  it('a manual entry gets the gate\'s stop-loss and take-profit, like a strategy entry', async () => {
    const loop = await ready({ stopLoss: 0.05, takeProfit: 0.1, maxPositionFraction: 0.5 });
    const last = loop.marks[0];
    const r = await loop.manualOrder({ symbol: 'X', side: 'buy', qty: 10, type: 'market', timeInForce: 'day', clientOrderId: 'm-1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.orders.map((o) => o.clientOrderId)).toEqual(['m-1']);
    expect(Number(r.orders[0].bracket!.stopLoss)).toBeCloseTo(last * 0.95, 3);
    expect(Number(r.orders[0].bracket!.takeProfit)).toBeCloseTo(last * 1.1, 3);
    expect(loop.store.riskDecisions().at(-1)).toMatchObject({ source: 'manual', outcome: 'approved', requestedQty: 10, approvedQty: 10, clientOrderIds: ['m-1'] });
  });

  it('a reduce-then-flip is split into two legs: the exit without a bracket, the new short with one', async () => {
    const loop = await ready({ stopLoss: 0.05, takeProfit: 0.1, maxPositionFraction: 0.5, allowShort: true });
    const t = loop.timeline();
    await loop.manualOrder({ symbol: 'X', side: 'buy', qty: 10, type: 'market', timeInForce: 'day', clientOrderId: 'long-1' });
    await loop.step(t[5]);
    expect(loop.portfolio.qty('X').toString()).toBe('10');
    const r = await loop.manualOrder({ symbol: 'X', side: 'sell', qty: 25, type: 'market', timeInForce: 'day', clientOrderId: 'flip-1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.orders.map((o) => `${o.clientOrderId} ${o.side} ${o.qty} ${o.bracket === null ? 'no-bracket' : 'bracket'}`)).toEqual(['flip-1 sell 10 no-bracket', 'flip-1:2 sell 15 bracket']);
    const sl = Number(r.orders[1].bracket!.stopLoss);
    expect(sl).toBeGreaterThan(loop.marks[0]); // a short's stop is above the price
    await loop.step(t[6]);
    expect(loop.portfolio.qty('X').toString()).toBe('-15');
  });
});
