import { describe, expect, it } from 'vitest';
import { MemoryEventLog, PaperBroker } from '../../lib/broker/paper/index.js';
import { makeSeries, sliceByTime, type BarSeries } from '../../lib/core/bars.js';
import { SimClock } from '../../lib/core/clock.js';
import { dec } from '../../lib/core/money.js';
import type { DataProvider, DataRequest } from '../../lib/data/provider.js';
import { toEpochMs } from '../../lib/data/provider.js';
import { Engine } from '../../lib/engine/index.js';
import { Portfolio } from '../../lib/portfolio/index.js';
import { RiskGate } from '../../lib/risk/index.js';
import { BuyAndHold } from '../../lib/strategy/index.js';
import { completeBefore, liveTick } from '../../runner/live.js';
import { TradingLoop } from '../../runner/loop.js';
import { Store } from '../../runner/store.js';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

describe('live mode', () => {
  it('a daily bar is complete only after its session closed (holidays and early closes included)', () => {
    // Friday 2024-07-05 during the session: the last complete bar is Wednesday 07-03 (07-04 is a holiday).
    expect(completeBefore(Date.parse('2024-07-05T15:00:00Z'), '1d')).toBe(day('2024-07-03') + 1);
    expect(completeBefore(Date.parse('2024-07-05T20:00:00Z'), '1d')).toBe(day('2024-07-05') + 1);
    // 07-03 closes early at 13:00 ET = 17:00 UTC.
    expect(completeBefore(Date.parse('2024-07-03T17:30:00Z'), '1d')).toBe(day('2024-07-03') + 1);
    expect(completeBefore(Date.parse('2024-07-03T16:30:00Z'), '1d')).toBe(day('2024-07-02') + 1);
    expect(completeBefore(Date.parse('2024-07-03T16:30:00Z'), '5m')).toBe(Date.parse('2024-07-03T16:25:00Z') + 1);
  });

  it('each tick processes only new, complete bars', async () => {
    const t = ['2024-07-01', '2024-07-02', '2024-07-03', '2024-07-05', '2024-07-08'].map(day);
    const full = makeSeries('X', '1d', { time: t, open: [10, 11, 12, 13, 14], high: [11, 12, 13, 14, 15], low: [9, 10, 11, 12, 13], close: [10.5, 11.5, 12.5, 13.5, 14.5], volume: [1, 1, 1, 1, 1] });
    const provider: DataProvider = {
      name: 'fake',
      load: async (req: DataRequest): Promise<BarSeries> => sliceByTime(full, toEpochMs(req.start, -Infinity), toEpochMs(req.end, Infinity)),
    };
    const clock = new SimClock(Date.parse('2024-07-03T21:00:00Z'));
    const paper = new PaperBroker(new MemoryEventLog(), clock, { initialCash: 1000 });
    const portfolio = new Portfolio(1000, ['X']);
    const engine = new Engine({ strategy: new BuyAndHold(), gate: new RiskGate({ stopLoss: 0, takeProfit: 0, maxPositionFraction: 1 }), sizing: { method: 'fixed_fraction', fraction: 0.5 }, portfolio });
    const loop = new TradingLoop({ store: new Store(':memory:'), broker: paper, paper, engine, clock, symbols: ['X'], initialCash: dec(1000) });
    await loop.recover([sliceByTime(full, 0, day('2024-07-02'))]);
    const opts = { loop, provider, interval: '1d' as const, clock, marketHoursOnly: true, logger: { info() {}, warn() {}, error() {}, debug() {} } };
    expect(await liveTick(opts)).toBe(3); // 07-01..07-03
    expect(await liveTick(opts)).toBe(0);
    clock.advanceTo(Date.parse('2024-07-05T15:00:00Z')); // session open: 07-05 not complete yet
    expect(await liveTick(opts)).toBe(0);
    clock.advanceTo(Date.parse('2024-07-05T20:30:00Z'));
    expect(await liveTick(opts)).toBe(1);
    expect(loop.lastBarTime).toBe(day('2024-07-05'));
    expect(loop.store.fills()).toHaveLength(1); // bought at the open after the first signal
    expect(loop.store.fills()[0].price).toBe('11');
  });
});
