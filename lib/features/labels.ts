/**
 * Training labels. Unlike features, a label at bar t looks AHEAD (that is its job), so labels live here, are not
 * in the feature registry, and cannot be selected as features (featureMatrix rejects their names). Where the
 * future needed is not in the data (the last bars), the label is NaN: unknown, not a guess.
 */
import type { BarSeries } from '../core/bars.js';
import { ValidationError } from '../core/errors.js';
import { nanArray, type Values } from '../indicators/contract.js';

/** Names labels go by in configs and reports; kept disjoint from FEATURE_NAMES (a test checks). */
export const LABEL_NAMES: readonly string[] = ['next_return', 'forward_return', 'triple_barrier'];

function posInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ValidationError(field, 'must be an integer >= 1', v);
  return v;
}
function finite(field: string, v: number, min = -Infinity): number {
  if (!Number.isFinite(v) || v < min) throw new ValidationError(field, min === -Infinity ? 'must be a finite number' : `must be a finite number >= ${min}`, v);
  return v;
}

/** close[t+h]/close[t] - 1; NaN for the last h bars. */
export function forwardReturn(close: Values, horizon = 1): Float64Array {
  posInt('label.horizon', horizon);
  const n = close.length;
  const out = nanArray(n);
  for (let t = 0; t + horizon < n; t++) out[t] = close[t + horizon] / close[t] - 1;
  return out;
}

export interface NextReturnOptions {
  /** Bars ahead (default 1). */
  readonly horizon?: number;
  /** The return must exceed this for label 1 (default 0.005 = 0.5%). */
  readonly threshold?: number;
}

/** 1 if close[t+h]/close[t] - 1 > threshold, else 0; NaN for the last h bars (the answer is not known yet). */
export function nextReturnLabel(close: Values, opts: NextReturnOptions = {}): Float64Array {
  const threshold = finite('label.threshold', opts.threshold ?? 0.005);
  const r = forwardReturn(close, opts.horizon ?? 1);
  for (let t = 0; t < r.length; t++) if (r[t] === r[t]) r[t] = r[t] > threshold ? 1 : 0;
  return r;
}

export interface TripleBarrierOptions {
  /** Upper barrier as a fraction above the entry close (0.02 = +2%). */
  readonly takeProfit: number;
  /** Lower barrier as a fraction below the entry close (0.01 = -1%). */
  readonly stopLoss: number;
  /** Vertical barrier: bars after entry to wait at most. */
  readonly maxHolding: number;
  /** Label when time runs out: 0 (default) or the sign of the return at the vertical barrier. */
  readonly timeout?: 'zero' | 'sign';
  /** Map +1 to 1 and everything else to 0 (for binary classifiers). */
  readonly binary?: boolean;
}

export interface TripleBarrierResult {
  /** +1 take-profit first, -1 stop-loss first, 0 (or the sign) at the time limit; NaN when not yet known. */
  readonly label: Float64Array;
  /** Bar at which the outcome was decided (for purging overlapping training samples); NaN when unknown. */
  readonly exitIndex: Float64Array;
}

/**
 * Triple-barrier labels (Lopez de Prado). Entry at close[t]; bars t+1..t+maxHolding are scanned in order:
 *   - a bar opening at or beyond a barrier hits that barrier first (gaps);
 *   - otherwise high >= upper means take-profit and low <= lower means stop-loss;
 *   - tie rule: when one bar reaches both, the order inside the bar is unknown and the stop-loss is assumed
 *     first (-1), the conservative choice.
 * A label is known as soon as a barrier is hit; if the data ends before a hit and before the time limit, NaN.
 */
export function tripleBarrier(series: Pick<BarSeries, 'open' | 'high' | 'low' | 'close' | 'length'>, opts: TripleBarrierOptions): TripleBarrierResult {
  const tp = finite('label.takeProfit', opts.takeProfit, 0);
  const sl = finite('label.stopLoss', opts.stopLoss, 0);
  const h = posInt('label.maxHolding', opts.maxHolding);
  if (tp === 0 || sl === 0) throw new ValidationError(tp === 0 ? 'label.takeProfit' : 'label.stopLoss', 'must be above 0', 0);
  if (sl >= 1) throw new ValidationError('label.stopLoss', 'must be below 1 (a fraction of the entry price)', sl);
  const timeout = opts.timeout ?? 'zero';
  if (timeout !== 'zero' && timeout !== 'sign') throw new ValidationError('label.timeout', 'must be "zero" or "sign"', timeout);
  const { open, high, low, close } = series;
  const n = series.length;
  const label = nanArray(n);
  const exitIndex = nanArray(n);
  for (let t = 0; t < n; t++) {
    const entry = close[t];
    const up = entry * (1 + tp);
    const down = entry * (1 - sl);
    const last = t + h;
    for (let j = t + 1; j <= last && j < n; j++) {
      let hit = 0;
      if (open[j] >= up) hit = 1;
      else if (open[j] <= down) hit = -1;
      else if (low[j] <= down) hit = -1; // also the tie rule: stop-loss first when both are touched
      else if (high[j] >= up) hit = 1;
      if (hit !== 0) {
        label[t] = hit;
        exitIndex[t] = j;
        break;
      }
      if (j === last) {
        label[t] = timeout === 'zero' ? 0 : Math.sign(close[j] / entry - 1);
        exitIndex[t] = j;
      }
    }
  }
  if (opts.binary) for (let t = 0; t < n; t++) if (label[t] === label[t]) label[t] = label[t] === 1 ? 1 : 0;
  return { label, exitIndex };
}

export function tripleBarrierLabel(series: Pick<BarSeries, 'open' | 'high' | 'low' | 'close' | 'length'>, opts: TripleBarrierOptions): Float64Array {
  return tripleBarrier(series, opts).label;
}
