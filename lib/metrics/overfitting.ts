/**
 * Statistics that say how much a backtest's headline figure can be trusted once the search that produced it is
 * taken into account:
 *
 * - Probabilistic Sharpe ratio (PSR): the probability that the true Sharpe ratio exceeds a benchmark, given the
 *   observed Sharpe, the track-record length and the skewness and kurtosis of the returns
 *   (Bailey & López de Prado, "The Sharpe Ratio Efficient Frontier", J. of Risk 15(2), 2012).
 * - Deflated Sharpe ratio (DSR): the PSR against the Sharpe the best of N unskilled trials is expected to reach
 *   (Bailey & López de Prado, "The Deflated Sharpe Ratio", J. of Portfolio Management 40(5), 2014).
 * - Probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation (CSCV)
 *   (Bailey, Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting", J. of Computational
 *   Finance 20(4), 2017).
 *
 * Units: every Sharpe ratio here is PER PERIOD (mean / standard deviation of the per-period returns, not
 * annualised), because the standard-error formula counts observations in those periods. Convert with
 * `perPeriodSharpe` / `annualisedSharpe`. Kurtosis is the plain (non-excess) kurtosis: 3 for normal returns.
 */
import { ValidationError } from '../core/errors.js';
import { normalCdf, normalQuantile } from './distributions.js';

/** Euler-Mascheroni constant, used by the expected maximum of N normal draws. */
export const EULER_MASCHERONI = 0.5772156649015329;

/** Per-period Sharpe ratio from an annualised one: SR / sqrt(periods per year). */
export function perPeriodSharpe(annualised: number, periodsPerYear: number): number {
  return annualised / Math.sqrt(periodsPerYear);
}

/** Annualised Sharpe ratio from a per-period one: SR * sqrt(periods per year). */
export function annualisedSharpe(perPeriod: number, periodsPerYear: number): number {
  return perPeriod * Math.sqrt(periodsPerYear);
}

/** The moments of a return series that the Sharpe statistics need. */
export interface ReturnMoments {
  /** Number of returns. */
  observations: number;
  mean: number;
  /** Sample standard deviation (divisor n - 1), as in the Sharpe ratio of lib/metrics. */
  std: number;
  /** Per-period Sharpe ratio mean / std (no risk-free rate: pass excess returns if you want one); NaN if std is 0. */
  sharpe: number;
  /** Skewness E[(r - mu)^3] / sigma^3 with population moments (scipy.stats.skew, bias=True). */
  skewness: number;
  /** Non-excess kurtosis E[(r - mu)^4] / sigma^4 with population moments (scipy.stats.kurtosis, fisher=False). */
  kurtosis: number;
}

/** Mean, sample std, per-period Sharpe, skewness and (non-excess) kurtosis of a return series. */
export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  if (n < 2) throw new ValidationError('returns', `has ${n} values; at least 2 are needed for a Sharpe ratio`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i];
    if (!Number.isFinite(r)) throw new ValidationError(`returns[${i}]`, 'is not a finite number', r);
    sum += r;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = Math.sqrt(m2 / (n - 1));
  const popVar = m2 / n;
  const flat = popVar <= 1e-24 * Math.max(1, mean * mean);
  return {
    observations: n,
    mean,
    std,
    sharpe: flat ? NaN : mean / std,
    skewness: flat ? 0 : m3 / n / popVar ** 1.5,
    kurtosis: flat ? 3 : m4 / n / (popVar * popVar),
  };
}

/** What the PSR needs to know about the observed Sharpe ratio. */
export interface SharpeObservation {
  /** Observed per-period Sharpe ratio (not annualised). */
  sharpe: number;
  /** Number of returns it was measured on (the track-record length T). */
  observations: number;
  /** Skewness of the returns (0 for normal). Default 0. */
  skewness?: number;
  /** Non-excess kurtosis of the returns (3 for normal). Default 3. */
  kurtosis?: number;
}

