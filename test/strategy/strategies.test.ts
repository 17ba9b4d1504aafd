import { describe, expect, it } from 'vitest';
import { sliceSeries, type BarSeries } from '../../lib/core/bars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { runBacktest } from '../../lib/engine/index.js';
import { permissiveLimits } from '../../lib/risk/index.js';
import { BuyAndHold, SmaCrossover, type Intent, type Strategy, type StrategyContext } from '../../lib/strategy/index.js';
import { tinySeries } from '../engine/tiny-market.js';

/** Wraps a strategy and records every intent with the step time. */
class Recorder implements Strategy {
  readonly name: string;
  readonly log: string[] = [];
  constructor(private readonly inner: Strategy) {
    this.name = inner.name;
  }
  init(series: readonly BarSeries[]): void {
    this.inner.init?.(series);
  }
  onBar(ctx: StrategyContext): readonly Intent[] {
    const out = this.inner.onBar(ctx);
    for (const i of out) this.log.push(`${ctx.time} ${i.symbol} ${i.kind === 'signal' ? i.direction : i.kind}`);
    return out;
  }
}

function decisions(make: () => Strategy, series: BarSeries[]): string[] {
  const r = new Recorder(make());
  runBacktest({ series, strategy: r, limits: permissiveLimits(), sizing: { method: 'all_in' } });
  return r.log;
}

/** Independent crossover: plain loops, sign change against the last non-zero difference. */
function referenceCrossings(closes: ArrayLike<number>, fast: number, slow: number): Array<[number, 1 | -1]> {
  const avg = (i: number, p: number) => {
    let s = 0;
    for (let k = i - p + 1; k <= i; k++) s += closes[k];
    return s / p;
  };
  const out: Array<[number, 1 | -1]> = [];
  let last = 0;
  for (let i = slow - 1; i < closes.length; i++) {
    const d = avg(i, fast) - avg(i, slow);
    if (Math.abs(d) < 1e-12) continue;
    const sign = d > 0 ? 1 : -1;
    if (last !== 0 && sign !== last) out.push([i, sign]);
    last = sign;
  }
  return out;
}

const market = syntheticMarket({ symbols: ['SA', 'SB', 'SC'], start: '2018-01-01', end: '2021-12-31', seed: 11 });

describe('SmaCrossover', () => {
  it('signals long at the up-cross and flat at the down-cross on a hand-computed series', () => {
    const s = tinySeries();
    const log = decisions(() => new SmaCrossover({ fast: 2, slow: 3 }), [s]);
    expect(log).toEqual([`${s.time[6]} TINY long`, `${s.time[10]} TINY flat`]);
  });

  it('agrees with an independent implementation on synthetic data (long only: entries when flat, exits when long)', () => {
    const s = market[0];
    const ref = referenceCrossings(s.close, 10, 30);
    const expected: string[] = [];
    let held = false;
    for (const [i, sign] of ref) {
      if (sign > 0 && !held) {
        expected.push(`${s.time[i]} ${s.symbol} long`);
        held = true;
      } else if (sign < 0 && held) {
        expected.push(`${s.time[i]} ${s.symbol} flat`);
        held = false;
      }
    }
    expect(expected.length).toBeGreaterThan(5);
    expect(decisions(() => new SmaCrossover({ fast: 10, slow: 30 }), [s])).toEqual(expected);
  });

  it('rejects bad parameters by name', () => {
    expect(() => new SmaCrossover({ fast: 30, slow: 10 })).toThrow(/sma_crossover.fast/);
    expect(() => new SmaCrossover({ fast: 0, slow: 10 })).toThrow(/sma_crossover.fast/);
  });
});

describe('BuyAndHold', () => {
  it('buys every symbol once, on its first bar', () => {
    const log = decisions(() => new BuyAndHold(), market);
    expect(log).toEqual(market.map((s) => `${s.time[0]} ${s.symbol} long`));
  });
});

describe('no look-ahead: a run on the first k bars decides exactly as the full run up to k', () => {
  const cases: Array<[string, () => Strategy]> = [
    ['sma-crossover', () => new SmaCrossover({ fast: 5, slow: 20 })],
    ['buy-and-hold', () => new BuyAndHold()],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const full = decisions(make, market);
      expect(full.length).toBeGreaterThan(0);
      for (const k of [25, 100, 333, 700]) {
        const cut = market[0].time[k - 1];
        const prefix = decisions(make, market.map((s) => sliceSeries(s, 0, k)));
        expect(prefix).toEqual(full.filter((d) => Number(d.split(' ')[0]) <= cut));
      }
    });
  }
});
