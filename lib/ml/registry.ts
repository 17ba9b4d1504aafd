/**
 * The model registry: each trained model is a folder `models/NAME/` holding the model file(s) and
 * `metadata.json`. Model files depend only on data, parameters and seed (byte-identical on a rerun); the
 * created time and everything run-specific lives in metadata.json. Loading refuses a model whose feature
 * list or feature versions differ from the running code, naming what differs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { compareFeatureSpec, type FeatureSpecEntry } from '../features/index.js';
import { RandomForestClassifier, type ForestJSON } from './forest.js';
import type { Matrix } from './matrix.js';
import { MlpClassifier } from './mlp.js';
import type { BinaryClassifier, ModelKind } from './model.js';
import type { StoredGate } from './gate.js';

export const FOREST_FILE = 'forest.json';
export const METADATA_FILE = 'metadata.json';

export interface LabelDefinition {
  /** e.g. 'next_return': 1 when the return over `horizon` bars exceeds `threshold`. */
  kind: string;
  horizon: number;
  threshold?: number;
  [k: string]: unknown;
}

export interface ModelMetadata {
  name: string;
  modelType: ModelKind;
  params: Record<string, unknown>;
  /** Files of the model proper (byte-identical for the same data and seed). */
  modelFiles: string[];
  features: FeatureSpecEntry[];
  label: LabelDefinition;
  symbols: string[];
  /** Dates of the first and last training row; `endTime` is the exact last bar time (ISO), for intraday bars. */
  trainingWindow: { start: string; end: string; rows: number; endTime?: string };
  /** sha256 of the training matrix, labels and column names. */
  dataHash: string;
  seed: number;
  metrics: Record<string, unknown>;
  libraryVersion: string;
  createdAt: string;
  /** The promotion gate's statistics and verdict; a model without one is not promotable. */
  gate?: StoredGate;
  /** Anything else worth keeping (walk-forward settings, data source). */
  extra?: Record<string, unknown>;
}

export type MetadataInput = Omit<ModelMetadata, 'modelType' | 'params' | 'modelFiles' | 'libraryVersion' | 'createdAt' | 'name'> & {
  name?: string;
  createdAt?: string;
};

/** sha256 over the bytes of X, y and the column names: identifies the exact training data. */
export function dataHash(X: Matrix, y: ArrayLike<number>): string {
  const h = createHash('sha256');
  h.update(`${X.rows}x${X.cols}|${(X.columns ?? []).join(',')}|`);
  h.update(new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength));
  h.update(Uint8Array.from(y));
  return h.digest('hex');
}

/** The `version` of the nearest package.json above the working directory. */
export function libraryVersion(start = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        return `${pkg.name ?? 'unknown'}@${pkg.version ?? '0.0.0'}`;
      } catch {
        return 'unknown';
      }
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

type SavableModel = RandomForestClassifier | MlpClassifier;

export async function saveModel(dir: string, model: SavableModel, meta: MetadataInput): Promise<ModelMetadata> {
  mkdirSync(dir, { recursive: true });
  let modelFiles: string[];
  if (model instanceof RandomForestClassifier) {
    writeFileSync(join(dir, FOREST_FILE), JSON.stringify(model.toJSON()) + '\n');
    modelFiles = [FOREST_FILE];
  } else {
    modelFiles = await model.save(dir);
  }
  const full: ModelMetadata = {
    name: meta.name ?? dir.split(/[\\/]/).filter(Boolean).pop() ?? 'model',
    modelType: model.kind,
    params: { ...model.params },
    modelFiles,
    features: meta.features,
    label: meta.label,
    symbols: meta.symbols,
    trainingWindow: meta.trainingWindow,
    dataHash: meta.dataHash,
    seed: meta.seed,
    metrics: meta.metrics,
    libraryVersion: libraryVersion(),
    createdAt: meta.createdAt ?? new Date().toISOString(),
    ...(meta.gate ? { gate: meta.gate } : {}),
    ...(meta.extra ? { extra: meta.extra } : {}),
  };
  writeFileSync(join(dir, METADATA_FILE), JSON.stringify(full, null, 2) + '\n');
  return full;
}

