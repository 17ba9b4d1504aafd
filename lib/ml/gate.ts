/**
 * The promotion gate: may this model trade? One function for `npm run train`, notebook 06, the demo and the
 * runner. It is model-agnostic: it looks only at out-of-sample P(up) with their 0/1 labels (rows the model
 * never saw in training or selection) and the per-period returns of a backtest of those predictions after
 * costs. A model passes only if
 *
 *   1. its accuracy beats always predicting the majority class (the base rate, NOT 0.5), by a one-sided
 *      binomial test at `accuracyLevel`;
 *   2. its ranking beats chance, AUC > 0.5, by a one-sided Mann-Whitney test (normal approximation with tie
 *      correction) at `aucLevel`;
 *   3. its backtest after costs has a deflated Sharpe ratio >= `minDeflatedSharpe`: the probability that the
 *      true Sharpe exceeds what the best of `trials` unskilled candidates would show (Bailey & López de Prado);
 *   4. its accuracy reaches the `minAccuracy` floor (config strategy.ml.min_accuracy, an extra, plain floor).
 *
 * Overlapping labels (horizon h > 1) are not independent: the tests count n / h effective rows.
 * Statistics (`gateStatistics`) and decision (`gateVerdict`) are separate so the runner can re-decide a stored
 * model's statistics under its own config at start.
 */
import type { StrategyConfig } from '../config/schema.js';
import { ValidationError } from '../core/errors.js';
import { binomialUpperTail, normalCdf } from '../metrics/distributions.js';
import { deflatedSharpeRatio, returnMoments, trialSharpeVariance } from '../metrics/overfitting.js';

export interface GateSettings {
  /** One-sided significance level of "accuracy > majority base rate" (binomial test). */
  accuracyLevel: number;
  /** One-sided significance level of "AUC > 0.5" (Mann-Whitney). */
  aucLevel: number;
  /** Minimum deflated Sharpe ratio (a probability) of the backtest after costs. */
  minDeflatedSharpe: number;
  /** Plain accuracy floor (strategy.ml.min_accuracy). */
  minAccuracy: number;
  /** Fewest out-of-sample rows the verdict may rest on. */
  minRows: number;
}

export const DEFAULT_GATE_SETTINGS: Readonly<GateSettings> = {
  accuracyLevel: 0.05,
  aucLevel: 0.05,
  minDeflatedSharpe: 0.95,
  minAccuracy: 0.55,
  minRows: 100,
};

export interface GateBacktest {
  /** Per-period returns of the out-of-sample backtest after costs (e.g. daily equity changes). */
  returns: ArrayLike<number>;
  /** Periods per year, to show the Sharpe ratio annualised (the statistics use it per period). */
  periodsPerYear: number;
}

export interface GateInput {
  /** Out-of-sample P(class 1) per row; NaN rows are skipped. */
  prob: ArrayLike<number>;
  /** 0/1 labels of the same rows. */
  y: ArrayLike<number>;
  /** Label horizon in bars: overlapping labels count as n / horizon independent rows (default 1). */
  labelHorizon?: number;
  /** Backtest of these predictions after costs; null/absent fails the Sharpe check. */
  backtest?: GateBacktest | null;
  /**
   * Candidates tried before this one was chosen (model types, thresholds, filters...), and the per-period
   * Sharpe ratios of their backtests when known. With more than one trial and no Sharpes, the variance of
   * the trial Sharpes is taken as the sampling variance of one Sharpe estimate (1/T): candidates with no
   * skill differ by sampling noise alone.
   */
  trials?: { count: number; sharpes?: readonly number[] };
}

export interface GateStatistics {
  rows: number;
  /** Rows the tests count: rows / label horizon. */
  effectiveRows: number;
  accuracy: number;
  majorityClass: 0 | 1;
  /** Accuracy of always predicting the majority class. */
  baseRate: number;
  /** One-sided p-value of accuracy > base rate. */
  accuracyPValue: number;
  auc: number;
  /** One-sided p-value of AUC > 0.5. */
  aucPValue: number;
  /** Backtest statistics (null without a backtest). Sharpe ratios per period unless named annualised. */
  backtest: {
    observations: number;
    sharpe: number;
    annualisedSharpe: number;
    skewness: number;
    kurtosis: number;
    totalReturn: number;
  } | null;
  trials: number;
  trialSharpeVariance: number;
  /** Expected max Sharpe of the unskilled trials (per period): the DSR's benchmark. */
  benchmarkSharpe: number | null;
  deflatedSharpe: number | null;
}

export interface GateCheck {
  name: 'rows' | 'base-rate' | 'auc' | 'deflated-sharpe' | 'min-accuracy';
  passed: boolean;
  detail: string;
}

export interface GateVerdict {
  promotable: boolean;
  /** Why not (empty when promotable): one line per failed check. */
  reasons: string[];
  checks: GateCheck[];
  settings: GateSettings;
}

export interface GateResult {
  statistics: GateStatistics;
  verdict: GateVerdict;
}

