/**
 * MACD as TA-Lib computes it: slow EMA seeded with the SMA of the first `slow` values; the fast EMA is seeded on
 * the same bar (with the SMA of the `fast` values ending there), so both start together at index slow-1; the
 * signal is an EMA of the MACD line seeded with its first `signal` values. All three outputs start at index
 * (slow-1)+(signal-1) (33 for 12/26/9), TA-Lib's lookback.
 */
import { ValidationError } from '../core/errors.js';
import { Streaming, checkPeriod, nanArray, type Values } from './contract.js';
import { Ema, emaInto, emaK } from './ema.js';

export interface MacdOptions {
  readonly fast?: number;
  readonly slow?: number;
  readonly signal?: number;
}

export interface MacdValue {
  readonly macd: number;
  readonly signal: number;
  readonly hist: number;
}

export interface MacdSeries {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly hist: Float64Array;
}

function periods(opts: MacdOptions): [number, number, number] {
  const fast = checkPeriod('macd.fast', opts.fast ?? 12, 2);
  const slow = checkPeriod('macd.slow', opts.slow ?? 26, 2);
  const signal = checkPeriod('macd.signal', opts.signal ?? 9, 1);
  if (fast >= slow) throw new ValidationError('macd.fast', `must be below macd.slow (${slow})`, fast);
  return [fast, slow, signal];
}

export function macdLookback(opts: MacdOptions = {}): number {
  const [, slow, signal] = periods(opts);
  return slow - 1 + signal - 1;
}

export function macd(values: Values, opts: MacdOptions = {}): MacdSeries {
  const [fast, slow, signal] = periods(opts);
  const n = values.length;
  const lb = slow - 1 + signal - 1;
  const line = nanArray(n);
  const sig = nanArray(n);
  const hist = nanArray(n);
  if (n <= lb) return { macd: line, signal: sig, hist };
  // slow and fast EMAs both land on index slow-1 onwards; `line` is reused as the fast buffer, then overwritten.
  const slowE = new Float64Array(n);
  emaInto(values, 0, slow, emaK(slow), slowE);
  emaInto(values, slow - fast, fast, emaK(fast), line);
  for (let i = slow - 1; i < n; i++) line[i] = line[i] - slowE[i];
  emaInto(line, slow - 1, signal, emaK(signal), sig);
  for (let i = 0; i < lb; i++) line[i] = NaN;
  for (let i = lb; i < n; i++) hist[i] = line[i] - sig[i];
  return { macd: line, signal: sig, hist };
}

export class Macd extends Streaming<number, MacdValue> {
  readonly lookback: number;
  private readonly fastE: Ema;
  private readonly slowE: Ema;
  private readonly signalE: Ema;
  private readonly fastStart: number;

  constructor(opts: MacdOptions = {}) {
    super();
    const [fast, slow, signal] = periods(opts);
    this.lookback = slow - 1 + signal - 1;
    this.fastE = new Ema(fast);
    this.slowE = new Ema(slow);
    this.signalE = new Ema(signal);
    this.fastStart = slow - fast;
  }
  protected step(x: number, i: number): MacdValue | null {
    const s = this.slowE.update(x);
    const f = i >= this.fastStart ? this.fastE.update(x) : null;
    if (s === null || f === null) return null;
    const line = f - s;
    const sig = this.signalE.update(line);
    if (sig === null) return null;
    return { macd: line, signal: sig, hist: line - sig };
  }
  protected clear(): void {
    this.fastE.reset();
    this.slowE.reset();
    this.signalE.reset();
  }
}