export function readMetadata(dir: string): ModelMetadata {
  const p = join(dir, METADATA_FILE);
  if (!existsSync(p)) throw new ValidationError(p, 'does not exist: not a model folder (train one with `npm run train -- --out DIR`)');
  const m = JSON.parse(readFileSync(p, 'utf8')) as ModelMetadata;
  if (m.modelType !== 'rf' && m.modelType !== 'mlp') throw new ValidationError(`${p}: modelType`, "is not 'rf' or 'mlp'", m.modelType);
  if (!Array.isArray(m.features)) throw new ValidationError(`${p}: features`, 'is not a list of {name, version}', m.features);
  return m;
}

/**
 * Differences between the model's features and what the running code would feed it: [] when compatible.
 * `expected` (e.g. the config's feature list) must match names and order when given.
 */
export function featureMismatch(meta: Pick<ModelMetadata, 'features'>, expected?: readonly string[]): string[] {
  const problems: string[] = [];
  if (expected && expected.length) {
    const saved = meta.features.map((f) => f.name);
    const missing = expected.filter((n) => !saved.includes(n));
    const extra = saved.filter((n) => !expected.includes(n));
    if (missing.length) problems.push(`the running config asks for features the model lacks: ${missing.join(', ')}`);
    if (extra.length) problems.push(`the model uses features the running config does not: ${extra.join(', ')}`);
    if (!missing.length && !extra.length && saved.join(',') !== expected.join(',')) problems.push(`feature order differs: model [${saved.join(', ')}], running [${expected.join(', ')}]`);
  }
  problems.push(...compareFeatureSpec(meta.features));
  return problems;
}

export interface LoadedModel {
  model: BinaryClassifier;
  metadata: ModelMetadata;
}

export async function loadModel(dir: string, opts: { expectedFeatures?: readonly string[] } = {}): Promise<LoadedModel> {
  const metadata = readMetadata(dir);
  const problems = featureMismatch(metadata, opts.expectedFeatures);
  if (problems.length) {
    throw new ValidationError(join(dir, METADATA_FILE), `was trained on different features than the running code; retrain it. ${problems.join('; ')}`);
  }
  let model: BinaryClassifier;
  if (metadata.modelType === 'rf') {
    const j = JSON.parse(readFileSync(join(dir, FOREST_FILE), 'utf8')) as ForestJSON;
    model = RandomForestClassifier.fromJSON(j);
  } else {
    model = await MlpClassifier.load(dir);
  }
  return { model, metadata };
}

export const VERSIONS_FILE = 'versions.json';

/** One live-retrained version of a registered model, as `versions.json` in its folder lists it. */
export interface ModelVersionEntry {
  version: string;
  /** ISO time of the bar it was fitted at (it predicts from that bar on). */
  fittedAt: string;
  trainingWindow: { start: string; end: string; rows: number; endTime?: string };
  dataHash: string;
  /** Its gate status: promotion inherited from the gated procedure, plus the live record so far. */
  gate: { promotable: boolean; basis: string; liveRecord: Record<string, number> | null };
}

/** Add (or replace, by version label) a version in the model folder's versions.json. */
export function registerModelVersion(dir: string, v: ModelVersionEntry): void {
  const p = join(dir, VERSIONS_FILE);
  let list: ModelVersionEntry[] = [];
  if (existsSync(p)) {
    try {
      list = JSON.parse(readFileSync(p, 'utf8')) as ModelVersionEntry[];
    } catch {
      list = [];
    }
  }
  list = list.filter((x) => x.version !== v.version);
  list.push(v);
  list.sort((a, b) => a.fittedAt.localeCompare(b.fittedAt));
  writeFileSync(p, JSON.stringify(list, null, 1) + '\n');
}
