import { describe, expect, it } from 'vitest';
import { makeSeries } from '../../lib/core/bars.js';
import { adjustSeries, adjustmentFactors } from '../../lib/data/adjust.js';
import { mergeRanges, missingRanges } from '../../lib/data/cache.js';
import { fromDataFrame, toDataFrame } from '../../lib/data/polars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';

describe('adjustment from split and dividend columns (no vendor adjusted close)', () => {
  // Bars: 100, 102, split 2:1 on bar 2 (price 51), dividend 1 going ex on bar 3 (price 50).
  const s = makeSeries('X', '1d', {
    time: [0, 1, 2, 3],
    open: [100, 102, 51, 50],
    high: [100, 102, 51, 50],
    low: [100, 102, 51, 50],
    close: [100, 102, 51, 50],
    volume: [10, 10, 20, 20],
    splits: [1, 1, 2, 1],
    dividends: [0, 0, 0, 1],
  });
  it('scales history before each event (CRSP convention)', () => {
    const f = adjustmentFactors(s);
    const d = 1 - 1 / 51;
    expect(f[3]).toBe(1);
    expect(f[2]).toBeCloseTo(d, 15);
    expect(f[1]).toBeCloseTo(d / 2, 15);
    expect(f[0]).toBeCloseTo(d / 2, 15);
    const a = adjustSeries(s);
    expect(a.close[1]).toBeCloseTo(51 * d, 12);
    expect(Array.from(a.volume)).toEqual([20, 20, 20, 20]);
    // Total-return check: holder of 1 share at 100 -> 2 shares -> 2 * (50 + 1 dividend) = 102.
    expect(a.close[3] / a.close[0]).toBeCloseTo((2 * 51) / 100 * (50 / 51) / d, 12);
    expect(adjustSeries(a)).toBe(a);
  });
});

describe('cache ranges', () => {
  it('merges touching ranges and finds only the gaps', () => {
    expect(mergeRanges([[5, 10], [0, 5], [12, 15]])).toEqual([[0, 10], [12, 15]]);
    expect(missingRanges(0, 20, [[2, 5], [5, 8], [12, 15]])).toEqual([[0, 2], [8, 12], [15, 20]]);
    expect(missingRanges(3, 7, [[0, 10]])).toEqual([]);
    expect(missingRanges(3, 7, [])).toEqual([[3, 7]]);
  });
});

describe('polars DataFrame conversion', () => {
  it('round-trips a series exactly', () => {
    const s = syntheticMarket({ symbols: ['A'], start: '2020-01-01', end: '2020-06-01' })[0];
    const df = toDataFrame(s);
    expect(df.shape).toEqual({ height: s.length, width: 8 });
    const back = fromDataFrame(df, 'A');
    for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(back[k])).toEqual(Array.from(s[k]));
  });
});