/** A gate result as metadata.json keeps it: what it was computed on, so a reader can judge it. */
export interface StoredGate extends GateResult {
  /** e.g. "test block 2023-01-03..2024-12-31 (untouched)" or "walk-forward out-of-sample 2017-02-01..2024-12-31". */
  evaluatedOn: string;
}

/** AUC with average ranks for ties, and the one-sided Mann-Whitney p-value of AUC > 0.5. */
export function aucTest(prob: ArrayLike<number>, y: ArrayLike<number>, effectiveScale = 1): { auc: number; pValue: number } {
  const idx: number[] = [];
  for (let i = 0; i < prob.length; i++) if (!Number.isNaN(prob[i])) idx.push(i);
  idx.sort((a, b) => prob[a] - prob[b]);
  let n1 = 0;
  let rankSum = 0;
  let tieTerm = 0; // sum of (t^3 - t) over tie groups
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && prob[idx[j + 1]] === prob[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (y[idx[k]] === 1) {
      rankSum += r;
      n1++;
    }
    i = j + 1;
  }
  const n = idx.length;
  const n0 = n - n1;
  if (!n1 || !n0) return { auc: NaN, pValue: 1 };
  const auc = (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
  // Var(U) = n1 n0 / 12 * ((n + 1) - tieTerm / (n (n - 1))); AUC = U / (n1 n0).
  const varU = ((n1 * n0) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const sdAuc = Math.sqrt(varU) / (n1 * n0) * Math.sqrt(effectiveScale);
  const pValue = sdAuc > 0 ? 1 - normalCdf((auc - 0.5) / sdAuc) : auc > 0.5 ? 0 : 1;
  return { auc, pValue };
}

/** The gate's statistics from out-of-sample predictions, labels and the backtest after costs. */
export function gateStatistics(input: GateInput): GateStatistics {
  const { prob, y } = input;
  if (prob.length !== y.length) throw new ValidationError('gate.y', `has ${y.length} labels for ${prob.length} probabilities`);
  const h = input.labelHorizon ?? 1;
  if (!Number.isInteger(h) || h < 1) throw new ValidationError('gate.labelHorizon', 'is not an integer >= 1', h);
  let n = 0;
  let ones = 0;
  let hits = 0;
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    if (Number.isNaN(p)) continue;
    if (y[i] !== 0 && y[i] !== 1) throw new ValidationError(`gate.y[${i}]`, 'is not 0 or 1', y[i]);
    n++;
    ones += y[i];
    if ((p >= 0.5 ? 1 : 0) === y[i]) hits++;
  }
  const majorityClass: 0 | 1 = ones * 2 > n ? 1 : 0;
  const baseRate = n ? Math.max(ones, n - ones) / n : NaN;
  const accuracy = n ? hits / n : NaN;
  const effectiveRows = Math.floor(n / h);
  // Binomial test on the effective count: hits scaled the same way.
  const accuracyPValue = n ? binomialUpperTail(Math.ceil((hits * effectiveRows) / n), effectiveRows, baseRate) : 1;
  const { auc, pValue: aucPValue } = aucTest(prob, y, h);

  const trialsCount = input.trials?.count ?? 1;
  if (!Number.isInteger(trialsCount) || trialsCount < 1) throw new ValidationError('gate.trials.count', 'is not an integer >= 1', trialsCount);
  let backtest: GateStatistics['backtest'] = null;
  let variance = 0;
  let benchmarkSharpe: number | null = null;
  let deflatedSharpe: number | null = null;
  const bt = input.backtest;
  if (bt && bt.returns.length >= 2) {
    const m = returnMoments(bt.returns);
    let wealth = 1;
    for (let i = 0; i < bt.returns.length; i++) wealth *= 1 + bt.returns[i];
    const sharpe = Number.isFinite(m.sharpe) ? m.sharpe : 0;
    backtest = {
      observations: m.observations,
      sharpe,
      annualisedSharpe: sharpe * Math.sqrt(bt.periodsPerYear),
      skewness: m.skewness,
      kurtosis: m.kurtosis,
      totalReturn: wealth - 1,
    };
    const sharpes = input.trials?.sharpes;
    variance = trialsCount <= 1 ? 0 : sharpes && sharpes.length > 1 ? trialSharpeVariance(sharpes) : 1 / (m.observations - 1);
    if (Number.isFinite(m.sharpe)) {
      const d = deflatedSharpeRatio({
        sharpe,
        observations: m.observations,
        skewness: m.skewness,
        kurtosis: m.kurtosis,
        trials: trialsCount,
        trialSharpeVariance: variance,
      });
      benchmarkSharpe = d.benchmarkSharpe;
      deflatedSharpe = d.dsr;
    } else {
      // A flat equity curve (no trades): nothing was earned, the Sharpe check fails.
      benchmarkSharpe = 0;
      deflatedSharpe = 0;
    }
  }
  return {
    rows: n,
    effectiveRows,
    accuracy,
    majorityClass,
    baseRate,
    accuracyPValue,
    auc,
    aucPValue,
    backtest,
    trials: trialsCount,
    trialSharpeVariance: variance,
    benchmarkSharpe,
    deflatedSharpe,
  };
}

function checkSettings(s: GateSettings): void {
  const level = (name: string, v: number) => {
    if (!(v > 0 && v < 1)) throw new ValidationError(`gate.${name}`, 'is not in (0, 1)', v);
  };
  level('accuracyLevel', s.accuracyLevel);
  level('aucLevel', s.aucLevel);
  if (!(s.minDeflatedSharpe >= 0 && s.minDeflatedSharpe <= 1)) throw new ValidationError('gate.minDeflatedSharpe', 'is not in [0, 1]', s.minDeflatedSharpe);
  if (!(s.minAccuracy >= 0 && s.minAccuracy <= 1)) throw new ValidationError('gate.minAccuracy', 'is not in [0, 1]', s.minAccuracy);
  if (!(Number.isInteger(s.minRows) && s.minRows >= 1)) throw new ValidationError('gate.minRows', 'is not an integer >= 1', s.minRows);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pv = (x: number) => (x < 1e-4 ? x.toExponential(1) : x.toFixed(4));

/** Decide on the statistics: every check must pass; the reasons name each failure with its numbers. */
export function gateVerdict(s: GateStatistics, settings: Partial<GateSettings> = {}): GateVerdict {
  const st: GateSettings = { ...DEFAULT_GATE_SETTINGS, ...settings };
  checkSettings(st);
  const checks: GateCheck[] = [];
  checks.push({
    name: 'rows',
    passed: s.rows >= st.minRows,
    detail: `${s.rows} out-of-sample rows (${s.effectiveRows} effective), at least ${st.minRows} needed`,
  });
  checks.push({
    name: 'base-rate',
    // The p-value is computed at the base rate: below the base rate it is above one half, never significant.
    passed: s.accuracyPValue <= st.accuracyLevel,
    detail: `accuracy ${pct(s.accuracy)} vs base rate ${pct(s.baseRate)} (always '${s.majorityClass}'): one-sided binomial p = ${pv(s.accuracyPValue)}, level ${st.accuracyLevel}`,
  });
  checks.push({
    name: 'auc',
    passed: s.aucPValue <= st.aucLevel,
    detail: `AUC ${Number.isNaN(s.auc) ? 'n/a' : s.auc.toFixed(3)} vs 0.5: one-sided Mann-Whitney p = ${pv(s.aucPValue)}, level ${st.aucLevel}`,
  });
  const b = s.backtest;
  checks.push({
    name: 'deflated-sharpe',
    passed: s.deflatedSharpe !== null && s.deflatedSharpe >= st.minDeflatedSharpe,
    detail:
      b === null || s.deflatedSharpe === null
        ? 'no out-of-sample backtest after costs to judge'
        : `backtest after costs: Sharpe ${b.annualisedSharpe.toFixed(2)} annualised (${b.sharpe.toFixed(4)} per period, ${b.observations} periods, ` +
          `skew ${b.skewness.toFixed(2)}, kurtosis ${b.kurtosis.toFixed(1)}), ${s.trials} trial${s.trials === 1 ? '' : 's'}: ` +
          `deflated Sharpe ${s.deflatedSharpe.toFixed(3)}, at least ${st.minDeflatedSharpe} needed`,
  });
  checks.push({
    name: 'min-accuracy',
    passed: s.accuracy >= st.minAccuracy,
    detail: `accuracy ${pct(s.accuracy)}, floor strategy.ml.min_accuracy ${pct(st.minAccuracy)}`,
  });
  const reasons = checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
  return { promotable: reasons.length === 0, reasons, checks, settings: st };
}

/** The promotion gate: statistics and verdict in one call. */
export function promotionGate(input: GateInput, settings: Partial<GateSettings> = {}): GateResult {
  const statistics = gateStatistics(input);
  return { statistics, verdict: gateVerdict(statistics, settings) };
}

/** Multi-line console summary of a gate result. */
export function formatGate(g: GateResult): string {
  const lines = [`promotion gate: ${g.verdict.promotable ? 'PROMOTABLE' : 'NOT PROMOTABLE'}`];
  for (const c of g.verdict.checks) lines.push(`  [${c.passed ? 'pass' : 'FAIL'}] ${c.name}: ${c.detail}`);
  return lines.join('\n');
}

/** Gate settings as config.yaml's strategy.ml states them (gate block + min_accuracy). */
export function gateSettingsFromConfig(ml: Pick<StrategyConfig['ml'], 'gate' | 'min_accuracy'>): GateSettings {
  return {
    accuracyLevel: ml.gate.level,
    aucLevel: ml.gate.auc_level,
    minDeflatedSharpe: ml.gate.min_deflated_sharpe,
    minAccuracy: ml.min_accuracy,
    minRows: ml.gate.min_rows,
  };
}
