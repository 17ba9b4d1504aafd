/**
 * A dense MLP classifier on tfjs (wasm backend). Inputs are standardised with the training mean/std,
 * weights start from seeded Glorot initialisers, and each epoch's batch order comes from a seeded shuffle,
 * so the same data and seed give the same weights. Saved as the standard tfjs `model.json` + `weights.bin`
 * (loadable by any tfjs) plus `preprocess.json` (scaler and parameters).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { ValidationError } from '../core/errors.js';
import { assertFinite, checkLabels, type Matrix } from './matrix.js';
import type { BinaryClassifier, ModelFitOptions } from './model.js';
import { ensureBackend, tfjs, type TfCore, type TfLayers } from './tf-backend.js';

export interface MlpParams {
  hidden: number[];
  dropout: number;
  learningRate: number;
  epochs: number;
  /** >= 256 keeps the single-threaded wasm backend efficient. */
  batchSize: number;
  l2: number;
  classWeight: 'balanced' | null;
  seed: number;
}

export const DEFAULT_MLP_PARAMS: Readonly<MlpParams> = {
  hidden: [32, 16],
  dropout: 0.1,
  learningRate: 0.001,
  epochs: 30,
  batchSize: 256,
  l2: 0.0001,
  classWeight: null,
  seed: 42,
};

export interface MlpPreprocess {
  type: 'mlp';
  format: 1;
  params: MlpParams;
  nFeatures: number;
  featureNames: string[] | null;
  mean: number[];
  std: number[];
}

function checkParams(p: MlpParams): void {
  if (!Array.isArray(p.hidden) || p.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new ValidationError('mlp.hidden', 'is not a list of integers >= 1', p.hidden);
  if (!(p.dropout >= 0 && p.dropout < 1)) throw new ValidationError('mlp.dropout', 'is not in [0, 1)', p.dropout);
  if (!(p.learningRate > 0)) throw new ValidationError('mlp.learningRate', 'must be > 0', p.learningRate);
  if (!Number.isInteger(p.epochs) || p.epochs < 1) throw new ValidationError('mlp.epochs', 'is not an integer >= 1', p.epochs);
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1) throw new ValidationError('mlp.batchSize', 'is not an integer >= 1', p.batchSize);
  if (!(p.l2 >= 0)) throw new ValidationError('mlp.l2', 'must be >= 0', p.l2);
}

export class MlpClassifier implements BinaryClassifier {
  readonly kind = 'mlp' as const;
  readonly params: MlpParams;
  private model: TfLayers.LayersModel | null = null;
  private mean: Float64Array = new Float64Array(0);
  private std: Float64Array = new Float64Array(0);
  private featureNames: string[] | null = null;
  /** Training loss per epoch from the last fit. */
  lossHistory: number[] = [];

  constructor(params: Partial<MlpParams> = {}) {
    this.params = { ...DEFAULT_MLP_PARAMS, ...params };
    checkParams(this.params);
  }

  get fitted(): boolean {
    return this.model !== null;
  }
  get features(): readonly string[] | null {
    return this.featureNames;
  }

  private build(nFeatures: number): TfLayers.LayersModel {
    const tf = tfjs();
    const p = this.params;
    // Explicit names: tfjs otherwise numbers layers with a process-wide counter, which would make model.json
    // differ between two identical fits.
    const m = tf.sequential({ name: 'mlp' });
    let seed = p.seed;
    const reg = p.l2 > 0 ? tf.regularizers.l2({ l2: p.l2 }) : undefined;
    p.hidden.forEach((units, i) => {
      m.add(
        tf.layers.dense({
          name: `hidden_${i + 1}`,
          units,
          activation: 'relu',
          inputShape: i === 0 ? [nFeatures] : undefined,
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
          biasInitializer: 'zeros',
          kernelRegularizer: reg,
        }),
      );
      if (p.dropout > 0) m.add(tf.layers.dropout({ name: `dropout_${i + 1}`, rate: p.dropout, seed: seed++ }));
    });
    m.add(
      tf.layers.dense({
        name: 'output',
        units: 1,
        activation: 'sigmoid',
        inputShape: p.hidden.length === 0 ? [nFeatures] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
      }),
    );
    m.compile({ optimizer: tf.train.adam(p.learningRate), loss: 'binaryCrossentropy' });
    return m;
  }

