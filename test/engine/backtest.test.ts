import { describe, expect, it } from 'vitest';
import { makeSeries, sliceSeries, type BarSeries } from '../../lib/core/bars.js';

const sliceSeriesFrom = (s: BarSeries, k: number) => sliceSeries(s, k);
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { buyAndHoldCurve } from '../../lib/metrics/index.js';
import { Engine, runBacktest } from '../../lib/engine/index.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { RiskGate, permissiveLimits } from '../../lib/risk/index.js';
import { SimBroker } from '../../lib/broker/sim/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { BuyAndHold, SmaCrossover, type Intent, type Strategy, type StrategyContext } from '../../lib/strategy/index.js';
import { DAY, T0, tinySeries } from './tiny-market.js';

const allIn = { limits: permissiveLimits(), sizing: { method: 'all_in' as const } };

describe('golden backtests on the hand-checked tiny series (SMA 2/3: long at close of bar 6, flat at close of bar 10)', () => {
  it('all-in, next-open fills, no costs', () => {
    const r = runBacktest({ series: [tinySeries()], strategy: new SmaCrossover({ fast: 2, slow: 3 }), initialCash: 1000, ...allIn });
    // buy at the open of bar 7 (3.75): floor(1000 / 3.75) = 266, cash 2.5; sell at the open of bar 11 (1.75)
    expect(r.trades).toEqual([
      { symbol: 'TINY', side: 'long', entryTime: T0 + 7 * DAY, entryPrice: '3.75', exitTime: T0 + 11 * DAY, exitPrice: '1.75', qty: '266', pnl: '-532', fees: '0' },
    ]);
    expect(r.finalEquity).toBe('468');
    expect(r.finalCash).toBe('468');
    expect(r.openPositions).toEqual([]);
    expect(Array.from(r.equity.equity.subarray(6, 12))).toEqual([1000, 1066.5, 1332.5, 1066.5, 800.5, 468]);
    expect(r.exposure[8]).toBeCloseTo(1330 / 1332.5, 12);
    expect(r.exposure[11]).toBe(0);
    expect(r.turnover).toBeCloseTo((997.5 + 465.5) / (r.equity.equity.reduce((a, b) => a + b, 0) / 13), 10);
    // benchmark: 1000 at the first close 5 -> 200 units, worth 200 at the last close 1
    expect(r.benchmark.equity[0]).toBe(1000);
    expect(r.benchmark.equity[12]).toBe(200);
    expect(r.bars).toBe(13);
  });

  it('all-in with commission (0.01/share, minimum 1): the quantity leaves room for the fee', () => {
    const r = runBacktest({
      series: [tinySeries()],
      strategy: new SmaCrossover({ fast: 2, slow: 3 }),
      initialCash: 1000,
      commission: { perShare: 0.01, minimum: 1 },
      ...allIn,
    });
    // 266 x 3.75 + 2.66 > 1000, so 265: cost 993.75 + 2.65; exit 265 x 1.75 - 2.65
    expect(r.trades[0]).toMatchObject({ qty: '265', pnl: '-535.3', fees: '5.3' });
    expect(r.finalEquity).toBe('464.7');
    expect(r.fees).toBe('5.3');
  });

  it("fillAt 'close' fills at the signal bar's close", () => {
    const r = runBacktest({ series: [tinySeries()], strategy: new SmaCrossover({ fast: 2, slow: 3 }), initialCash: 1000, fillAt: 'close', ...allIn });
    // buy 333 at the close of bar 6 (3), cash 1; sell at the close of bar 10 (3)
    expect(r.trades[0]).toMatchObject({ entryTime: T0 + 6 * DAY, entryPrice: '3', exitTime: T0 + 10 * DAY, exitPrice: '3', qty: '333', pnl: '0' });
    expect(r.finalEquity).toBe('1000');
  });

  it('default risk: 10 % fixed-fraction sizing and a take-profit bracket that exits before the crossover does', () => {
    const r = runBacktest({ series: [tinySeries()], strategy: new SmaCrossover({ fast: 2, slow: 3 }), initialCash: 1000 });
    // 10 % of 1000 at the signal close 3 = 33 shares; filled at 3.75 on bar 7, so the bracket is priced off the
    // fill: SL 3.5625 / TP 4.125 (not 2.85 / 3.3 off the signal close, a target below the entry);
    // children start on bar 8, which opens at 4.75, through the take-profit: sells at the open
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ qty: '33', entryPrice: '3.75', exitPrice: '4.75', pnl: '33', exitTime: T0 + 8 * DAY });
    expect(r.finalEquity).toBe('1033');
  });

  it('records risk rejections in the journal (a signal that would be capped to nothing)', () => {
    const r = runBacktest({
      series: [tinySeries()],
      strategy: new SmaCrossover({ fast: 2, slow: 3 }),
      initialCash: 1000,
      limits: { maxPositionFraction: 0.001 },
    });
    expect(r.trades).toHaveLength(0);
    expect(r.journal[0]).toMatchObject({ action: 'rejected_by_risk', symbol: 'TINY' });
    expect(r.journal[0].risk[0].rule).toBe('max_position_size');
  });

  it('buy-and-hold across symbols with all-in sizing splits the cash evenly', () => {
    const a = tinySeries('A', [10, 10, 10, 12]);
    const b = tinySeries('B', [20, 20, 20, 30]);
    const r = runBacktest({ series: [a, b], strategy: new BuyAndHold(), initialCash: 1000, ...allIn });
    // both fill at the open of bar 1: A 9.75 -> floor(500 / 9.75) = 51; B 19.75 -> floor((1000 - 497.25) / 19.75) = 25
    expect(r.openPositions.map((p) => [p.symbol, p.qty])).toEqual([
      ['A', '51'],
      ['B', '25'],
    ]);
    expect(r.finalEquity).toBe(String(1000 - 51 * 9.75 - 25 * 19.75 + 51 * 12 + 25 * 30));
  });

  it('merges symbols with different calendars onto one timeline', () => {
    const a = tinySeries('A', [10, 11, 12, 13]);
    const b = makeSeries('B', '1d', { time: [T0 + DAY, T0 + 3 * DAY, T0 + 5 * DAY], open: [5, 5, 5], high: [5, 5, 5], low: [5, 5, 5], close: [5, 5, 5], volume: [1, 1, 1] });
    const r = runBacktest({ series: [a, b], strategy: new BuyAndHold(), initialCash: 1000, ...allIn });
    expect(Array.from(r.equity.time)).toEqual([0, 1, 2, 3, 5].map((i) => T0 + i * DAY));
    expect(r.bars).toBe(7);
  });

  it('is deterministic and keeps the float equity equal to the exact final equity', () => {
    const market = syntheticMarket({ symbols: ['S1', 'S2', 'S3', 'S4'], start: '2015-01-01', end: '2020-12-31', seed: 3 });
    const run = () =>
      runBacktest({ series: market, strategy: new SmaCrossover({ fast: 5, slow: 20 }), commission: { perShare: 0.005, minimum: 1 }, slippageBps: 2 });
    const a = run();
    const b = run();
    expect(a.trades.length).toBeGreaterThan(20);
    expect(JSON.stringify(a.trades)).toBe(JSON.stringify(b.trades));
    expect(a.finalEquity).toBe(b.finalEquity);
    expect(a.equity.equity[a.equity.equity.length - 1]).toBeCloseTo(Number(a.finalEquity), 6);
  });

  it("produces the same benchmark curve as lib/metrics' buyAndHoldCurve", () => {
    const market = syntheticMarket({ symbols: ['S1', 'S2', 'S3'], start: '2019-01-01', end: '2020-12-31', seed: 9 });
    const r = runBacktest({ series: [market[0], sliceSeriesFrom(market[1], 40), market[2]], strategy: new BuyAndHold(), initialCash: 30_000 });
    const ref = buyAndHoldCurve([market[0], sliceSeriesFrom(market[1], 40), market[2]], 30_000);
    expect(Array.from(r.benchmark.time)).toEqual(Array.from(ref.time));
    r.benchmark.equity.forEach((e, k) => expect(e).toBeCloseTo(ref.equity[k], 6));
  });

  it('rejects a symbol given twice and an empty run', () => {
    const s = tinySeries();
    expect(() => runBacktest({ series: [s, s], strategy: new BuyAndHold() })).toThrow(/twice/);
    expect(() => runBacktest({ series: [], strategy: new BuyAndHold() })).toThrow(/series/);
  });
});

