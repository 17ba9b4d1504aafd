import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { buildDataset } from '../../lib/ml/dataset.js';
import { featureMatrix, DEFAULT_FEATURES } from '../../lib/features/index.js';
import { trainModel, saveTrainResult } from '../../lib/ml/train.js';
import { loadModel, readMetadata, dataHash, featureMismatch } from '../../lib/ml/registry.js';
import { MlStrategy, loadMlStrategy, loadMlStrategyFromConfig, type MlSignal } from '../../lib/strategy/ml/index.js';
import { parseConfig } from '../../lib/config/index.js';
import { runBacktest } from '../../lib/engine/index.js';
import { sliceSeries } from '../../lib/core/bars.js';
import type { Intent } from '../../lib/strategy/types.js';
import type { StrategyContext } from '../../lib/strategy/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'ml-pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const market = syntheticMarket({ symbols: ['SYNA', 'SYNB'], seed: 7, start: '2018-01-01', end: '2021-01-01' });
const rf = { nEstimators: 15, maxDepth: 6 };

describe('dataset', () => {
  it('rows are complete feature vectors with next-bar labels, ordered by time', () => {
    const d = buildDataset(market, { label: { horizon: 1, threshold: 0.005 } });
    expect(d.features).toEqual(DEFAULT_FEATURES);
    for (let k = 1; k < d.time.length; k++) expect(d.time[k]).toBeGreaterThanOrEqual(d.time[k - 1]);
    const k = 100;
    const s = market[d.symbolIndex[k]];
    const i = d.barIndex[k];
    const m = featureMatrix(s);
    expect(Array.from(d.X.data.subarray(k * 13, k * 13 + 13))).toEqual(Array.from(m.data.subarray(i * 13, i * 13 + 13)));
    expect(d.forwardReturn[k]).toBeCloseTo(s.close[i + 1] / s.close[i] - 1, 15);
    expect(d.y[k]).toBe(d.forwardReturn[k] > 0.005 ? 1 : 0);
    // the last bar of each symbol has no label yet
    expect(d.X.rows).toBeLessThan(market[0].length * 2);
  });
});

