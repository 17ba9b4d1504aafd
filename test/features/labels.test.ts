import { describe, expect, it } from 'vitest';
import { makeSeries } from '../../lib/core/bars.js';
import { forwardReturn, nextReturnLabel, tripleBarrier, tripleBarrierLabel } from '../../lib/features/index.js';

const nanEq = (a: ArrayLike<number>, b: number[]) => expect(Array.from(a)).toEqual(b);

describe('nextReturnLabel', () => {
  const close = [100, 101, 100.4, 101, 101];
  it('is 1 when the return over the horizon beats the threshold, NaN where the future is unknown', () => {
    // returns: +1%, -0.594%, +0.598%, 0%
    nanEq(nextReturnLabel(close), [1, 0, 1, 0, NaN]);
    nanEq(nextReturnLabel(close, { threshold: 0.006 }), [1, 0, 0, 0, NaN]);
    // two bars: 100 -> 100.4 (+0.4%), 101 -> 101 (0), 100.4 -> 101 (+0.598%)
    nanEq(nextReturnLabel(close, { horizon: 2 }), [0, 0, 1, NaN, NaN]);
    nanEq(nextReturnLabel(close, { horizon: 2, threshold: -0.01 }), [1, 1, 1, NaN, NaN]);
    nanEq(forwardReturn([10, 11, 9.9], 1).map((x) => Math.round(x * 1e12) / 1e12), [0.1, -0.1, NaN]);
  });
  it('rejects bad options naming the field', () => {
    expect(() => nextReturnLabel(close, { horizon: 0 })).toThrow(/label\.horizon: 0 must be an integer >= 1/);
    expect(() => nextReturnLabel(close, { threshold: NaN })).toThrow(/label\.threshold: NaN must be a finite number/);
  });
});

describe('tripleBarrierLabel', () => {
  // Entry at each close; barriers +2% / -1%; at most 3 bars.
  const bars = (rows: Array<[number, number, number, number]>) =>
    makeSeries('TB', '1d', {
      time: rows.map((_, i) => i * 86_400_000),
      open: rows.map((r) => r[0]),
      high: rows.map((r) => r[1]),
      low: rows.map((r) => r[2]),
      close: rows.map((r) => r[3]),
      volume: rows.map(() => 1),
    });
  const opts = { takeProfit: 0.02, stopLoss: 0.01, maxHolding: 3 };

  it('take-profit, stop-loss, time limit and unknown', () => {
    const s = bars([
      [100, 100, 100, 100], // t0 (barriers 102 / 99): bar 2 reaches 102.5 -> +1
      [100, 101, 99.5, 100.5], // t1 (102.51 / 99.495): bar 3 low 98.9 -> -1
      [100.5, 102.5, 100, 101], // t2 (103.02 / 99.99): bar 3 low 98.9 -> -1
      [101, 101, 98.9, 99], // t3 (100.98 / 98.01): bars 4..6 stay inside -> time limit at bar 6 -> 0
      [99, 99.5, 98.5, 99.2], // t4 (101.184 / 98.208): bars 5, 6 stay inside, then the data ends -> NaN
      [99.2, 100, 98.5, 99.4],
      [99.4, 99.6, 99, 99.5],
    ]);
    const r = tripleBarrier(s, opts);
    nanEq(r.label, [1, -1, -1, 0, NaN, NaN, NaN]);
    nanEq(r.exitIndex, [2, 3, 3, 6, NaN, NaN, NaN]);
  });

  it('uses the tie rule (stop-loss first) when one bar touches both barriers, and gaps decide first', () => {
    const tie = bars([
      [100, 100, 100, 100],
      [100, 103, 98, 100],
    ]);
    nanEq(tripleBarrierLabel(tie, opts), [-1, NaN]);
    const gapUp = bars([
      [100, 100, 100, 100],
      [103, 104, 98, 100], // opens above +2%: take-profit first even though the low breaks the stop too
    ]);
    nanEq(tripleBarrierLabel(gapUp, opts), [1, NaN]);
    const gapDown = bars([
      [100, 100, 100, 100],
      [98, 104, 97, 100],
    ]);
    nanEq(tripleBarrierLabel(gapDown, opts), [-1, NaN]);
  });

  it('labels the time limit 0, or the sign of the return with timeout "sign"; binary maps to 1/0', () => {
    const s = bars([
      [100, 100, 100, 100],
      [100, 100.5, 99.5, 100.2],
      [100.2, 100.6, 99.6, 100.1],
      [100.1, 100.7, 99.8, 100.3],
      [100.3, 100.4, 100.2, 100.3],
    ]);
    const z = tripleBarrier(s, opts);
    expect(z.label[0]).toBe(0);
    expect(z.exitIndex[0]).toBe(3);
    expect(tripleBarrierLabel(s, { ...opts, timeout: 'sign' })[0]).toBe(1);
    // t0: stop-loss (-1 -> 0); t1 entry 99: bar 2 high 102 >= 100.98 (+1 -> 1); t2: unknown
    const b = tripleBarrierLabel(bars([[100, 100, 100, 100], [100, 101, 98, 99], [99, 102, 99, 101]]), { ...opts, binary: true });
    nanEq(b, [0, 1, NaN]);
  });

  it('rejects bad options naming the field', () => {
    const s = bars([[1, 1, 1, 1]]);
    expect(() => tripleBarrierLabel(s, { ...opts, takeProfit: -0.1 })).toThrow(/label\.takeProfit: -0\.1 must be a finite number >= 0/);
    expect(() => tripleBarrierLabel(s, { ...opts, stopLoss: 0 })).toThrow(/label\.stopLoss/);
    expect(() => tripleBarrierLabel(s, { ...opts, maxHolding: 1.5 })).toThrow(/label\.maxHolding: 1\.5 must be an integer >= 1/);
    expect(() => tripleBarrierLabel(s, { ...opts, timeout: 'x' as 'zero' })).toThrow(/label\.timeout/);
  });
});
