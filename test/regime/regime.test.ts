import { describe, expect, it } from 'vitest';
import { RegimeFilter, regimeSeries, regimeParamsFromConfig } from '../../lib/regime/index.js';
import { syntheticMarket, syntheticRegimes } from '../../lib/data/synthetic.js';

const small = { trendSma: 10, fastSma: 4, slopeLookback: 2, volLookback: 5, volHistory: 30, minVolHistory: 10 };

describe('regime filter', () => {
  it('hand cases: rising prices are an up-trend, falling a down-trend, unknown while warming up', () => {
    const up = Array.from({ length: 30 }, (_, i) => 100 + i);
    const r = regimeSeries(up, small);
    expect(Array.from(r.trend.slice(0, 9))).toEqual(new Array(9).fill(0));
    expect(r.trend[9]).toBe(1); // 10 closes for SMA10, fast SMA4 history 3 values long by then
    expect(Array.from(r.trend.slice(9)).every((t) => t === 1)).toBe(true);
    const down = regimeSeries(up.slice().reverse(), small);
    expect(Array.from(down.trend.slice(9)).every((t) => t === -1)).toBe(true);
  });

  it('a volatility spike is high volatility and shrinks the size multiplier', () => {
    const closes: number[] = [100];
    for (let i = 1; i < 60; i++) closes.push(closes[i - 1] * (i % 2 ? 1.001 : 0.999));
    for (let i = 0; i < 5; i++) closes.push(closes[closes.length - 1] * (i % 2 ? 1.05 : 0.95));
    const r = regimeSeries(closes, { ...small, highVolSize: 0.25 });
    const last = closes.length - 1;
    expect(r.highVol[last]).toBe(1);
    expect(r.volPercentile[last]).toBe(1);
    expect(r.sizeMultiplier[last]).toBe(0.25);
    const calm = Array.from(r.vol.slice(0, 60)).filter((v) => !Number.isNaN(v));
    expect(Math.max(...calm)).toBeLessThan(r.vol[last] / 10);
    for (let i = 0; i <= last; i++) expect(r.sizeMultiplier[i]).toBe(r.highVol[i] ? 0.25 : 1);
    // hand-check realised vol: stdev of 5 log returns
    const rets = [1, 2, 3, 4, 5].map((k) => Math.log(closes[last - 5 + k] / closes[last - 5 + k - 1]));
    const m = rets.reduce((a, b) => a + b) / 5;
    expect(r.vol[last]).toBeCloseTo(Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / 4), 14);
  });

  it('is causal: a prefix gives the same states as the full run', () => {
    const [s] = syntheticMarket({ symbols: ['SYNA'], seed: 3 });
    const full = regimeSeries(s.close);
    const k = 900;
    const pre = regimeSeries(s.close.subarray(0, k));
    expect(Array.from(pre.trend)).toEqual(Array.from(full.trend.subarray(0, k)));
    expect(Array.from(pre.volPercentile)).toEqual(Array.from(full.volPercentile.subarray(0, k)));
    const f = new RegimeFilter();
    for (let i = 0; i < k; i++) f.update(s.close[i]);
    expect(f.state.trend).toBe(['unknown', 'up', 'down'][[0, 1, -1].indexOf(full.trend[k - 1])]);
  });

  it('tracks the true synthetic regimes: up-trend bars are mostly bull, high-vol bars mostly bear', () => {
    const opts = { symbols: ['SYNA', 'SYNB', 'SYNC'], seed: 42 };
    const truth = syntheticRegimes(opts).regime;
    let upBull = 0, up = 0, downBull = 0, down = 0, hvBear = 0, hv = 0, lvBear = 0, lv = 0;
    for (const s of syntheticMarket(opts)) {
      const r = regimeSeries(s.close);
      for (let i = 0; i < s.length; i++) {
        if (r.trend[i] === 1) { up++; upBull += truth[i] === 0 ? 1 : 0; }
        if (r.trend[i] === -1) { down++; downBull += truth[i] === 0 ? 1 : 0; }
        if (!Number.isNaN(r.volPercentile[i])) {
          if (r.highVol[i]) { hv++; hvBear += truth[i] === 1 ? 1 : 0; } else { lv++; lvBear += truth[i] === 1 ? 1 : 0; }
        }
      }
    }
    expect(upBull / up).toBeGreaterThan(downBull / down + 0.1);
    expect(hvBear / hv).toBeGreaterThan(lvBear / lv + 0.1);
  });

  it('maps config and rejects bad parameters', () => {
    expect(regimeParamsFromConfig({ trend_sma: 100, high_vol_size: 0.3 })).toMatchObject({ trendSma: 100, fastSma: 25, highVolSize: 0.3 });
    expect(() => new RegimeFilter({ highVolSize: 2 })).toThrow(/regime.highVolSize/);
    expect(() => new RegimeFilter().update(-1)).toThrow(/regime.close/);
  });
});
