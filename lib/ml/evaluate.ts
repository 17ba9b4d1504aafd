/**
 * Evaluation against the baselines that matter: always predicting the majority class, and buying and
 * holding. On daily equities an honest model barely beats the base rate, and the verdict says so plainly.
 */
import { ValidationError } from '../core/errors.js';
import { DEFAULT_CONFIDENCE_THRESHOLD, reliabilityTable, thresholdStats, type Reliability, type ThresholdStats } from './calibration.js';

export interface Evaluation {
  /** Rows with a prediction (NaN probabilities are skipped). */
  n: number;
  accuracy: number;
  majorityClass: number;
  /** Accuracy of always predicting the majority class of the evaluated rows (the base rate). */
  majorityAccuracy: number;
  beatsBaseRate: boolean;
  /** Area under the ROC curve (0.5 = no ranking skill). */
  auc: number;
  logLoss: number;
  reliability: Reliability;
  confident: ThresholdStats;
  /** Equal-weight compounded return of holding every row's instrument over the evaluated bars (needs returns). */
  buyHoldReturn: number | null;
  /**
   * Same, holding only rows with a confident long signal and cash otherwise: frictionless and close to close,
   * a diagnostic only; it is not shown as a return figure (the engine's backtest with costs is).
   */
  strategyReturn: number | null;
  verdict: string;
}

export interface EvaluateOptions {
  threshold?: number;
  /** Next-bar return per row (what holding one bar from this bar earns; not the h-bar label return, which would overlap). */
  forwardReturn?: ArrayLike<number>;
  /** Bar time per row: returns of rows sharing a time are averaged (several symbols). */
  time?: ArrayLike<number>;
}

export function rocAuc(prob: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx: number[] = [];
  for (let i = 0; i < prob.length; i++) if (!Number.isNaN(prob[i])) idx.push(i);
  idx.sort((a, b) => prob[a] - prob[b]);
  let pos = 0;
  let rankSum = 0;
  // average ranks over ties
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && prob[idx[j + 1]] === prob[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]] === 1) {
      rankSum += r;
      pos++;
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (!pos || !neg) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function compoundByTime(ret: ArrayLike<number>, take: (i: number) => number, rows: number[], time?: ArrayLike<number>): number {
  const sum = new Map<number, [number, number]>();
  for (const i of rows) {
    const key = time ? time[i] : i;
    const cur = sum.get(key) ?? [0, 0];
    cur[0] += take(i) * ret[i];
    cur[1] += 1;
    sum.set(key, cur);
  }
  let wealth = 1;
  for (const k of [...sum.keys()].sort((a, b) => a - b)) {
    const [s, c] = sum.get(k)!;
    wealth *= 1 + s / c;
  }
  return wealth - 1;
}

export function evaluate(prob: ArrayLike<number>, y: ArrayLike<number>, opts: EvaluateOptions = {}): Evaluation {
  if (prob.length !== y.length) throw new ValidationError('y', `has ${y.length} labels for ${prob.length} probabilities`);
  const threshold = opts.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const rows: number[] = [];
  for (let i = 0; i < prob.length; i++) if (!Number.isNaN(prob[i])) rows.push(i);
  let ones = 0;
  let hit = 0;
  let ll = 0;
  for (const i of rows) {
    ones += y[i];
    const pred = prob[i] >= 0.5 ? 1 : 0;
    if (pred === y[i]) hit++;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, prob[i]));
    ll -= y[i] ? Math.log(p) : Math.log(1 - p);
  }
  const n = rows.length;
  const majorityClass = ones * 2 > n ? 1 : 0;
  const majorityAccuracy = n ? Math.max(ones, n - ones) / n : NaN;
  const accuracy = n ? hit / n : NaN;
  const beatsBaseRate = accuracy > majorityAccuracy;
  let buyHoldReturn: number | null = null;
  let strategyReturn: number | null = null;
  if (opts.forwardReturn) {
    const r = opts.forwardReturn;
    if (r.length !== prob.length) throw new ValidationError('forwardReturn', `has ${r.length} values for ${prob.length} rows`);
    buyHoldReturn = compoundByTime(r, () => 1, rows, opts.time);
    strategyReturn = compoundByTime(r, (i) => (prob[i] >= threshold ? 1 : 0), rows, opts.time);
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const parts = [
    !beatsBaseRate
      ? `the model does NOT beat the base rate: accuracy ${pct(accuracy)} vs ${pct(majorityAccuracy)} for always predicting '${majorityClass}'`
      : accuracy - majorityAccuracy < 0.01
        ? `the model only barely beats the base rate (${pct(accuracy)} vs ${pct(majorityAccuracy)} for always predicting '${majorityClass}'; under 1 point, within noise)`
        : `accuracy ${pct(accuracy)} beats the base rate ${pct(majorityAccuracy)} (always '${majorityClass}') by ${((accuracy - majorityAccuracy) * 100).toFixed(1)} points`,
  ];
  // No return figures here: a frictionless close-to-close sum overstates what trading the signals earns.
  // Returns come from the engine with costs (lib/strategy/ml/promote.ts).
  return {
    n,
    accuracy,
    majorityClass,
    majorityAccuracy,
    beatsBaseRate,
    auc: rocAuc(prob, y),
    logLoss: n ? ll / n : NaN,
    reliability: reliabilityTable(prob, y),
    confident: thresholdStats(prob, y, threshold),
    buyHoldReturn,
    strategyReturn,
    verdict: parts.join('; '),
  };
}

export function formatEvaluation(e: Evaluation, title = 'evaluation'): string {
  const f = (x: number, d = 4) => (Number.isNaN(x) ? 'n/a' : x.toFixed(d));
  const lines = [
    `${title}: ${e.n} rows`,
    `  accuracy ${f(e.accuracy)}   majority baseline ${f(e.majorityAccuracy)} (class ${e.majorityClass})   AUC ${f(e.auc, 3)}   log loss ${f(e.logLoss)}`,
    `  confidence >= ${e.confident.threshold}: ${e.confident.signals} signals (${f(e.confident.coverage * 100, 1)}% of rows), precision ${f(e.confident.precision)}`,
  ];
  lines.push(`  verdict: ${e.verdict}`);
  return lines.join('\n');
}
