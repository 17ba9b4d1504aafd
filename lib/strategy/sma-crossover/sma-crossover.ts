/**
 * SMA crossover, long only: go long when the fast SMA crosses above the slow SMA, go flat when it crosses
 * below. A cross is a change of sign of (fast - slow) against the last non-zero difference, so touching
 * without crossing is not a signal (as backtrader's CrossOver).
 */
import type { BarSeries } from '../../core/bars.js';
import { ValidationError } from '../../core/errors.js';
import { sma } from '../../indicators/sma.js';
import { NO_INTENTS, type Intent, type Strategy, type StrategyContext } from '../types.js';

export interface SmaCrossoverParams {
  readonly fast: number;
  readonly slow: number;
}

export class SmaCrossover implements Strategy {
  readonly name: string;
  private fastS: Float64Array[] = [];
  private slowS: Float64Array[] = [];
  /** Sign of the last non-zero (fast - slow) per symbol, as of the last index seen; and that index. */
  private lastSign: Int8Array = new Int8Array(0);
  private lastIndex: Int32Array = new Int32Array(0);
  private seen: readonly BarSeries[] = [];
  private lengths: number[] = [];

  constructor(readonly params: SmaCrossoverParams = { fast: 10, slow: 30 }) {
    const { fast, slow } = params;
    if (!(Number.isInteger(fast) && fast >= 1)) throw new ValidationError('sma_crossover.fast', 'must be a whole number >= 1', fast);
    if (!(Number.isInteger(slow) && slow >= 1)) throw new ValidationError('sma_crossover.slow', 'must be a whole number >= 1', slow);
    if (fast >= slow) throw new ValidationError('sma_crossover.fast', `must be less than sma_crossover.slow (${slow})`, fast);
    this.name = `sma-crossover(${fast},${slow})`;
  }

  init(series: readonly BarSeries[]): void {
    this.fastS = series.map((s) => sma(s.close, this.params.fast));
    this.slowS = series.map((s) => sma(s.close, this.params.slow));
    if (this.lastSign.length !== series.length) {
      this.lastSign = new Int8Array(series.length);
      this.lastIndex = new Int32Array(series.length).fill(-1);
    }
    this.seen = series;
    this.lengths = series.map((s) => s.length);
  }

  private grown(series: readonly BarSeries[]): boolean {
    for (let i = 0; i < series.length; i++) if (series[i].length !== this.lengths[i]) return true;
    return false;
  }

  onBar(ctx: StrategyContext): readonly Intent[] {
    const series = ctx.series;
    if (series !== this.seen || this.grown(series)) this.init(series);
    let out: Intent[] | null = null;
    for (let s = 0; s < series.length; s++) {
      if (ctx.updated[s] === 0) continue;
      const i = ctx.index[s];
      const d = this.fastS[s][i] - this.slowS[s][i];
      if (!(d > 0 || d < 0)) continue; // NaN (warm-up) or equal: no new information
      const sign = d > 0 ? 1 : -1;
      // A step back in time means a new run over the same object: forget the old state.
      const prev = this.lastIndex[s] < i ? this.lastSign[s] : 0;
      this.lastSign[s] = sign;
      this.lastIndex[s] = i;
      if (prev === 0 || prev === sign) continue;
      const sym = series[s].symbol;
      const held = ctx.portfolio.qtyAt(s);
      if (sign > 0 && held <= 0) {
        (out ??= []).push({ kind: 'signal', symbol: sym, direction: 'long', confidence: 1, reason: `SMA${this.params.fast} crossed above SMA${this.params.slow}` });
      } else if (sign < 0 && held > 0) {
        (out ??= []).push({ kind: 'signal', symbol: sym, direction: 'flat', confidence: 1, reason: `SMA${this.params.fast} crossed below SMA${this.params.slow}` });
      }
    }
    return out ?? NO_INTENTS;
  }
}