/** Emits the given intents at the given bar indices of symbol 0. */
function scripted(plan: Record<number, Intent[]>): Strategy {
  return { name: 'scripted', onBar: (ctx) => plan[ctx.index[0]] ?? [] };
}

describe('intents of every kind through sizing, risk and the simulator', () => {
  const s = tinySeries('X', [10, 10, 10, 10, 10, 10]);
  it('refuses a short by default (journalled) and takes it when shorts are allowed, with an above-entry stop', () => {
    const strat = () => scripted({ 0: [{ kind: 'signal', symbol: 'X', direction: 'short', reason: 'test short' }] });
    const off = runBacktest({ series: [s], strategy: strat(), initialCash: 1000 });
    expect(off.openPositions).toEqual([]);
    expect(off.journal[0].risk[0].rule).toBe('short_disabled');
    const on = runBacktest({ series: [s], strategy: strat(), initialCash: 1000, limits: { allowShort: true } });
    expect(on.openPositions[0].qty).toBe('-10'); // 10 % of 1000 at 10
    expect(on.fills).toHaveLength(1);
  });

  it('target quantities and weights net against the position and pending orders', () => {
    const r = runBacktest({
      series: [s],
      strategy: scripted({
        0: [{ kind: 'target_qty', symbol: 'X', qty: 5, reason: 'five' }],
        1: [{ kind: 'target_qty', symbol: 'X', qty: 5, reason: 'five again: nothing to do' }],
        2: [{ kind: 'target_weight', symbol: 'X', weight: 0.08, reason: '8 %' }],
        3: [{ kind: 'target_qty', symbol: 'X', qty: 0, reason: 'out' }],
      }),
      initialCash: 1000,
      limits: { stopLoss: 0, takeProfit: 0 },
    });
    expect(r.fills.map((f) => `${f.side} ${f.qty}`)).toEqual(['buy 5', 'buy 3', 'sell 8']);
    expect(r.trades).toHaveLength(1);
  });

  it('explicit limit orders with their own bracket', () => {
    const t = tinySeries('X', [10, 10, 9.5, 12, 12]);
    const r = runBacktest({
      series: [t],
      strategy: scripted({ 0: [{ kind: 'order', symbol: 'X', side: 'buy', qty: 10, type: 'limit', limitPrice: 9.5, stopLoss: 8, takeProfit: 11, reason: 'dip buy' }] }),
      initialCash: 1000,
    });
    // bar 1 (open 9.75, low 9.65) misses 9.5; bar 2 (open 9.25) gaps through it: fills at 9.25;
    // bar 3 opens at 11.75 above the take-profit 11: sells at the open
    expect(r.fills.map((f) => `${f.side} ${f.qty} @ ${f.price}`)).toEqual(['buy 10 @ 9.25', 'sell 10 @ 11.75']);
    expect(r.trades[0].pnl).toBe('25');
  });
});