function checkObservation(o: SharpeObservation): { sr: number; n: number; skew: number; kurt: number } {
  if (!Number.isFinite(o.sharpe)) throw new ValidationError('sharpe', 'is not a finite number', o.sharpe);
  if (!Number.isInteger(o.observations) || o.observations < 2)
    throw new ValidationError('observations', 'is not an integer >= 2', o.observations);
  const skew = o.skewness ?? 0;
  const kurt = o.kurtosis ?? 3;
  if (!Number.isFinite(skew)) throw new ValidationError('skewness', 'is not a finite number', skew);
  // Kurtosis >= 1 + skew^2 >= 1 always; a two-point distribution sits at 1 up to rounding.
  if (!(kurt >= 1 - 1e-9)) throw new ValidationError('kurtosis', 'is below 1 (pass the non-excess kurtosis: 3 for normal returns)', kurt);
  return { sr: o.sharpe, n: o.observations, skew, kurt };
}

/**
 * Standard error of the per-period Sharpe estimate under non-normal returns (Mertens 2002, as used by Bailey &
 * López de Prado): sqrt((1 - skew*SR + (kurt - 1)/4 * SR^2) / (T - 1)).
 */
export function sharpeStandardError(o: SharpeObservation): number {
  const { sr, n, skew, kurt } = checkObservation(o);
  const v = 1 - skew * sr + ((kurt - 1) / 4) * sr * sr;
  // Extreme skew can drive the variance term negative for large SR; the estimate is then meaningless.
  if (!(v > 0)) throw new ValidationError('sharpe', `gives a non-positive variance term (${v}) with skewness ${skew} and kurtosis ${kurt}`, sr);
  return Math.sqrt(v / (n - 1));
}

/**
 * Probabilistic Sharpe ratio: P(true SR > benchmark) = Phi((SR - SR*) / se(SR)), with the non-normal standard
 * error above. `benchmark` is a per-period Sharpe ratio, default 0.
 */
export function probabilisticSharpeRatio(o: SharpeObservation & { benchmark?: number }): number {
  const se = sharpeStandardError(o);
  return normalCdf((o.sharpe - (o.benchmark ?? 0)) / se);
}

/**
 * Minimum track-record length: the number of observations needed for PSR(benchmark) to reach `confidence`
 * (Bailey & López de Prado 2012): 1 + (1 - skew*SR + (kurt-1)/4 SR^2) * (z / (SR - SR*))^2. Infinity when the
 * observed Sharpe does not exceed the benchmark.
 */
export function minimumTrackRecordLength(o: Omit<SharpeObservation, 'observations'> & { benchmark?: number; confidence?: number }): number {
  const confidence = o.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new ValidationError('confidence', 'is not in (0, 1)', confidence);
  const { sr, skew, kurt } = checkObservation({ ...o, observations: 2 });
  const diff = sr - (o.benchmark ?? 0);
  if (!(diff > 0)) return Infinity;
  const v = 1 - skew * sr + ((kurt - 1) / 4) * sr * sr;
  const z = normalQuantile(confidence);
  return 1 + v * (z / diff) ** 2;
}

/** The trials behind a selected strategy, as the DSR needs them. */
export interface TrialSet {
  /** Number of (independent) trials N the selected one was chosen from; 1 means no selection. */
  trials: number;
  /** Variance across the trials of their per-period Sharpe ratios, V[{SR_n}]. */
  trialSharpeVariance: number;
  /**
   * Mean of the trials' true Sharpe ratios under the null; the papers use 0 (no trial is skilled). Per period.
   * Default 0.
   */
  meanTrialSharpe?: number;
}

/**
 * Expected maximum per-period Sharpe ratio of N unskilled trials (the DSR's benchmark SR0):
 * E[max SR] ~ mean + sqrt(V) * ((1 - g) * Phi^-1(1 - 1/N) + g * Phi^-1(1 - 1/(N e))), g = Euler-Mascheroni.
 * With one trial (or zero variance) there is no selection and it is the mean.
 */
