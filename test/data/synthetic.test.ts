import { describe, expect, it } from 'vitest';
import { SyntheticProvider, syntheticMarket, syntheticRegimes } from '../../lib/data/synthetic.js';
import { rsi } from '../../lib/indicators/index.js';

describe('synthetic market (offline default)', () => {
  const m = syntheticMarket({ seed: 1 });

  it('is reproducible bit for bit from its seed, and differs with another seed', () => {
    const again = syntheticMarket({ seed: 1 });
    expect(Array.from(again[2].close)).toEqual(Array.from(m[2].close));
    expect(syntheticMarket({ seed: 2 })[2].close[100]).not.toBe(m[2].close[100]);
  });

  it('puts several symbols on one weekday timeline with consistent OHLC and positive volume', () => {
    expect(m.length).toBe(5);
    for (const s of m) {
      expect(Array.from(s.time)).toEqual(Array.from(m[0].time));
      for (let i = 0; i < s.length; i++) {
        const wd = new Date(s.time[i]).getUTCDay();
        expect(wd === 0 || wd === 6).toBe(false);
        expect(s.low[i]).toBeLessThanOrEqual(Math.min(s.open[i], s.close[i]));
        expect(s.high[i]).toBeGreaterThanOrEqual(Math.max(s.open[i], s.close[i]));
        expect(s.volume[i]).toBeGreaterThan(0);
      }
    }
  });

  it('has equity-like statistics: annual vol 10-60%, fat tails, volatility clustering, co-movement', () => {
    const rets = m.map((s) => Array.from({ length: s.length - 1 }, (_, i) => Math.log(s.close[i + 1] / s.close[i])));
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    for (const r of rets) {
      const mu = mean(r);
      const sd = Math.sqrt(mean(r.map((x) => (x - mu) ** 2)));
      expect(sd * Math.sqrt(252)).toBeGreaterThan(0.1);
      expect(sd * Math.sqrt(252)).toBeLessThan(0.6);
      const kurt = mean(r.map((x) => ((x - mu) / sd) ** 4));
      expect(kurt).toBeGreaterThan(3.5); // fatter tails than a normal (3)
      const a = r.map((x) => Math.abs(x));
      const am = mean(a);
      const ac = mean(a.slice(1).map((x, i) => (x - am) * (a[i] - am))) / mean(a.map((x) => (x - am) ** 2));
      expect(ac).toBeGreaterThan(0.05); // |returns| autocorrelated: volatility clusters
    }
    const r0 = rets[0];
    const r1 = rets[1];
    const m0 = mean(r0);
    const m1 = mean(r1);
    const corr = mean(r0.map((x, i) => (x - m0) * (r1[i] - m1))) / Math.sqrt(mean(r0.map((x) => (x - m0) ** 2)) * mean(r1.map((x) => (x - m1) ** 2)));
    expect(corr).toBeGreaterThan(0.2);
  });

  it('exposes its true regimes, all three of which occur and persist', () => {
    const { regime } = syntheticRegimes({ seed: 1 });
    const counts = [0, 0, 0];
    let switches = 0;
    for (let i = 0; i < regime.length; i++) {
      counts[regime[i]]++;
      if (i > 0 && regime[i] !== regime[i - 1]) switches++;
    }
    expect(counts.every((c) => c > 100)).toBe(true);
    expect(regime.length / (switches + 1)).toBeGreaterThan(20);
  });

  it('serves any symbol and any window through the provider, consistent with the full series', async () => {
    const p = new SyntheticProvider({ seed: 1 });
    const full = await p.load({ symbol: 'SYNC' });
    expect(Array.from(full.close)).toEqual(Array.from(m[2].close));
    const part = await p.load({ symbol: 'SYNC', start: '2018-01-01', end: '2018-02-01' });
    const i = full.time.indexOf(part.time[0]);
    expect(part.time[0]).toBe(Date.UTC(2018, 0, 1));
    expect(part.close[3]).toBe(full.close[i + 3]);
    const intraday = await new SyntheticProvider({ seed: 1, start: '2024-01-02', end: '2024-01-04' }).load({ symbol: 'X', interval: '5m' });
    expect(intraday.length).toBe(2 * 78);
  });

  it('plants one learnable effect (next-bar bounce after RSI(14) < 35) that can be switched off', () => {
    const upAfterOversold = (bounce: number) => {
      let n = 0;
      let up = 0;
      for (const s of syntheticMarket({ seed: 3, oversoldBounce: bounce })) {
        const r = rsi(s.close, 14);
        for (let i = 14; i < s.length - 1; i++) {
          if (r[i] < 35) {
            n++;
            if (s.close[i + 1] / s.close[i] - 1 > 0.005) up++;
          }
        }
      }
      return up / n;
    };
    expect(upAfterOversold(0)).toBeLessThan(0.45); // no edge: about the base rate (~0.39)
    expect(upAfterOversold(0.025)).toBeGreaterThan(0.65);
    // The effect draws no random numbers: before the first trigger the paths are identical.
    const [a] = syntheticMarket({ seed: 3, oversoldBounce: 0 });
    const [b] = syntheticMarket({ seed: 3 });
    expect(a.close[20]).toBe(b.close[20]);
  });
});
