/**
 * One streaming contract for every indicator (trading-signals style) plus helpers shared by the batch forms.
 *
 * Every indicator has two forms that compute bit-identical numbers (the contract test proves it):
 *   - batch:     a function over whole Float64Array columns, NaN during the warm-up (TA-Lib's lookback);
 *   - streaming: a class with update(input) -> value | null, for the live runner and FeatureStream.
 * Conventions follow TA-Lib (seeding, warm-up length, population standard deviation) so users can check the
 * numbers against the tool everyone already trusts (tests compare with TA-Lib's C library to 1e-9).
 * Inputs must be finite: running sums cannot forget a NaN, so validate data first (lib/data does).
 */
import type { Bar } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';

export interface StreamingIndicator<In, Out> {
  /** Inputs consumed before the first value (TA-Lib's lookback): the first value arrives with input lookback+1. */
  readonly lookback: number;
  /** Inputs seen since construction or the last reset(). */
  readonly count: number;
  /** The latest value, or null while warming up. */
  readonly value: Out | null;
  /** True once values are being produced. */
  readonly isStable: boolean;
  /** Feed the next input (a close, or a bar for range/volume indicators); returns the new value or null. */
  update(input: In): Out | null;
  reset(): void;
}

/** Indicators fed with one number per bar (usually the close). */
export type PriceIndicator<Out = number> = StreamingIndicator<number, Out>;

/** The parts of a bar that range and volume indicators read; a core Bar satisfies every one of them. */
export type HL = Pick<Bar, 'high' | 'low'>;
export type HLC = Pick<Bar, 'high' | 'low' | 'close'>;
export type CV = Pick<Bar, 'close' | 'volume'>;
export type THLCV = Pick<Bar, 'time' | 'high' | 'low' | 'close' | 'volume'>;

/** Numeric input accepted by batch forms (Float64Array is the fast path). */
export type Values = ArrayLike<number>;

/** Throws unless `period` is an integer >= min; `field` names the parameter, e.g. "rsi.period". */
export function checkPeriod(field: string, period: number, min = 1): number {
  if (!Number.isInteger(period) || period < min) {
    throw new ValidationError(field, `must be an integer >= ${min}`, period);
  }
  return period;
}

export function checkFinite(field: string, x: number): number {
  if (!Number.isFinite(x)) throw new ValidationError(field, 'must be a finite number', x);
  return x;
}

/** A Float64Array of length n filled with NaN: the shape of every batch output before values are written. */
export function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

/** Length n, NaN over the warm-up [0, lookback), zeros after (for loops that write every later index). */
export function warmupArray(n: number, lookback: number): Float64Array {
  return new Float64Array(n).fill(NaN, 0, Math.min(lookback, n));
}

export function checkSameLength(indicator: string, cols: Record<string, Values>): number {
  let n = -1;
  let first = '';
  for (const [name, col] of Object.entries(cols)) {
    if (n < 0) {
      n = col.length;
      first = name;
    } else if (col.length !== n) {
      throw new ValidationError(`${indicator}.${name}`, `has ${col.length} values but ${first} has ${n}`, col.length);
    }
  }
  return Math.max(n, 0);
}

/**
 * Base class holding the bookkeeping every streaming indicator shares. Subclasses implement step(), which
 * returns the new value or null during warm-up.
 */
export abstract class Streaming<In, Out> implements StreamingIndicator<In, Out> {
  abstract readonly lookback: number;
  protected n = 0;
  protected current: Out | null = null;

  get count(): number {
    return this.n;
  }
  get value(): Out | null {
    return this.current;
  }
  get isStable(): boolean {
    return this.current !== null;
  }
  update(input: In): Out | null {
    this.current = this.step(input, this.n);
    this.n++;
    return this.current;
  }
  reset(): void {
    this.n = 0;
    this.current = null;
    this.clear();
  }
  /** i is the 0-based index of this input since the last reset. */
  protected abstract step(input: In, i: number): Out | null;
  protected abstract clear(): void;
}
