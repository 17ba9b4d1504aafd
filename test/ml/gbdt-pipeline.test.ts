import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { DEFAULT_FEATURES } from '../../lib/features/index.js';
import { trainModel, saveTrainResult } from '../../lib/ml/train.js';
import { loadModel, readMetadata, LIGHTGBM_FILE } from '../../lib/ml/registry.js';
import { importLightGbm } from '../../lib/ml/import-lightgbm.js';
import { GbdtClassifier } from '../../lib/ml/gbdt.js';
import { buildDataset } from '../../lib/ml/dataset.js';
import { walkForward } from '../../lib/ml/walkforward.js';
import type { ModelFitOptions } from '../../lib/ml/model.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import { makeMatrix } from '../../lib/ml/matrix.js';
import { loadMlStrategy, MlStrategy, parseDrivers } from '../../lib/strategy/ml/index.js';
import { topContributions } from '../../lib/ml/tree-shap.js';
import { runBacktest } from '../../lib/engine/index.js';
import { parseConfig } from '../../lib/config/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'gbdt-pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const market = syntheticMarket({ symbols: ['SYNA', 'SYNB'], seed: 7, start: '2018-01-01', end: '2021-01-01' });
// no early stopping here: on 3 years of 2 symbols the held-out tail is too short to keep many trees
const gbdt = { nEstimators: 40, numLeaves: 8, earlyStoppingRounds: 0 };