describe('Engine.decide: the same decisions for any Broker (the runner submits them)', () => {
  it('submits what the strategy asks, sized and risk-checked, to a SimBroker', async () => {
    const pf = new Portfolio(10_000, ['A']);
    const clock = new SimClock(0);
    const broker = new SimBroker(pf, clock);
    const strategy: Strategy = {
      name: 'once',
      onBar: (ctx: StrategyContext): readonly Intent[] => (ctx.index[0] === 0 ? [{ kind: 'target_weight', symbol: 'A', weight: 0.5, reason: 'test' }] : []),
    };
    const engine = new Engine({ strategy, gate: new RiskGate({ stopLoss: 0, takeProfit: 0 }), sizing: { method: 'fixed_fraction', fraction: 0.1 }, portfolio: pf });
    const s = tinySeries('A', [10, 10]);
    broker.onBar('A', { time: s.time[0], open: 10, high: 10, low: 10, close: 10, volume: 1 });
    const ctx = { time: s.time[0], series: [s], index: Int32Array.of(0), updated: Uint8Array.of(1), portfolio: pf };
    const d = engine.decide(ctx, { marks: [10], equity: 10_000 }, broker.execution);
    expect(d.orders.map((p) => p.request.clientOrderId)).toEqual([`once:A:${new Date(s.time[0]).toISOString().slice(0, 10)}:target_weight:0`]);
    for (const p of d.orders) expect((await broker.submit(p.request)).ok).toBe(true);
    const [o] = await broker.openOrders();
    // wanted 50 % = 500 shares; the 10 % position cap approves 100
    expect(o.qty.toString()).toBe('100');
    expect(d.decisions[0]).toMatchObject({ requestedQty: 500, approvedQty: 100, approved: true });
    expect(d.decisions[0].rules.map((r) => r.rule)).toEqual(['max_position_size']);
  });
});
