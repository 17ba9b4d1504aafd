/**
 * Features one bar at a time, for the live runner and the ML strategy. Fed the same bars, it returns exactly
 * the rows of featureMatrix (tests check bit equality), or null while any feature is still warming up.
 */
import type { Bar } from '../core/bars.js';
import { featureDef, featureLookback, resolveFeatureNames, type FeatureDef } from './registry.js';
import { source } from './sources.js';

export class FeatureStream {
  readonly names: readonly string[];
  /** Bars consumed before the first full feature vector (on data without gaps or zero prices). */
  readonly lookback: number;
  private readonly defs: FeatureDef[];
  private readonly keys: string[];
  private readonly inputIdx: number[][];
  private feeds: Array<(b: Bar) => number> = [];
  private readonly latest: Float64Array;
  private bars = 0;
  private last: Float64Array | null = null;

  constructor(names?: readonly string[]) {
    this.names = resolveFeatureNames(names, 'FeatureStream.names');
    this.defs = this.names.map(featureDef);
    this.keys = [...new Set(this.defs.flatMap((d) => d.inputs))];
    this.inputIdx = this.defs.map((d) => d.inputs.map((k) => this.keys.indexOf(k)));
    this.lookback = Math.max(0, ...this.names.map(featureLookback));
    this.latest = new Float64Array(this.keys.length);
    this.reset();
  }

  /** Bars seen since construction or reset(). */
  get count(): number {
    return this.bars;
  }

  /** The latest complete feature vector, or null. */
  get value(): Float64Array | null {
    return this.last;
  }

  /** Feed the next bar (bars must come in time order, one per call); returns a fresh vector or null. */
  update(bar: Bar): Float64Array | null {
    for (let k = 0; k < this.feeds.length; k++) this.latest[k] = this.feeds[k](bar);
    this.bars++;
    const out = new Float64Array(this.defs.length);
    let complete = true;
    for (let j = 0; j < this.defs.length; j++) {
      const idx = this.inputIdx[j];
      const x = this.latest[idx[0]];
      const y = idx.length > 1 ? this.latest[idx[1]] : 0;
      const z = idx.length > 2 ? this.latest[idx[2]] : 0;
      const v = x !== x || y !== y || z !== z ? NaN : this.defs[j].compute(x, y, z);
      out[j] = v;
      if (!Number.isFinite(v)) complete = false;
    }
    this.last = complete ? out : null;
    return this.last;
  }

  reset(): void {
    this.feeds = this.keys.map((k) => source(k).stream());
    this.bars = 0;
    this.last = null;
  }
}
