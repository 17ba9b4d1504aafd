import { describe, expect, it } from 'vitest';
import {
  annualisedSharpe,
  combinations,
  deflatedSharpeFromReturns,
  deflatedSharpeRatio,
  expectedMaxSharpe,
  minimumTrackRecordLength,
  perPeriodSharpe,
  probabilisticSharpeRatio,
  probabilityOfBacktestOverfitting,
  returnMoments,
  sharpeStandardError,
  trialSharpeVariance,
} from '../../lib/metrics/overfitting.js';
import { binomialUpperTail, erfc, normalCdf, normalQuantile } from '../../lib/metrics/distributions.js';

// Reference values marked "scipy" were computed with scipy 1.17 (norm.cdf / norm.ppf / binom.sf / skew / kurtosis).

/** Small deterministic PRNG (mulberry32) and Box-Muller normals, so the invariant tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normals(seed: number, n: number): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
}

describe('normal and binomial distributions', () => {
  it('match scipy to near double precision', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(3.1)).toBeCloseTo(0.9990323967867817, 14);
    expect(normalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0.999999)).toBeCloseTo(4.753424308817087, 9);
    expect(normalQuantile(0.5)).toBe(0);
    expect(erfc(0)).toBe(1);
  });

  it('quantile inverts the cdf across the range', () => {
    for (const p of [1e-300, 1e-12, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.77, 0.97575, 0.999, 1 - 1e-12]) {
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 9);
    }
  });

  it('binomial upper tail matches scipy binom.sf(k - 1, n, p)', () => {
    expect(binomialUpperTail(60, 100, 0.5)).toBeCloseTo(0.028443966820490444, 12);
    expect(binomialUpperTail(7000, 10000, 0.69)).toBeCloseTo(0.015523844008885953, 10);
    expect(binomialUpperTail(3, 10, 0.3)).toBeCloseTo(0.6172172136000003, 12);
    // By hand: P(X >= 2 | n=2, p=0.5) = 1/4.
    expect(binomialUpperTail(2, 2, 0.5)).toBeCloseTo(0.25, 15);
    expect(binomialUpperTail(0, 5, 0.5)).toBe(1);
    expect(binomialUpperTail(6, 5, 0.5)).toBe(0);
  });
});

describe('Sharpe ratio statistics (Bailey & López de Prado)', () => {
  it('returnMoments: sample std Sharpe, population skewness and non-excess kurtosis (scipy)', () => {
    const m = returnMoments([0.01, -0.02, 0.03, 0.005, -0.01, 0.04, -0.03, 0.02]);
    expect(m.mean).toBeCloseTo(0.005625, 15);
    expect(m.std).toBeCloseTo(0.02441274550019196, 14);
    expect(m.sharpe).toBeCloseTo(0.23041242944001403, 12);
    expect(m.skewness).toBeCloseTo(-0.08081551063777742, 12);
    expect(m.kurtosis).toBeCloseTo(1.789806000925809, 12);
    expect(() => returnMoments([0.1])).toThrow(/returns: has 1 values/);
    expect(() => returnMoments([0.1, NaN])).toThrow(/returns\[1\]/);
  });

  it('PSR: hand example, normal returns, SR 0.1 per period over 101 periods', () => {
    // z = 0.1 * sqrt(100) / sqrt(1 + (3 - 1)/4 * 0.01) = 1 / sqrt(1.005) = 0.997509...; Phi(z) = 0.84074 (scipy)
    expect(sharpeStandardError({ sharpe: 0.1, observations: 101 })).toBeCloseTo(Math.sqrt(1.005) / 10, 15);
    expect(probabilisticSharpeRatio({ sharpe: 0.1, observations: 101 })).toBeCloseTo(0.8407413278013518, 12);
    // At the benchmark itself the probability is one half, whatever the moments.
    expect(probabilisticSharpeRatio({ sharpe: 0.2, observations: 50, skewness: -1, kurtosis: 6, benchmark: 0.2 })).toBe(0.5);
  });

  it('PSR from returns uses their skewness and kurtosis (scipy)', () => {
    const m = returnMoments([0.01, -0.02, 0.03, 0.005, -0.01, 0.04, -0.03, 0.02]);
    expect(probabilisticSharpeRatio(m)).toBeCloseTo(0.7260573829965178, 11);
  });

  it('PSR falls with negative skew and fat tails at the same Sharpe', () => {
    const normal = probabilisticSharpeRatio({ sharpe: 0.1, observations: 250 });
    const skewed = probabilisticSharpeRatio({ sharpe: 0.1, observations: 250, skewness: -2, kurtosis: 9 });
    expect(skewed).toBeLessThan(normal);
  });

  it('DSR: the numerical example of Bailey & López de Prado (2014)', () => {
    // N = 100 trials, annualised variance of trial Sharpes 1/2, best annualised SR 2.5, T = 1250 daily
    // observations, skewness -3, kurtosis 10, 250 days a year. The paper gives SR0 ~ 0.1132 and DSR ~ 0.9004.
    const perDay = (x: number) => perPeriodSharpe(x, 250);
    const d = deflatedSharpeRatio({
      sharpe: perDay(2.5),
      observations: 1250,
      skewness: -3,
      kurtosis: 10,
      trials: 100,
      trialSharpeVariance: 0.5 / 250,
    });
    expect(d.benchmarkSharpe).toBeCloseTo(0.1132, 4);
    expect(d.dsr).toBeCloseTo(0.9004, 4);
    expect(d.benchmarkSharpe).toBeCloseTo(0.11317200186513214, 12); // scipy
    expect(d.dsr).toBeCloseTo(0.9003968344493903, 11); // scipy
    expect(annualisedSharpe(perDay(2.5), 250)).toBeCloseTo(2.5, 14);
  });

  it('expected max Sharpe: no selection with one trial, grows with the number of trials', () => {
    expect(expectedMaxSharpe({ trials: 1, trialSharpeVariance: 0.3 })).toBe(0);
    expect(expectedMaxSharpe({ trials: 5, trialSharpeVariance: 0, meanTrialSharpe: 0.01 })).toBe(0.01);
    const e10 = expectedMaxSharpe({ trials: 10, trialSharpeVariance: 1 });
    const e1000 = expectedMaxSharpe({ trials: 1000, trialSharpeVariance: 1 });
    expect(e1000).toBeGreaterThan(e10);
    // Expected maximum of 1000 standard normals is ~3.24; the approximation is within a few hundredths.
    expect(e1000).toBeGreaterThan(3.1);
    expect(e1000).toBeLessThan(3.35);
    // ... and scales with the standard deviation of the trials' Sharpes.
    expect(expectedMaxSharpe({ trials: 10, trialSharpeVariance: 4 })).toBeCloseTo(2 * e10, 14);
    expect(() => expectedMaxSharpe({ trials: 0, trialSharpeVariance: 1 })).toThrow(/trials/);
  });

  it('DSR from returns: variance of the trial Sharpes and the number of trials come from the list', () => {
    const r = normals(7, 500).map((x) => 0.1 + x);
    const trialSharpes = [0.02, -0.05, 0.07, 0.01, 0.0];
    expect(trialSharpeVariance(trialSharpes)).toBeCloseTo(0.00185, 14);
    const d = deflatedSharpeFromReturns(r, trialSharpes);
    const m = returnMoments(r);
    const same = deflatedSharpeRatio({ ...m, trials: 5, trialSharpeVariance: 0.00185 });
    expect(d.dsr).toBeCloseTo(same.dsr, 14);
    // More trials behind the same winner make it less credible.
    expect(deflatedSharpeFromReturns(r, trialSharpes, { trials: 500 }).dsr).toBeLessThan(d.dsr);
  });

  it('minimum track record length (scipy): SR 0.2 vs 0.05, skew -0.5, kurt 5, 95%', () => {
    expect(minimumTrackRecordLength({ sharpe: 0.2, skewness: -0.5, kurtosis: 5, benchmark: 0.05 })).toBeCloseTo(138.08086834083426, 9);
    expect(minimumTrackRecordLength({ sharpe: 0.05, benchmark: 0.05 })).toBe(Infinity);
  });

  it('names the bad field', () => {
    expect(() => probabilisticSharpeRatio({ sharpe: 0.1, observations: 1 })).toThrow(/observations/);
    expect(() => probabilisticSharpeRatio({ sharpe: 0.1, observations: 10, kurtosis: 0 })).toThrow(/kurtosis.*non-excess/);
  });
});

describe('probability of backtest overfitting (CSCV)', () => {
  it('combinations are the lexicographic k-subsets', () => {
    expect(combinations(4, 2)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(combinations(16, 8).length).toBe(12870);
  });

  it('a case computed by hand: S = 4 one-period blocks, N = 4 trials, statistic = mean', () => {
    // Trials (columns) A..D over blocks 1..4. Sums over each pair of blocks (IS mean = sum / 2):
    //   A [5,5,5,0]:       12:10 13:10 14:5   23:10  24:5   34:5
    //   B [0,1,2,4]:       12:1  13:2  14:4   23:3   24:5   34:6
    //   C [1,0.5,0,3.5]:   12:1.5 13:1 14:4.5 23:0.5 24:4   34:3.5
    //   D [2,2.5,1,0.2]:   12:4.5 13:3 14:2.2 23:3.5 24:2.7 34:1.2
    // IS {1,2}: A best; OOS {3,4}: D 1.2 < C 3.5 < A 5 < B 6 -> A ranks 3 of 4, w = 3/5, logit ln 1.5
    // IS {1,3}: A best; OOS {2,4}: D 2.7 < C 4 < A = B 5    -> A ranks 3.5,      w = 0.7, logit ln(7/3)
    // IS {1,4}: A best; OOS {2,3}: A 10 is the top           -> rank 4,          w = 0.8, logit ln 4
    // IS {2,3}: A best; OOS {1,4}: A 5 is the top            -> logit ln 4
    // IS {2,4}: A and B tie at 5, the first (A) is taken; OOS {1,3}: A 10 top -> logit ln 4
    // IS {3,4}: B best (6); OOS {1,2}: B 1 is the bottom     -> rank 1, w = 0.2, logit ln(1/4)
    // PBO = 1/6; the selected trial's OOS mean is 2.5, 2.5, 5, 2.5, 5, 0.5: never a loss.
    const trials = [
      [5, 5, 5, 0],
      [0, 1, 2, 4],
      [1, 0.5, 0, 3.5],
      [2, 2.5, 1, 0.2],
    ];
    const r = probabilityOfBacktestOverfitting(trials, { blocks: 4, statistic: 'mean' });
    expect(r.combinations).toBe(6);
    expect(Array.from(r.selected)).toEqual([0, 0, 0, 0, 0, 1]);
    const expected = [Math.log(1.5), Math.log(7 / 3), Math.log(4), Math.log(4), Math.log(4), Math.log(0.25)];
    r.logits.forEach((l, i) => expect(l).toBeCloseTo(expected[i], 14));
    expect(Array.from(r.relativeRanks)).toEqual([0.6, 0.7, 0.8, 0.8, 0.8, 0.2]);
    expect(r.pbo).toBeCloseTo(1 / 6, 15);
    expect(Array.from(r.outOfSample)).toEqual([2.5, 2.5, 5, 2.5, 5, 0.5]);
    expect(r.probabilityOfLoss).toBe(0);
    // The same statistic as a function gives the same answer as the built-in fast path.
    const viaFn = probabilityOfBacktestOverfitting(trials, {
      blocks: 4,
      statistic: (x) => x.reduce((a, b) => a + b, 0) / x.length,
    });
    expect(Array.from(viaFn.logits)).toEqual(Array.from(r.logits));
  });

  it('an in-sample best exactly at the out-of-sample median (logit 0) is not counted as overfit', () => {
    // S = 2, N = 3, mean. IS {1}: A best (3), OOS {2}: A 1 < B 2 < C 3 -> rank 1, logit ln(1/3) < 0.
    // IS {2}: C best (3), OOS {1}: B 1 < C 2 < A 3 -> rank 2 = median, w = 1/2, logit 0: does not underperform.
    const r = probabilityOfBacktestOverfitting([[3, 1], [1, 2], [2, 3]], { blocks: 2, statistic: 'mean' });
    expect(Array.from(r.logits)).toEqual([Math.log(1 / 3), 0]);
    expect(r.pbo).toBe(0.5);
  });

  it('PBO = 1 when out-of-sample ranks are the reverse of in-sample ones', () => {
    // With equal blocks and statistic = mean, OOS mean = 2 * overall mean - IS mean. If every trial has the same
    // overall mean, the OOS ranking is exactly the IS ranking reversed, in every split.
    const N = 10;
    const T = 400;
    const trials = Array.from({ length: N }, (_, n) => {
      const x = normals(100 + n, T);
      const m = x.reduce((a, b) => a + b, 0) / T;
      return x.map((v) => v - m);
    });
    const r = probabilityOfBacktestOverfitting(trials, { blocks: 8, statistic: 'mean' });
    expect(r.combinations).toBe(70);
    expect(r.pbo).toBe(1);
    for (const w of r.relativeRanks) expect(w).toBeCloseTo(1 / (N + 1), 15);
    expect(r.degradation.slope).toBeCloseTo(-1, 10);
  });

  it('PBO = 0 when out-of-sample ranks are identical to in-sample ones', () => {
    // Trial n = common noise + n * 0.01: same dispersion, higher mean for every n, in every subset of periods.
    const N = 8;
    const common = normals(3, 320);
    const trials = Array.from({ length: N }, (_, n) => common.map((v) => v * 0.01 + n * 0.001));
    const r = probabilityOfBacktestOverfitting(trials, { blocks: 8 });
    expect(r.pbo).toBe(0);
    for (const s of r.selected) expect(s).toBe(N - 1);
    for (const l of r.logits) expect(l).toBeCloseTo(Math.log(N), 12);
  });

  it('PBO is about one half for trials that are pure noise', () => {
    const trials = Array.from({ length: 40 }, (_, n) => normals(1000 + n, 600));
    const r = probabilityOfBacktestOverfitting(trials, { blocks: 10 });
    expect(r.combinations).toBe(252);
    expect(r.pbo).toBeGreaterThan(0.3);
    expect(r.pbo).toBeLessThan(0.7);
  });

  it('a genuinely better trial among noise gives a low PBO', () => {
    const trials = Array.from({ length: 20 }, (_, n) => normals(2000 + n, 1000).map((v) => v + (n === 5 ? 0.3 : 0)));
    const r = probabilityOfBacktestOverfitting(trials, { blocks: 10 });
    expect(r.pbo).toBeLessThan(0.05);
  });

  it('sharpe fast path agrees with a direct computation on each subset', () => {
    const trials = Array.from({ length: 5 }, (_, n) => normals(300 + n, 103).map((v) => 0.001 + 0.02 * v));
    const direct = probabilityOfBacktestOverfitting(trials, { blocks: 6, statistic: (x) => returnMoments(x).sharpe });
    const fast = probabilityOfBacktestOverfitting(trials, { blocks: 6 });
    expect(Array.from(fast.selected)).toEqual(Array.from(direct.selected));
    fast.inSample.forEach((v, i) => expect(v).toBeCloseTo(direct.inSample[i], 12));
    fast.outOfSample.forEach((v, i) => expect(v).toBeCloseTo(direct.outOfSample[i], 12));
    expect(fast.pbo).toBe(direct.pbo);
  });

  it('refuses bad input naming the field', () => {
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4]], { blocks: 2 })).toThrow(/trialReturns: has 1 trials/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4], [1, 2, 3]], { blocks: 2 })).toThrow(/trialReturns\[1\]/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4], [1, 2, 3, 5]], { blocks: 3 })).toThrow(/blocks.*even/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4], [1, 2, 3, 5]], { blocks: 4 })).toThrow(/blocks.*too many/);
  });
});