export function expectedMaxSharpe(t: TrialSet): number {
  if (!Number.isInteger(t.trials) || t.trials < 1) throw new ValidationError('trials', 'is not an integer >= 1', t.trials);
  if (!(t.trialSharpeVariance >= 0)) throw new ValidationError('trialSharpeVariance', 'is not a number >= 0', t.trialSharpeVariance);
  const mean = t.meanTrialSharpe ?? 0;
  if (!Number.isFinite(mean)) throw new ValidationError('meanTrialSharpe', 'is not a finite number', mean);
  if (t.trials === 1 || t.trialSharpeVariance === 0) return mean;
  const n = t.trials;
  const g = EULER_MASCHERONI;
  const z = (1 - g) * normalQuantile(1 - 1 / n) + g * normalQuantile(1 - 1 / (n * Math.E));
  return mean + Math.sqrt(t.trialSharpeVariance) * z;
}

/** Result of the deflated Sharpe ratio. */
export interface DeflatedSharpe {
  /** P(true SR > SR0): the DSR itself, in [0, 1]. */
  dsr: number;
  /** The benchmark SR0 = expected maximum Sharpe of the unskilled trials (per period). */
  benchmarkSharpe: number;
  /** The z statistic (SR - SR0) / se(SR). */
  z: number;
}

/**
 * Deflated Sharpe ratio: the PSR of the selected strategy against the Sharpe that the best of `trials` unskilled
 * trials is expected to reach. All Sharpe ratios per period.
 */
export function deflatedSharpeRatio(o: SharpeObservation & TrialSet): DeflatedSharpe {
  const benchmarkSharpe = expectedMaxSharpe(o);
  const se = sharpeStandardError(o);
  const z = (o.sharpe - benchmarkSharpe) / se;
  return { dsr: normalCdf(z), benchmarkSharpe, z };
}

/** Sample variance (divisor n - 1) of the trials' per-period Sharpe ratios; 0 for a single trial. */
export function trialSharpeVariance(trialSharpes: ArrayLike<number>): number {
  const n = trialSharpes.length;
  if (n === 0) throw new ValidationError('trialSharpes', 'is empty');
  if (n === 1) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(trialSharpes[i])) throw new ValidationError(`trialSharpes[${i}]`, 'is not a finite number', trialSharpes[i]);
    m += trialSharpes[i];
  }
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (trialSharpes[i] - m) ** 2;
  return ss / (n - 1);
}

/**
 * DSR straight from the selected strategy's per-period returns and the per-period Sharpe ratios of all trials
 * (including the selected one). `trials` defaults to the number of trial Sharpes; pass a smaller effective
 * number when the trials are strongly correlated.
 */
export function deflatedSharpeFromReturns(
  returns: ArrayLike<number>,
  trialSharpes: ArrayLike<number>,
  opts: { trials?: number; meanTrialSharpe?: number } = {},
): DeflatedSharpe & { moments: ReturnMoments } {
  const moments = returnMoments(returns);
  if (!Number.isFinite(moments.sharpe)) throw new ValidationError('returns', 'have zero variance: no Sharpe ratio');
  const d = deflatedSharpeRatio({
    sharpe: moments.sharpe,
    observations: moments.observations,
    skewness: moments.skewness,
    kurtosis: moments.kurtosis,
    trials: opts.trials ?? trialSharpes.length,
    trialSharpeVariance: trialSharpeVariance(trialSharpes),
    meanTrialSharpe: opts.meanTrialSharpe,
  });
  return { ...d, moments };
}

// ---------------------------------------------------------------------------------------------------------------
// Probability of backtest overfitting (CSCV)

/** Performance statistic of one trial on a subset of periods: built in, or any function of the returns. */
export type PboStatistic = 'sharpe' | 'mean' | ((returns: Float64Array) => number);

export interface PboOptions {
  /** S: number of contiguous, (near-)equal blocks the T periods are cut into; even, >= 2. Default 16 (the paper's). */
  blocks?: number;
  /** Statistic ranked in and out of sample. Default 'sharpe' (per-period mean / sample std). */
  statistic?: PboStatistic;
}

