import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeData, parseConfig } from '../../lib/config/index.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { evaluationFromConfig, readMetadata, saveTrainResult, trainModel } from '../../lib/ml/index.js';
import { timeAxis } from '../../lib/ml/splits.js';
import { loadMlStrategy, probabilityTable, promoteOptionsFromConfig, promoteTrainResult } from '../../lib/strategy/ml/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'ml-promotion-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const market = syntheticMarket({ symbols: ['SYNA', 'SYNB'], seed: 5, start: '2017-01-01', end: '2021-01-01' });
const rf = { nEstimators: 10, maxDepth: 5 };

describe('promotion: evaluation procedure, engine backtest with costs, gate in the registry', () => {
  it('retrain_every 0 means a holdout (never retrained), not a walk-forward every 21 bars', () => {
    expect(evaluationFromConfig({ lookback: 300, retrain_every: 0 })).toEqual({ testFraction: expect.closeTo(0.2, 12) });
    expect(evaluationFromConfig({ lookback: 300, retrain_every: 5 }).walkForward).toEqual({ trainBars: 300, retrainEvery: 5, window: 'rolling', modelCutoff: 0.8 });
  });

  it('walk-forward modelCutoff: the saved model ends purge bars before the cut-off, out-of-sample predictions run to the end', async () => {
    const r = await trainModel(market, { model: 'rf', rf, seed: 1, silent: true, label: { horizon: 2 }, walkForward: { trainBars: 200, retrainEvery: 50, modelCutoff: 0.8 } });
    const { times } = timeAxis(r.dataset.time);
    const lastTrain = times.indexOf(r.dataset.time[r.trainRows[r.trainRows.length - 1]]);
    expect(lastTrain).toBe(Math.floor(times.length * 0.8) - 2 - 1);
    const firstTrain = times.indexOf(r.dataset.time[r.trainRows[0]]);
    expect(lastTrain - firstTrain + 1).toBe(200);
  });

  it('backtests the out-of-sample probabilities with costs, gates them, and records the verdict, data and calibration', async () => {
    const config = parseConfig({ data: { symbols: ['SYNA', 'SYNB'] }, broker: { commission: { per_share: 0.005, minimum: 1 } } });
    const r = await trainModel(market, { model: 'rf', rf, seed: 1, silent: true });
    const table = probabilityTable(r.dataset, r.oosProb);
    expect([...table.get('SYNA')!.keys()].length).toBe(Array.from(r.split!.test).filter((i) => r.dataset.symbolIndex[i] === 0).length);
    const p = promoteTrainResult(r, market, promoteOptionsFromConfig(config));
    expect(p.gate.statistics.rows).toBe(r.evaluation.n);
    expect(p.gate.statistics.baseRate).toBeCloseTo(r.evaluation.majorityAccuracy, 14);
    expect(p.gate.evaluatedOn).toMatch(/^holdout test block \d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/);
    // The backtest's returns start at the first out-of-sample bar; fees are charged (costs on).
    expect(p.backtest.summary.from).toBe(new Date(r.split!.testWindow[0]).toISOString().slice(0, 10));
    if (p.backtest.summary.trades > 0) expect(Number(p.backtest.summary.fees)).toBeGreaterThan(0);
    const dir = join(tmp, 'm');
    const data = describeData(config.data);
    await saveTrainResult(dir, r, { gate: p.gate, backtest: p.backtest.summary, data: { ...data } });
    const meta = readMetadata(dir);
    expect(meta.gate?.verdict.promotable).toBe(p.gate.verdict.promotable);
    expect(meta.gate?.verdict.reasons).toEqual(p.gate.verdict.reasons);
    expect((meta.extra?.data as { summary: string }).summary).toMatch(/PLANTED EFFECT: .* \+2\.50%/);
    expect(Array.isArray(meta.metrics.calibration)).toBe(true);
    expect(meta.metrics).not.toHaveProperty('confidentLongReturn'); // no frictionless return figure
    expect(meta.trainingWindow.endTime).toBe(new Date(r.dataset.time[r.trainRows[r.trainRows.length - 1]]).toISOString());
    // The runner's load refuses it exactly when the gate does.
    const strict = { accuracyLevel: 0.05, aucLevel: 0.05, minDeflatedSharpe: 0.95, minAccuracy: 0.99, minRows: 100 };
    await expect(loadMlStrategy(dir, { requirePromotable: strict })).rejects.toThrow(/promotion gate refuses this model: .*min-accuracy/);
  });

  it('a market without a planted effect is described as such', () => {
    expect(describeData(parseConfig({ data: { synthetic: { seed: 3, oversold_bounce: 0 } } }).data).summary).toMatch(/no planted effect \(oversold_bounce 0\)/);
    expect(describeData(parseConfig({ data: { provider: 'csv' } }).data).synthetic).toBeUndefined();
  });
});

describe('the model section of a report', () => {
  it('states the verdict, base rate, AUC, calibration, data and whether the headline lies in the null range', async () => {
    const { modelReportSection } = await import('../../lib/strategy/ml/index.js');
    const { renderReport } = await import('../../lib/report/index.js');
    const { promotionGate, evaluate } = await import('../../lib/ml/index.js');
    const prob = [0.7, 0.7, 0.3, 0.3, 0.7, 0.3, 0.3, 0.3];
    const y = [1, 0, 0, 0, 1, 0, 1, 0];
    const g = promotionGate({ prob, y, backtest: { returns: [0.01, -0.005, 0.002, 0.004], periodsPerYear: 252 } });
    const section = modelReportSection({
      gate: { ...g, evaluatedOn: 'test block 2020-01-01..2020-12-31' },
      evaluation: evaluate(prob, y),
      data: describeData(parseConfig({}).data),
      nullRange: { metric: 'Sharpe', values: [-0.5, 0.9], markets: '2 null markets' },
      headline: 0.8,
    });
    expect(section.lead).toMatch(/^Verdict: NOT PROMOTABLE: rows: 8 out-of-sample rows/);
    const rows = Object.fromEntries(section.rows);
    expect(rows['Accuracy vs base rate']).toMatch(/^75\.0% vs 62\.5% \(always '0'\)/);
    expect(rows['Null-market range: Sharpe']).toMatch(/-0\.50 \.\. 0\.90 on 2 null markets; this run 0\.80 is INSIDE the range/);
    expect(rows.Data).toMatch(/PLANTED EFFECT/);
    expect(section.table!.rows.map((r) => r[0])).toEqual(['0.3-0.4', '0.7-0.8']);
    const t = [Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)];
    const html = renderReport({ equity: { time: Float64Array.from(t), equity: Float64Array.from([100, 101, 102]) }, trades: [], sections: [section] });
    expect(html).toContain('<h2>Model and promotion gate</h2>');
    expect(html).toContain('INSIDE the range');
  });
});
