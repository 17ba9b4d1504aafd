/**
 * Is a predicted probability of 0.7 right 70% of the time? A reliability table bins the out-of-sample
 * probabilities and compares each bin's mean prediction with the observed frequency of the positive class;
 * the Brier score summarises it. The confidence threshold turns probabilities into trade signals.
 */
import { ValidationError } from '../core/errors.js';

export const DEFAULT_CONFIDENCE_THRESHOLD = 0.6;

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Observed frequency of class 1 in the bin (NaN when empty). */
  observed: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
  count: number;
  /** Mean squared error of the probability against the 0/1 outcome (lower is better; 0.25 = coin flip). */
  brier: number;
  /** Expected calibration error: count-weighted mean |observed - predicted| over bins. */
  ece: number;
}

/** Rows whose probability is NaN (no prediction yet) are skipped. */
export function reliabilityTable(prob: ArrayLike<number>, y: ArrayLike<number>, nBins = 10): Reliability {
  if (prob.length !== y.length) throw new ValidationError('y', `has ${y.length} labels for ${prob.length} probabilities`);
  if (!Number.isInteger(nBins) || nBins < 1) throw new ValidationError('nBins', 'is not an integer >= 1', nBins);
  const cnt = new Float64Array(nBins);
  const sp = new Float64Array(nBins);
  const sy = new Float64Array(nBins);
  let n = 0;
  let brier = 0;
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    if (Number.isNaN(p)) continue;
    const b = Math.min(nBins - 1, Math.max(0, Math.floor(p * nBins)));
    cnt[b]++;
    sp[b] += p;
    sy[b] += y[i];
    brier += (p - y[i]) ** 2;
    n++;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < nBins; b++) {
    const meanPredicted = cnt[b] ? sp[b] / cnt[b] : NaN;
    const observed = cnt[b] ? sy[b] / cnt[b] : NaN;
    if (cnt[b]) ece += (cnt[b] / n) * Math.abs(observed - meanPredicted);
    bins.push({ lo: b / nBins, hi: (b + 1) / nBins, count: cnt[b], meanPredicted, observed });
  }
  return { bins, count: n, brier: n ? brier / n : NaN, ece: n ? ece : NaN };
}

export function formatReliability(r: Reliability): string {
  const lines = ['  bin          n   predicted  observed'];
  for (const b of r.bins) {
    if (!b.count) continue;
    lines.push(`  ${b.lo.toFixed(1)}-${b.hi.toFixed(1)}  ${String(b.count).padStart(6)}   ${b.meanPredicted.toFixed(3)}      ${b.observed.toFixed(3)}`);
  }
  lines.push(`  Brier ${r.brier.toFixed(4)}  ECE ${r.ece.toFixed(4)}  (n=${r.count})`);
  return lines.join('\n');
}

export function checkThreshold(threshold: number): number {
  if (!(threshold >= 0.5 && threshold <= 1)) throw new ValidationError('strategy.ml.confidence_threshold', 'is not in [0.5, 1]', threshold);
  return threshold;
}

/** 1 where the probability of the up class reaches the threshold, else 0 (NaN = no prediction = 0). */
export function confidentLongs(prob: ArrayLike<number>, threshold = DEFAULT_CONFIDENCE_THRESHOLD): Uint8Array {
  checkThreshold(threshold);
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = prob[i] >= threshold ? 1 : 0;
  return out;
}

export interface ThresholdStats {
  threshold: number;
  /** Rows with a confident prediction. */
  signals: number;
  /** Fraction of predicted rows that are confident. */
  coverage: number;
  /** Fraction of confident rows whose label is 1 (NaN when none). */
  precision: number;
}

export function thresholdStats(prob: ArrayLike<number>, y: ArrayLike<number>, threshold = DEFAULT_CONFIDENCE_THRESHOLD): ThresholdStats {
  checkThreshold(threshold);
  let n = 0;
  let s = 0;
  let hit = 0;
  for (let i = 0; i < prob.length; i++) {
    if (Number.isNaN(prob[i])) continue;
    n++;
    if (prob[i] >= threshold) {
      s++;
      hit += y[i];
    }
  }
  return { threshold, signals: s, coverage: n ? s / n : NaN, precision: s ? hit / s : NaN };
}