export interface PboResult {
  /** Probability of backtest overfitting: share of splits whose in-sample best ranks below the median out of sample (logit < 0). */
  pbo: number;
  /** Number of splits C(S, S/2). */
  combinations: number;
  /** Per split (lexicographic order of the in-sample block sets): logit ln(w / (1 - w)) of the OOS relative rank w. */
  logits: Float64Array;
  /** Per split: relative OOS rank w = rank / (N + 1) of the in-sample best (rank 1 = worst, ties averaged). */
  relativeRanks: Float64Array;
  /** Per split: index of the trial that was best in sample (lowest index on ties). */
  selected: Int32Array;
  /** Per split: the selected trial's statistic in sample and out of sample. */
  inSample: Float64Array;
  outOfSample: Float64Array;
  /** Least-squares fit outOfSample = intercept + slope * inSample over the splits (performance degradation). */
  degradation: { slope: number; intercept: number };
  /** Share of splits where the selected trial's out-of-sample statistic is below 0. */
  probabilityOfLoss: number;
}

/** All k-subsets of {0..n-1} in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push(cur.slice());
      return;
    }
    for (let i = start; i <= n - (k - cur.length); i++) {
      cur.push(i);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

/** Rank (1 = smallest, ties averaged) of values[i] among values. Non-finite values rank as -Infinity. */
function averageRank(values: Float64Array, i: number): number {
  const v = finiteOrLow(values[i]);
  let below = 0;
  let equal = 0;
  for (let j = 0; j < values.length; j++) {
    const w = finiteOrLow(values[j]);
    if (w < v) below++;
    else if (w === v) equal++;
  }
  return below + (equal + 1) / 2;
}

function finiteOrLow(x: number): number {
  return Number.isNaN(x) ? -Infinity : x;
}

/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation.
 *
 * `trialReturns[n][t]` is the return of trial (configuration) n in period t: the columns of the paper's T x N
 * matrix M, all of length T. The T periods are cut into S contiguous blocks; for each of the C(S, S/2) ways to
 * pick half the blocks as in-sample (the rest, in their original order, are out of sample), the trial with the
 * best in-sample statistic is taken and its out-of-sample rank among all N trials recorded as a logit. PBO is the
 * share of splits where that logit is negative (the in-sample winner is below the out-of-sample median).
 */
export function probabilityOfBacktestOverfitting(trialReturns: ReadonlyArray<ArrayLike<number>>, opts: PboOptions = {}): PboResult {
  const S = opts.blocks ?? 16;
  const statistic = opts.statistic ?? 'sharpe';
  const N = trialReturns.length;
  if (N < 2) throw new ValidationError('trialReturns', `has ${N} trials; PBO needs at least 2`);
  const T = trialReturns[0].length;
  trialReturns.forEach((r, n) => {
    if (r.length !== T) throw new ValidationError(`trialReturns[${n}]`, `has ${r.length} periods, trial 0 has ${T}`);
    for (let t = 0; t < T; t++) if (!Number.isFinite(r[t])) throw new ValidationError(`trialReturns[${n}][${t}]`, 'is not a finite number', r[t]);
  });
  if (!Number.isInteger(S) || S < 2 || S % 2 !== 0) throw new ValidationError('blocks', 'is not an even integer >= 2', S);
  const minPerBlock = statistic === 'sharpe' ? 2 : 1; // a Sharpe needs two returns; a custom statistic decides itself
  if (T < S * minPerBlock) throw new ValidationError('blocks', `is too many for ${T} periods (each block needs ${minPerBlock})`, S);

  // Block b covers periods [bounds[b], bounds[b+1]).
  const bounds = Array.from({ length: S + 1 }, (_, b) => Math.floor((b * T) / S));
  const stat = makeSubsetStatistic(trialReturns, bounds, statistic);

  const combos = combinations(S, S / 2);
  const C = combos.length;
  const logits = new Float64Array(C);
  const relativeRanks = new Float64Array(C);
  const selected = new Int32Array(C);
  const inSample = new Float64Array(C);
  const outOfSample = new Float64Array(C);
  const isStats = new Float64Array(N);
  const oosStats = new Float64Array(N);
  let overfit = 0;
  let losses = 0;
  combos.forEach((isBlocks, c) => {
    const inIs = new Array<boolean>(S).fill(false);
    for (const b of isBlocks) inIs[b] = true;
    const oosBlocks = [];
    for (let b = 0; b < S; b++) if (!inIs[b]) oosBlocks.push(b);
    let best = 0;
    for (let n = 0; n < N; n++) {
      isStats[n] = stat(n, isBlocks);
      oosStats[n] = stat(n, oosBlocks);
      if (finiteOrLow(isStats[n]) > finiteOrLow(isStats[best])) best = n;
    }
    const w = averageRank(oosStats, best) / (N + 1);
    selected[c] = best;
    relativeRanks[c] = w;
    logits[c] = Math.log(w / (1 - w));
    inSample[c] = isStats[best];
    outOfSample[c] = oosStats[best];
    if (logits[c] < 0) overfit++;
    if (oosStats[best] < 0) losses++;
  });
  return {
    pbo: overfit / C,
    combinations: C,
    logits,
    relativeRanks,
    selected,
    inSample,
    outOfSample,
    degradation: leastSquares(inSample, outOfSample),
    probabilityOfLoss: losses / C,
  };
}

