/** Benchmarks to compare a strategy against, and its alpha/beta to one. */
import type { BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { alignedValues } from './returns.js';
import { isNegligible, mean, sampleCov } from './stats.js';
import type { EquityCurve } from './types.js';

/**
 * Equal-weight buy-and-hold: each of the n symbols gets initialCash / n, spent (fractional shares, no costs)
 * at the close of its first bar; until then that slice stays cash. Marked at each symbol's latest close on the
 * merged timeline of all bars (a symbol with no bar at a time keeps its last close).
 * Float money on purpose: this is a statistic to compare against, not an account.
 */
export function buyAndHoldCurve(series: readonly BarSeries[], initialCash: number): EquityCurve {
  if (!(initialCash > 0)) throw new ValidationError('initialCash', 'must be a positive number', initialCash);
  if (series.length === 0) throw new ValidationError('series', 'needs at least one symbol', 0);
  const all = new Set<number>();
  for (const s of series) for (let i = 0; i < s.length; i++) all.add(s.time[i]);
  const time = Float64Array.from(all).sort();
  const T = time.length;
  const nS = series.length;
  const slice = initialCash / nS;
  const shares = new Float64Array(nS);
  const mark = new Float64Array(nS);
  const cursor = new Int32Array(nS);
  const equity = new Float64Array(T);
  let cash = initialCash;
  for (let k = 0; k < T; k++) {
    const t = time[k];
    for (let s = 0; s < nS; s++) {
      const ser = series[s];
      const j = cursor[s];
      if (j < ser.length && ser.time[j] === t) {
        const c = ser.close[j];
        if (j === 0) {
          if (!(c > 0)) throw new ValidationError(`${ser.symbol}.close[0]`, 'must be a positive price to buy at', c);
          shares[s] = slice / c;
          cash -= slice;
        }
        mark[s] = c;
        cursor[s] = j + 1;
      }
    }
    let e = cash;
    for (let s = 0; s < nS; s++) e += shares[s] * mark[s];
    equity[k] = e;
  }
  return { time, equity };
}

export interface AlphaBeta {
  /** cov(r, rb) / var(rb) over periodic returns; null when the benchmark is flat or too short. */
  readonly beta: number | null;
  /** (mean(r - rf) - beta * mean(rb - rf)) * periodsPerYear: annualised Jensen alpha (fraction/year). */
  readonly alpha: number | null;
  /** Benchmark total return over the strategy's span (first aligned value to last). */
  readonly benchmarkReturn: number | null;
}

/**
 * Alpha and beta of the strategy's periodic returns against the benchmark's, on the strategy's timestamps
 * (the benchmark is carried forward onto them; periods before the benchmark starts are skipped).
 */
export function alphaBeta(curve: EquityCurve, benchmark: EquityCurve, periodsPerYear: number, riskFreeRate = 0): AlphaBeta {
  const b = alignedValues(curve.time, benchmark);
  const n = b.length;
  const r = new Float64Array(Math.max(0, n - 1));
  const rb = new Float64Array(Math.max(0, n - 1));
  let k = 0;
  let firstB: number | null = null;
  let lastB: number | null = null;
  for (let i = 0; i < n; i++) {
    const bi = b[i];
    if (bi !== bi) continue; // before the benchmark starts
    if (firstB === null) firstB = bi;
    lastB = bi;
    if (i === 0) continue;
    const prevB = b[i - 1];
    if (prevB !== prevB) continue;
    const pe = curve.equity[i - 1];
    r[k] = pe > 0 ? curve.equity[i] / pe - 1 : 0;
    rb[k] = prevB > 0 ? bi / prevB - 1 : 0;
    k++;
  }
  const benchmarkReturn = firstB !== null && lastB !== null && firstB > 0 ? lastB / firstB - 1 : null;
  const rs = r.subarray(0, k);
  const rbs = rb.subarray(0, k);
  const varB = sampleCov(rbs, rbs);
  if (varB === null || isNegligible(Math.sqrt(varB), mean(rbs))) return { beta: null, alpha: null, benchmarkReturn };
  const beta = (sampleCov(rs, rbs) as number) / varB;
  const rf = riskFreeRate / periodsPerYear;
  const alpha = (mean(rs) - rf - beta * (mean(rbs) - rf)) * periodsPerYear;
  return { beta, alpha, benchmarkReturn };
}