describe('gbdt through training, the registry and the ML strategy', () => {
  it('config.yaml accepts model_type gbdt and refuses unknown types naming the field', () => {
    expect(parseConfig({ strategy: { ml: { model_type: 'gbdt' } } }).strategy.ml.model_type).toBe('gbdt');
    expect(() => parseConfig({ strategy: { ml: { model_type: 'xgb' } } })).toThrow(/model_type/);
  });

  it('holdout: writes gbdt.json byte-identically, loads it, and live signals name their drivers (sum = log-odds)', async () => {
    const r1 = await trainModel(market, { model: 'gbdt', gbdt, seed: 3, silent: true, threshold: 0.55 });
    const r2 = await trainModel(market, { model: 'gbdt', gbdt, seed: 3, silent: true, threshold: 0.55 });
    await saveTrainResult(join(tmp, 'a'), r1);
    await saveTrainResult(join(tmp, 'b'), r2);
    expect(readFileSync(join(tmp, 'a', 'gbdt.json'), 'utf8')).toBe(readFileSync(join(tmp, 'b', 'gbdt.json'), 'utf8'));
    const meta = readMetadata(join(tmp, 'a'));
    expect(meta.modelType).toBe('gbdt');
    expect(meta.modelFiles).toEqual(['gbdt.json']);
    const model = r1.model as GbdtClassifier;
    // with early stopping on, the held-out block is the tail of the training window, never the test rows
    const es = (await trainModel(market, { model: 'gbdt', gbdt: { ...gbdt, earlyStoppingRounds: 5 }, seed: 3, silent: true })).model as GbdtClassifier;
    expect(es.earlyStopping!.validationRows).toBeGreaterThan(0);
    expect(es.earlyStopping!.validationRows).toBeLessThan(0.2 * r1.trainRows.length);
    const { model: loaded } = await loadModel(join(tmp, 'a'));
    const X = r1.dataset.X;
    expect(Array.from(loaded.predictPositive(X))).toEqual(Array.from(model.predictPositive(X)));

    const { strategy } = await loadMlStrategy(join(tmp, 'a'), { threshold: 0.55, regime: null, allowInSample: true, probabilities: 'live' });
    const res = runBacktest({ series: market, strategy });
    const entries = strategy.signalLog.filter((s) => s.direction === 'long');
    expect(res.trades.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThan(0);
    for (const s of entries) {
      expect(s.reason).toMatch(/; drivers: [a-z_0-9]+ [+-]\d\.\d{3}.*\(log-odds\)/);
      expect(s.drivers.length).toBeGreaterThan(0);
    }
  });

  it("a signal's drivers are that bar's largest TreeSHAP contributions (which sum to the log-odds)", async () => {
    const r = await trainModel(market, { model: 'gbdt', gbdt, seed: 3, silent: true });
    const model = r.model as GbdtClassifier;
    const strategy = new MlStrategy({ model, features: DEFAULT_FEATURES, threshold: 0.5, regime: null });
    runBacktest({ series: market, strategy });
    const d = r.dataset;
    let checked = 0;
    for (const sig of strategy.signalLog.slice(0, 20)) {
      const i = Array.from(d.time.keys()).find((k) => d.time[k] === sig.time && d.symbols[d.symbolIndex[k]] === sig.symbol);
      if (i === undefined) continue; // the last bar has no label, so no dataset row
      const row = makeMatrix(1, 13, Float64Array.from(d.X.data.subarray(i * 13, i * 13 + 13)));
      const e = model.explain(row);
      expect(e.contributions.reduce((a, b) => a + b, e.expected)).toBeCloseTo(model.predictRaw(row)[0], 9);
      expect(1 / (1 + Math.exp(-e.raw[0]))).toBeCloseTo(sig.probability, 12);
      const want = topContributions(e, 0, DEFAULT_FEATURES, 3, 5e-4);
      expect(sig.drivers).toEqual(want);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
    expect(parseDrivers('rsi_14 +0.080, volume_ratio -0.031 (log-odds)')).toEqual([
      { feature: 'rsi_14', contribution: 0.08 },
      { feature: 'volume_ratio', contribution: -0.031 },
    ]);
  });

  it('walk-forward hands each fold model its rows\' bar times and the purge, so GBDT early stopping holds out by time', async () => {
    const d = buildDataset(market);
    const seen: Array<{ rows: number; time: number[]; purge?: number }> = [];
    const factory = () => {
      const m = new GbdtClassifier({ nEstimators: 5, earlyStoppingRounds: 2 });
      return {
        kind: m.kind,
        predictPositive: (X: Matrix) => m.predictPositive(X),
        fit: (X: Matrix, y: ArrayLike<number>, o?: ModelFitOptions) => {
          seen.push({ rows: X.rows, time: Array.from(o?.time ?? []), purge: o?.purge });
          return m.fit(X, y, o);
        },
      };
    };
    await walkForward(d.X, d.y, d.time, factory, { trainBars: 250, retrainEvery: 200, purge: 2 });
    expect(seen.length).toBeGreaterThan(1);
    for (const f of seen) {
      expect(f.time.length).toBe(f.rows);
      expect(f.purge).toBe(2);
      for (let k = 1; k < f.time.length; k++) expect(f.time[k]).toBeGreaterThanOrEqual(f.time[k - 1]);
    }
  });

  it('walk-forward: predictions.csv carries each confident row\'s drivers from its own fold model, and replayed signals show them', async () => {
    const r = await trainModel(market, { model: 'gbdt', gbdt, seed: 1, silent: true, threshold: 0.55, walkForward: { trainBars: 250, retrainEvery: 60 } });
    expect(r.drivers).toBeDefined();
    const dir = join(tmp, 'wf');
    await saveTrainResult(dir, r, { threshold: 0.55 });
    const csv = readFileSync(join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('time,symbol,prob,drivers');
    const confident = csv.slice(1).filter((l) => Number(l.split(',')[2]) >= 0.55);
    expect(confident.length).toBeGreaterThan(0);
    for (const l of confident) expect(l).toMatch(/,"[a-z_0-9]+ [+-]\d\.\d{3}.*\(log-odds\)"$/);
    const { strategy } = await loadMlStrategy(dir, { threshold: 0.55, regime: null });
    const res = runBacktest({ series: market, strategy });
    const entries = strategy.signalLog.filter((s) => s.direction === 'long');
    expect(res.trades.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThan(0);
    for (const s of entries) expect(s.reason).toMatch(/drivers: /);
  });

  it('a LightGBM model trained in Python is imported (evaluated from --from on), loads from the registry and trades', async () => {
    // the committed LightGBM fixture takes 6 columns; name them as 6 of our features
    const names = DEFAULT_FEATURES.slice(0, 6);
    const fixture = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lightgbm', 'model-nan.txt'), 'utf8');
    const text = fixture.replace(/^feature_names=.*$/m, `feature_names=${names.join(' ')}`);
    const dir = join(tmp, 'lgb');
    const { metadata, evaluation } = await importLightGbm(dir, text, market, { from: '2019-06-03', threshold: 0.55, file: 'model.txt' });
    expect(metadata.modelType).toBe('lightgbm');
    expect(metadata.trainingWindow.end).toBe('2019-06-02');
    expect(readFileSync(join(dir, LIGHTGBM_FILE), 'utf8')).toBe(text); // kept byte for byte
    expect(evaluation.n).toBeGreaterThan(0);
    const csv = readFileSync(join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(csv.slice(1).every((l) => l >= '2019-06-03')).toBe(true);
    const { model } = await loadModel(dir);
    expect(model.kind).toBe('lightgbm');
    const { strategy } = await loadMlStrategy(dir, { threshold: 0.5, regime: null });
    const res = runBacktest({ series: market, strategy });
    expect(res.trades.length + res.openPositions.length).toBeGreaterThan(0);
    expect(strategy.signalLog.every((s) => s.time >= Date.parse('2019-06-03'))).toBe(true);
    expect(strategy.signalLog.some((s) => /drivers: .*\(log-odds\)/.test(s.reason))).toBe(true);
    // feature names must be this library's features, and the file must match metadata.json
    await expect(importLightGbm(join(tmp, 'bad'), fixture, market, { from: '2019-06-03' })).rejects.toThrow(/feature_names\[0\].*is not a feature/);
    await expect(importLightGbm(join(tmp, 'bad'), text, market, { from: 'soon' })).rejects.toThrow(/from.*not a date/);
    await expect(importLightGbm(join(tmp, 'bad'), text, market, { from: '2030-01-01' })).rejects.toThrow(/leaves no rows/);
    writeFileSync(join(dir, LIGHTGBM_FILE), fixture);
    await expect(loadModel(dir)).rejects.toThrow(/feature_names/);
  });

  it('npm run import-lightgbm registers the model from the command line and refuses what it cannot use', () => {
    const names = DEFAULT_FEATURES.slice(0, 6);
    const file = join(tmp, 'cli-model.txt');
    writeFileSync(file, readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lightgbm', 'model-nan.txt'), 'utf8').replace(/^feature_names=.*$/m, `feature_names=${names.join(' ')}`));
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-lightgbm.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
    const out = join(tmp, 'cli-out');
    const ok = run('--model', file, '--from', '2020-01-02', '--out', out, '--threshold', '0.55');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/wrote .*cli-out/);
    const meta = readMetadata(out);
    expect(meta.modelType).toBe('lightgbm');
    expect(meta.metrics.confidenceThreshold).toBe(0.55);
    expect(run('--model', file, '--out', out).stderr).toMatch(/--from is required/);
    expect(run('--help').stdout).toMatch(/usage: npm run import-lightgbm/);
  });
});