/** Statistic of trial n over a set of blocks; sharpe/mean from per-block sums (no re-scan of the returns). */
function makeSubsetStatistic(
  trialReturns: ReadonlyArray<ArrayLike<number>>,
  bounds: number[],
  statistic: PboStatistic,
): (n: number, blocks: number[]) => number {
  const S = bounds.length - 1;
  if (typeof statistic === 'function') {
    return (n, blocks) => {
      let len = 0;
      for (const b of blocks) len += bounds[b + 1] - bounds[b];
      const sub = new Float64Array(len);
      let k = 0;
      for (const b of blocks) for (let t = bounds[b]; t < bounds[b + 1]; t++) sub[k++] = trialReturns[n][t];
      return statistic(sub);
    };
  }
  // Sums of returns centred on each trial's overall mean, so the variance does not cancel catastrophically.
  const N = trialReturns.length;
  const centre = new Float64Array(N);
  const count = new Float64Array(S);
  const sum = new Float64Array(N * S);
  const sumSq = new Float64Array(N * S);
  for (let b = 0; b < S; b++) count[b] = bounds[b + 1] - bounds[b];
  for (let n = 0; n < N; n++) {
    const r = trialReturns[n];
    let m = 0;
    for (let t = 0; t < r.length; t++) m += r[t];
    centre[n] = m / r.length;
    for (let b = 0; b < S; b++) {
      let s = 0;
      let ss = 0;
      for (let t = bounds[b]; t < bounds[b + 1]; t++) {
        const d = r[t] - centre[n];
        s += d;
        ss += d * d;
      }
      sum[n * S + b] = s;
      sumSq[n * S + b] = ss;
    }
  }
  return (n, blocks) => {
    let k = 0;
    let s = 0;
    let ss = 0;
    for (const b of blocks) {
      k += count[b];
      s += sum[n * S + b];
      ss += sumSq[n * S + b];
    }
    const mean = centre[n] + s / k;
    if (statistic === 'mean') return mean;
    const variance = (ss - (s * s) / k) / (k - 1);
    return variance > 1e-24 * Math.max(1, mean * mean) ? mean / Math.sqrt(variance) : NaN;
  };
}

function leastSquares(x: Float64Array, y: Float64Array): { slope: number; intercept: number } {
  let mx = 0;
  let my = 0;
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    mx += x[i];
    my += y[i];
    k++;
  }
  if (k < 2) return { slope: NaN, intercept: NaN };
  mx /= k;
  my /= k;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: Number.isFinite(slope) ? my - slope * mx : NaN };
}
