import { describe, expect, it } from 'vitest';
import { chronologicalSplit, timeAxis } from '../../lib/ml/splits.js';
import { walkForward, walkForwardFolds } from '../../lib/ml/walkforward.js';
import { reliabilityTable, thresholdStats, confidentLongs } from '../../lib/ml/calibration.js';
import { evaluate, rocAuc } from '../../lib/ml/evaluate.js';
import { matrixFromRows } from '../../lib/ml/matrix.js';
import type { BinaryClassifier } from '../../lib/ml/model.js';
import type { Matrix } from '../../lib/ml/matrix.js';

describe('chronological split', () => {
  it('80/20 on the time axis with a purge gap, several symbols per time', () => {
    // 10 distinct times, 2 rows (symbols) each
    const time = Array.from({ length: 20 }, (_, i) => Math.floor(i / 2) * 1000);
    const s = chronologicalSplit(time, { testFraction: 0.2, purge: 1 });
    expect(Array.from(s.test)).toEqual([16, 17, 18, 19]); // times 8, 9
    expect(Array.from(s.train)).toEqual([...Array(14).keys()]); // times 0..6; time 7 purged
    expect(s.trainWindow).toEqual([0, 6000]);
    expect(s.testWindow).toEqual([8000, 9000]);
    const noPurge = chronologicalSplit(time, { purge: 0 });
    expect(noPurge.train.length).toBe(16);
    expect(() => chronologicalSplit(time, { testFraction: 1.5 })).toThrow(/split.testFraction/);
  });
  it('every training time precedes every test time', () => {
    const time = [5, 1, 3, 2, 4, 9, 8, 7, 6, 10];
    const s = chronologicalSplit(time, { purge: 2 });
    const maxTrain = Math.max(...Array.from(s.train, (i) => time[i]));
    const minTest = Math.min(...Array.from(s.test, (i) => time[i]));
    expect(maxTrain).toBeLessThan(minTest - 2);
    expect(Array.from(timeAxis(time).times)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

/** Predicts the mean label of its training rows: lets tests see exactly which rows each fold trained on. */
class MeanModel implements BinaryClassifier {
  readonly kind = 'rf' as const;
  static fits: Array<{ rows: number; firstX: number; lastX: number }> = [];
  private mean = NaN;
  fit(X: Matrix, y: ArrayLike<number>): void {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    this.mean = s / y.length;
    MeanModel.fits.push({ rows: X.rows, firstX: X.data[0], lastX: X.data[(X.rows - 1) * X.cols] });
  }
  predictPositive(X: Matrix): Float64Array {
    return new Float64Array(X.rows).fill(this.mean);
  }
}

describe('walk-forward', () => {
  it('plans rolling and expanding folds with the purge gap', () => {
    expect(walkForwardFolds(10, { trainBars: 4, retrainEvery: 3, purge: 1 })).toEqual([
      { trainStart: 0, trainEnd: 4, testStart: 5, testEnd: 8 },
      { trainStart: 3, trainEnd: 7, testStart: 8, testEnd: 10 },
    ]);
    expect(walkForwardFolds(10, { trainBars: 4, retrainEvery: 3, purge: 1, window: 'expanding' })[1].trainStart).toBe(0);
    expect(() => walkForwardFolds(10, { trainBars: 0, retrainEvery: 3 })).toThrow(/trainBars/);
  });

  it('gives NaN before the first window and out-of-sample probabilities after, never training on the future', async () => {
    const n = 12;
    const X = matrixFromRows(Array.from({ length: n }, (_, i) => [i]));
    const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const time = Array.from({ length: n }, (_, i) => i * 10);
    MeanModel.fits = [];
    const r = await walkForward(X, y, time, () => new MeanModel(), { trainBars: 6, retrainEvery: 2, purge: 1 });
    expect(Array.from(r.prob.slice(0, 7)).every(Number.isNaN)).toBe(true);
    expect(r.firstPredictedTime).toBe(70);
    // fold 1 trains on rows 0..5 (mean of 1,0,0,1,0,0 = 1/3) and predicts rows 7, 8
    expect(r.prob[7]).toBeCloseTo(1 / 3, 15);
    expect(MeanModel.fits[0]).toEqual({ rows: 6, firstX: 0, lastX: 5 });
    for (let f = 0; f < r.folds.length; f++) {
      expect(MeanModel.fits[f].lastX).toBeLessThan(r.folds[f].testStart - 1 + 1e-9);
    }
    expect(r.folds.map((f) => f.testStart)).toEqual([7, 9, 11]);
  });
});

describe('calibration and evaluation', () => {
  it('reliability table by hand', () => {
    const prob = [0.05, 0.15, 0.15, 0.85, 0.95, NaN];
    const y = [0, 0, 1, 1, 1, 0];
    const r = reliabilityTable(prob, y, 10);
    expect(r.count).toBe(5);
    expect(r.bins[1]).toMatchObject({ count: 2, observed: 0.5 });
    expect(r.bins[1].meanPredicted).toBeCloseTo(0.15, 15);
    const brier = (0.05 ** 2 + 0.15 ** 2 + 0.85 ** 2 + 0.15 ** 2 + 0.05 ** 2) / 5;
    expect(r.brier).toBeCloseTo(brier, 15);
    expect(r.ece).toBeCloseTo((1 * 0.05 + 2 * 0.35 + 1 * 0.15 + 1 * 0.05) / 5, 15);
  });
  it('confidence threshold', () => {
    expect(Array.from(confidentLongs([0.59, 0.6, 0.9, NaN], 0.6))).toEqual([0, 1, 1, 0]);
    expect(thresholdStats([0.59, 0.6, 0.9, NaN], [1, 0, 1, 1], 0.6)).toEqual({ threshold: 0.6, signals: 2, coverage: 2 / 3, precision: 0.5 });
    expect(() => confidentLongs([0.5], 0.4)).toThrow(/confidence_threshold/);
  });
  it('AUC by hand and ties', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 15);
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
  });
  it('says plainly when the model does not beat the base rate or buy-and-hold', () => {
    const y = [0, 0, 0, 1];
    const e = evaluate([0.4, 0.4, 0.6, 0.4], y, { forwardReturn: [0.01, -0.01, 0.01, 0.02], threshold: 0.6 });
    expect(e.majorityAccuracy).toBe(0.75);
    expect(e.accuracy).toBe(0.5);
    expect(e.beatsBaseRate).toBe(false);
    expect(e.verdict).toMatch(/does NOT beat the base rate/);
    expect(e.buyHoldReturn).toBeCloseTo(1.01 * 0.99 * 1.01 * 1.02 - 1, 14);
    expect(e.strategyReturn).toBeCloseTo(0.01, 14);
    expect(e.verdict).not.toMatch(/returned|buy-and-hold/); // no frictionless return figures in the verdict
    // Above 0.5 but below always predicting 0 (base rate 4/5): not beating the base rate.
    const above = evaluate([0.4, 0.4, 0.4, 0.6, 0.6], [0, 0, 0, 0, 1]);
    expect(above.accuracy).toBe(0.8);
    expect(above.majorityAccuracy).toBe(0.8);
    expect(above.beatsBaseRate).toBe(false);
    const good = evaluate([0.1, 0.1, 0.1, 0.9], y);
    expect(good.accuracy).toBe(1);
    expect(good.verdict).toMatch(/beats the base rate 75.0%/);
  });
});
