/**
 * The design's named packages against what replaced them (docs/stack.md), measured side by side in one run:
 *  - ml-random-forest 2.1.0 vs lib/ml/forest (same rows, trees of depth 10, sqrt features), when installed
 *    (`npm i --no-save ml-random-forest@2.1.0`; it is not a dependency);
 *  - nodejs-polars (in place of danfojs-node, which does not install here) vs lib/indicators for a rolling
 *    mean over 1,000,000 points;
 *  - the MLP on tfjs-core + the wasm backend (tfjs-node cannot install here): fit time per epoch.
 * technicalindicators is compared in bench/indicators.ts.
 */
import { syntheticMarket } from '../lib/data/synthetic.js';
import { buildDataset } from '../lib/ml/dataset.js';
import { RandomForestClassifier } from '../lib/ml/forest.js';
import { sliceRows, type Matrix } from '../lib/ml/matrix.js';
import { MlpClassifier } from '../lib/ml/mlp.js';
import { Rng } from '../lib/core/rng.js';
import { sma } from '../lib/indicators/index.js';
import { median, time } from './util.js';

interface MlRf {
  train(X: number[][], y: number[]): void;
  predict(X: number[][]): number[];
}

const rowsOf = (m: Matrix): number[][] => Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
const accuracy = (p: ArrayLike<number>, y: ArrayLike<number>) => Array.from(p).reduce((k, v, i) => k + (v === y[i] ? 1 : 0), 0) / y.length;

export async function run(): Promise<void> {
  console.log('\n## Replaced design packages (docs/stack.md)');
  const [s] = syntheticMarket({ symbols: ['SYNA'], start: '2012-01-01', end: '2018-01-01', seed: 42 });
  const d = buildDataset([s]);
  const nTrain = 1000;
  const nTest = Math.min(400, d.X.rows - nTrain);
  const Xtr = sliceRows(d.X, 0, nTrain);
  const Xte = sliceRows(d.X, nTrain, nTrain + nTest);
  const ytr = d.y.subarray(0, nTrain);
  const yte = d.y.subarray(nTrain, nTrain + nTest);
  const ones = Array.from(yte).reduce((k, v) => k + v, 0);
  const majority = Math.max(ones, nTest - ones) / nTest;
  console.log(`Random Forest, synthetic SYNA, 13 default features, ${nTrain} train / ${nTest} test rows, depth 10, sqrt(13) features per split (majority class: ${majority.toFixed(3)}):`);
  const ours = new RandomForestClassifier({ nEstimators: 100, maxDepth: 10, maxFeatures: 'sqrt', seed: 1 });
  const oursMs = median([0, 1, 2].map(() => time(() => ours.fit(Xtr, ytr))));
  console.log(`  lib/ml/forest, 100 trees: fit ${oursMs.toFixed(0)} ms (${(oursMs / 100).toFixed(2)} ms/tree), test accuracy ${accuracy(ours.predict(Xte), yte).toFixed(3)}`);
  let MlForest: (new (o: object) => MlRf) | null = null;
  try {
    MlForest = ((await import('ml-random-forest' as string)) as { RandomForestClassifier: new (o: object) => MlRf }).RandomForestClassifier;
  } catch {
    console.log('  ml-random-forest: not installed (npm i --no-save ml-random-forest@2.1.0 to compare)');
  }
  if (MlForest) {
    const trees = 10;
    const rf = new MlForest({ nEstimators: trees, maxFeatures: Math.round(Math.sqrt(d.X.cols)), replacement: true, seed: 1, noOOB: true, treeOptions: { maxDepth: 10 } });
    const X = rowsOf(Xtr);
    const ms = time(() => rf.train(X, Array.from(ytr)));
    const acc = accuracy(rf.predict(rowsOf(Xte)), yte);
    console.log(`  ml-random-forest 2.1.0, ${trees} trees: fit ${ms.toFixed(0)} ms (${(ms / trees).toFixed(1)} ms/tree, ${(ms / trees / (oursMs / 100)).toFixed(0)}x ours per tree), test accuracy ${acc.toFixed(3)}`);
  }

  const N = 1_000_000;
  const rng = new Rng(3);
  const x = new Float64Array(N);
  let p = 100;
  for (let i = 0; i < N; i++) x[i] = p *= Math.exp(rng.normal() * 0.01);
  const oursSma = median([0, 1, 2, 3, 4].map(() => time(() => sma(x, 20))));
  const { toDataFrame } = await import('../lib/data/polars.js');
  void toDataFrame; // loads nodejs-polars the way lib/data does
  const pl = (await import('nodejs-polars')).default;
  const series = pl.Series('x', x);
  const polarsMs = median([0, 1, 2, 3, 4].map(() => time(() => series.rollingMean(20))));
  console.log(`Rolling mean (20) over ${N.toLocaleString('en-US')} points: lib/indicators sma ${oursSma.toFixed(1)} ms, nodejs-polars rollingMean ${polarsMs.toFixed(1)} ms`);

  const mlp = new MlpClassifier({ hidden: [32, 16], epochs: 10, seed: 1 });
  const mlpMs = (await (async () => {
    const t0 = performance.now();
    await mlp.fit(Xtr, ytr);
    return performance.now() - t0;
  })());
  console.log(`MLP 32-16 on tfjs-core + wasm, ${nTrain} rows, 10 epochs (first fit, incl. backend start): ${mlpMs.toFixed(0)} ms (${(mlpMs / 10).toFixed(0)} ms/epoch)`);
  mlp.dispose();
}

if (process.argv[1]?.endsWith('stack.ts')) void run();