describe('training, registry and the ML strategy', () => {
  it('trains, evaluates against baselines, and writes byte-identical model files for the same data and seed', async () => {
    const a = await trainModel(market, { model: 'rf', rf, seed: 3, silent: true });
    const b = await trainModel(market, { model: 'rf', rf, seed: 3, silent: true });
    expect(a.evaluation.n).toBeGreaterThan(200);
    expect(a.evaluation.majorityAccuracy).toBeGreaterThanOrEqual(0.5);
    expect(a.evaluation.buyHoldReturn).not.toBeNull();
    expect(a.evaluation.verdict).toMatch(/base rate/);
    await saveTrainResult(join(tmp, 'a'), a, { source: 'test' });
    await saveTrainResult(join(tmp, 'b'), b, { source: 'test' });
    expect(readFileSync(join(tmp, 'a', 'forest.json'), 'utf8')).toBe(readFileSync(join(tmp, 'b', 'forest.json'), 'utf8'));
    const meta = readMetadata(join(tmp, 'a'));
    expect(meta.modelType).toBe('rf');
    expect(meta.features.map((f) => f.name)).toEqual(DEFAULT_FEATURES);
    expect(meta.symbols).toEqual(['SYNA', 'SYNB']);
    expect(meta.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.seed).toBe(3);
    expect(meta.libraryVersion).toMatch(/@/);
    expect(meta.label).toMatchObject({ kind: 'next_return', horizon: 1, threshold: 0.005 });
    expect(meta.trainingWindow.end < String(meta.extra?.split && (meta.extra.split as { testWindow: string[] }).testWindow[0])).toBe(true);
    const { model } = await loadModel(join(tmp, 'a'));
    const d = a.dataset;
    const p = model.predictPositive(d.X);
    expect(Array.from(p)).toEqual(Array.from(a.model.predictPositive(d.X)));
    expect(dataHash(d.X, d.y)).toBe(dataHash(b.dataset.X, b.dataset.y));
  });

  it('refuses a model whose features differ, naming the difference', async () => {
    const dir = join(tmp, 'a');
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    meta.features[2].version = '0-deadbeef';
    meta.features[3].name = 'no_such_feature';
    writeFileSync(join(tmp, 'bad-meta.json'), JSON.stringify(meta));
    const problems = featureMismatch(meta);
    expect(problems.join('\n')).toMatch(/sma_5_ratio.*0-deadbeef/);
    expect(problems.join('\n')).toMatch(/no_such_feature" no longer exists/);
    await expect(loadModel(dir, { expectedFeatures: ['return_1d', 'rsi_14'] })).rejects.toThrow(/model uses features the running config does not: return_5d/);
  });

  it('the strategy emits long signals with probability, regime and feature values, only out of sample', async () => {
    const { strategy, metadata } = await loadMlStrategy(join(tmp, 'a'), { threshold: 0.5, regime: null });
    const notBefore = Date.parse(metadata.trainingWindow.end);
    const res = runBacktest({ series: market, strategy });
    expect(res.trades.length + res.openPositions.length).toBeGreaterThan(0);
    for (const t of res.trades) expect(t.entryTime).toBeGreaterThan(notBefore);
    // drive onBar directly to inspect a signal
    const s = new MlStrategy({ model: (await loadModel(join(tmp, 'a'))).model, features: DEFAULT_FEATURES, threshold: 0.5, regime: {} });
    const found: MlSignal[] = [];
    const qty = new Float64Array(2);
    const portfolio = { qtyAt: (i: number) => qty[i] } as unknown as StrategyContext['portfolio'];
    for (let i = 0; i < market[0].length && found.length === 0; i++) {
      const ctx: StrategyContext = { time: market[0].time[i], series: market, index: Int32Array.from([i, i]), updated: Uint8Array.from([1, 1]), portfolio };
      for (const intent of s.onBar(ctx)) found.push(intent as MlSignal);
    }
    expect(found.length).toBeGreaterThan(0);
    const sig = found[0];
    expect(sig.direction).toBe('long');
    expect(sig.probability).toBeGreaterThanOrEqual(0.5);
    expect(sig.regime?.trend).toBe('up');
    expect(sig.confidence).toBeCloseTo(sig.probability * sig.regime!.sizeMultiplier, 15);
    expect(Object.keys(sig.features)).toEqual([...DEFAULT_FEATURES]);
    expect(sig.reason).toMatch(/P\(up\)=/);
  });

  it('walk-forward training saves out-of-sample probabilities the strategy replays', async () => {
    const r = await trainModel(market, { model: 'rf', rf, seed: 1, silent: true, walkForward: { trainBars: 250, retrainEvery: 60 } });
    const first = r.walkForward!.firstPredictedTime;
    for (let i = 0; i < r.dataset.X.rows; i++) expect(Number.isNaN(r.oosProb[i])).toBe(r.dataset.time[i] < first);
    const dir = join(tmp, 'wf');
    await saveTrainResult(dir, r);
    const csv = readFileSync(join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('time,symbol,prob,drivers'); // the forest explains its confident predictions
    expect(csv.length - 1).toBe(Array.from(r.oosProb).filter((p) => !Number.isNaN(p)).length);
    const { strategy } = await loadMlStrategy(dir, { threshold: 0.5, regime: null });
    const res = runBacktest({ series: market, strategy });
    for (const t of res.trades) expect(t.entryTime).toBeGreaterThan(first);
  });

  it('makes the same decisions on a prefix of the data as on the full run (no look-ahead)', async () => {
    const { model } = await loadModel(join(tmp, 'a'));
    const decisions = (series: typeof market, upTo: number) => {
      const s = new MlStrategy({ model, features: DEFAULT_FEATURES, threshold: 0.5, regime: {} });
      const qty = new Float64Array(series.length);
      const portfolio = { qtyAt: (i: number) => qty[i] } as unknown as StrategyContext['portfolio'];
      const out: string[] = [];
      for (let i = 0; i < upTo; i++) {
        const ctx: StrategyContext = { time: series[0].time[i], series, index: Int32Array.from(series.map(() => i)), updated: Uint8Array.from(series.map(() => 1)), portfolio };
        for (const intent of s.onBar(ctx) as Intent[]) {
          const sig = intent as MlSignal;
          out.push(`${i} ${sig.symbol} ${sig.direction} ${sig.probability}`);
          const slot = series.findIndex((x) => x.symbol === sig.symbol);
          qty[slot] = sig.direction === 'long' ? 1 : 0;
        }
      }
      return out;
    };
    const k = 500;
    const full = decisions(market, k);
    const prefix = decisions(market.map((s) => sliceSeries(s, 0, k)), k);
    expect(full.length).toBeGreaterThan(0);
    expect(prefix).toEqual(full);
  });

  it('an MLP model round-trips through the registry and drives the strategy', async () => {
    const r = await trainModel(market, { model: 'mlp', mlp: { epochs: 3, hidden: [8] }, seed: 2, silent: true });
    const dir = join(tmp, 'mlp');
    await saveTrainResult(dir, r);
    const { model, metadata } = await loadModel(dir);
    expect(metadata.modelType).toBe('mlp');
    expect(metadata.modelFiles).toEqual(['model.json', 'weights.bin', 'preprocess.json']);
    expect(Array.from(model.predictPositive(r.dataset.X))).toEqual(Array.from(r.model.predictPositive(r.dataset.X)));
    const { strategy } = await loadMlStrategy(dir, { threshold: 0.5, regime: null, allowInSample: true });
    const res = runBacktest({ series: market.map((s) => sliceSeries(s, 0, 300)), strategy });
    expect(res.bars).toBe(600);
  });

  it('builds the strategy from config and enforces min_accuracy', async () => {
    const cfg = parseConfig({ strategy: { ml: { confidence_threshold: 0.55, min_accuracy: 0.3 }, regime_filter: { trend_sma: 100 } } }).strategy;
    const { strategy } = await loadMlStrategyFromConfig(cfg, join(tmp, 'a'));
    expect(strategy.threshold).toBe(0.55);
    expect(strategy.opts.regime).toMatchObject({ trendSma: 100 });
    const strict = parseConfig({ strategy: { ml: { min_accuracy: 0.99 } } }).strategy;
    await expect(loadMlStrategyFromConfig(strict, join(tmp, 'a'))).rejects.toThrow(/min_accuracy 0.99/);
  });
});