  private scaled(X: Matrix): Float32Array {
    const out = new Float32Array(X.rows * X.cols);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < X.cols; j++) out[i * X.cols + j] = (X.data[i * X.cols + j] - this.mean[j]) / this.std[j];
    }
    return out;
  }

  async fit(X: Matrix, y: ArrayLike<number>, opts: ModelFitOptions = {}): Promise<this> {
    assertFinite(X);
    const K = checkLabels(y, X.rows);
    if (K > 2) throw new ValidationError('y', 'has more than two classes; the MLP is a binary classifier');
    await ensureBackend();
    const tf = tfjs();
    const p = this.params;
    const n = X.rows;
    const d = X.cols;
    this.mean = new Float64Array(d);
    this.std = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X.data[i * d + j];
      const m = s / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (X.data[i * d + j] - m) ** 2;
      this.mean[j] = m;
      this.std[j] = Math.sqrt(v / n) || 1;
    }
    this.featureNames = X.columns ? [...X.columns] : null;
    this.dispose();
    this.model = this.build(d);
    const xs = this.scaled(X);
    let ones = 0;
    for (let i = 0; i < n; i++) ones += y[i];
    const classWeight = p.classWeight === 'balanced' && ones > 0 && ones < n ? { 0: n / (2 * (n - ones)), 1: n / (2 * ones) } : undefined;
    const rng = new Rng(p.seed);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const bx = new Float32Array(n * d);
    const by = new Float32Array(n);
    this.lossHistory = [];
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      rng.shuffle(order);
      for (let i = 0; i < n; i++) {
        bx.set(xs.subarray(order[i] * d, order[i] * d + d), i * d);
        by[i] = y[order[i]];
      }
      const tx = tf.tensor2d(bx, [n, d]);
      const ty = tf.tensor2d(by, [n, 1]);
      const h = await this.model.fit(tx, ty, { epochs: 1, batchSize: p.batchSize, shuffle: false, verbose: 0, classWeight });
      tx.dispose();
      ty.dispose();
      this.lossHistory.push(Number(h.history.loss[0]));
      opts.onProgress?.(epoch + 1, p.epochs);
    }
    return this;
  }

  predictPositive(X: Matrix): Float64Array {
    if (!this.model) throw new Error('MlpClassifier: predict before fit');
    if (X.cols !== this.mean.length) throw new ValidationError('X.cols', `is ${X.cols}, the model was fitted on ${this.mean.length} features`, X.cols);
    if (X.rows === 0) return new Float64Array(0);
    const model = this.model;
    const tf = tfjs();
    const out = tf.tidy(() => (model.predict(tf.tensor2d(this.scaled(X), [X.rows, X.cols])) as TfCore.Tensor).dataSync());
    return Float64Array.from(out);
  }

  preprocess(): MlpPreprocess {
    return { type: 'mlp', format: 1, params: { ...this.params }, nFeatures: this.mean.length, featureNames: this.featureNames, mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  /** Write model.json + weights.bin (standard tfjs layout) and preprocess.json into dir. */
  async save(dir: string): Promise<string[]> {
    if (!this.model) throw new Error('MlpClassifier: save before fit');
    mkdirSync(dir, { recursive: true });
    const tf = tfjs();
    await this.model.save(
      tf.io.withSaveHandler(async (a) => {
        const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(a.weightData));
        const modelJson = {
          modelTopology: a.modelTopology,
          format: a.format,
          generatedBy: a.generatedBy,
          convertedBy: a.convertedBy ?? null,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        };
        writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson, null, 1) + '\n');
        writeFileSync(join(dir, 'weights.bin'), weights);
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
      }),
    );
    writeFileSync(join(dir, 'preprocess.json'), JSON.stringify(this.preprocess(), null, 1) + '\n');
    return ['model.json', 'weights.bin', 'preprocess.json'];
  }

  static async load(dir: string): Promise<MlpClassifier> {
    await ensureBackend();
    const tf = tfjs();
    const pre = JSON.parse(readFileSync(join(dir, 'preprocess.json'), 'utf8')) as MlpPreprocess;
    if (pre?.type !== 'mlp' || pre.format !== 1) throw new ValidationError(join(dir, 'preprocess.json'), 'is not an MLP preprocess file of format 1', pre?.type);
    const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      modelTopology: object;
      format?: string;
      generatedBy?: string;
      convertedBy?: string | null;
      weightsManifest: Array<{ paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }>;
    };
    const bufs = mj.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
    const all = Buffer.concat(bufs);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    const model = await tf.loadLayersModel({
      load: async () => ({
        modelTopology: mj.modelTopology,
        format: mj.format,
        generatedBy: mj.generatedBy,
        convertedBy: mj.convertedBy ?? undefined,
        weightSpecs: mj.weightsManifest.flatMap((g) => g.weights),
        weightData,
      }),
    });
    const m = new MlpClassifier(pre.params);
    m.model = model;
    m.mean = Float64Array.from(pre.mean);
    m.std = Float64Array.from(pre.std);
    m.featureNames = pre.featureNames;
    return m;
  }

  dispose(): void {
    // The optimizer's slot variables (Adam moments) are not owned by the model: free them too.
    this.model?.optimizer?.dispose();
    this.model?.dispose();
    this.model = null;
  }
}
