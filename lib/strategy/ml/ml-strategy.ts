/**
 * The ML strategy: per symbol it streams the model's features bar by bar (FeatureStream, the same numbers
 * as the batch matrix the model was trained on), asks the model for P(up), and
 *   - goes long when P >= the confidence threshold and the regime filter allows long entries (up-trend);
 *   - goes flat when P falls below `exitBelow` or the trend turns down;
 * with signal confidence = P x the regime's size multiplier (smaller in high volatility; the engine scales
 * fractional sizes by confidence). Each signal carries the probability, the regime and the feature values,
 * and, for tree models, the features that pushed it (exact TreeSHAP contributions) named in its reason.
 * For walk-forward backtests it can instead read precomputed out-of-sample probabilities by (symbol, time).
 */
import { barAt, isoDate, type BarSeries } from '../../core/bars.js';
import { ValidationError } from '../../core/errors.js';
import { FeatureStream } from '../../features/index.js';
import { makeMatrix } from '../../ml/matrix.js';
import { isExplainable, type BinaryClassifier } from '../../ml/model.js';
import { formatContributions, topContributions } from '../../ml/tree-shap.js';
import { checkThreshold, DEFAULT_CONFIDENCE_THRESHOLD } from '../../ml/calibration.js';
import { RegimeFilter, type RegimeParams, type RegimeState } from '../../regime/index.js';
import { NO_INTENTS, type Intent, type SignalIntent, type Strategy, type StrategyContext } from '../types.js';

/** Precomputed probabilities: symbol -> bar time (epoch ms) -> P(up). */
export type ProbabilityTable = ReadonlyMap<string, ReadonlyMap<number, number>>;
/** Precomputed reasons beside them (the walk-forward fold model's top contributions): symbol -> time -> text. */
export type DriverTable = ReadonlyMap<string, ReadonlyMap<number, string>>;

/** One feature's push on the model's raw score (log-odds for boosted trees, probability for the forest). */
export interface Driver {
  readonly feature: string;
  readonly contribution: number;
}

export interface MlStrategyOptions {
  /** Needed unless every probability comes from `probabilities`. */
  model?: BinaryClassifier | null;
  features: readonly string[];
  threshold?: number;
  /** Exit a long when P drops below this (default 0.5). */
  exitBelow?: number;
  /** Regime filter settings; null switches the filter off. */
  regime?: Partial<RegimeParams> | null;
  /** Out-of-sample probabilities to use instead of live predictions (walk-forward backtests). */
  probabilities?: ProbabilityTable | null;
  /** Reasons saved with those probabilities (predictions.csv's `drivers` column). */
  drivers?: DriverTable | null;
  /** Features named in a signal's reason (default 3; 0 = none). */
  topDrivers?: number;
  /** No signals for bars before this time (epoch ms): keeps a backtest out of the training window. */
  notBefore?: number;
  name?: string;
}

/** A signal as the report lists it. */
export interface SignalLogEntry {
  readonly time: number;
  readonly symbol: string;
  readonly direction: 'long' | 'flat';
  readonly probability: number;
  readonly reason: string;
  readonly drivers: readonly Driver[];
}

const SIGNAL_LOG_LIMIT = 100_000;

export interface MlSignal extends SignalIntent {
  readonly probability: number;
  readonly regime: { trend: RegimeState['trend']; highVol: boolean; sizeMultiplier: number } | null;
  readonly features: Readonly<Record<string, number>>;
  /** The features that pushed P(up) most for this bar, largest first (tree models; empty otherwise). */
  readonly drivers: readonly Driver[];
}

interface SymbolState {
  stream: FeatureStream;
  regime: RegimeFilter | null;
  /** Index of the last bar fed (-1 none). */
  fed: number;
}

export class MlStrategy implements Strategy {
  readonly name: string;
  readonly threshold: number;
  readonly exitBelow: number;
  private states: SymbolState[] = [];
  private seen: readonly BarSeries[] | null = null;
  private readonly row: Float64Array;
  /** Every signal emitted, in order (reports list them with their reasons); cleared by `init` on a new run. */
  readonly signalLog: SignalLogEntry[] = [];

  constructor(readonly opts: MlStrategyOptions) {
    this.threshold = checkThreshold(opts.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD);
    this.exitBelow = opts.exitBelow ?? 0.5;
    if (!(this.exitBelow >= 0 && this.exitBelow <= this.threshold)) throw new ValidationError('ml.exitBelow', `is not in [0, threshold ${this.threshold}]`, this.exitBelow);
    if (!opts.model && !opts.probabilities) throw new ValidationError('ml.model', 'is missing: give a model or precomputed probabilities');
    this.row = new Float64Array(opts.features.length);
    this.name = opts.name ?? `ml(p>=${this.threshold}${opts.regime === null ? '' : ', regime'})`;
  }

  private fresh(): SymbolState {
    return { stream: new FeatureStream(this.opts.features), regime: this.opts.regime === null ? null : new RegimeFilter(this.opts.regime ?? {}), fed: -1 };
  }

  init(series: readonly BarSeries[]): void {
    if (series !== this.seen || this.states.length !== series.length) {
      this.states = series.map(() => this.fresh());
      this.seen = series;
      this.signalLog.length = 0;
    }
  }

  private probability(symbol: string, time: number, vec: Float64Array | null): number {
    const table = this.opts.probabilities;
    if (table) return table.get(symbol)?.get(time) ?? NaN;
    if (!vec || !this.opts.model) return NaN;
    this.row.set(vec);
    return this.opts.model.predictPositive(makeMatrix(1, this.row.length, this.row))[0];
  }

  /** "rsi_14 +0.080, volume_ratio +0.031 (log-odds)" for the bar just predicted, or '' when not explainable. */
  private explain(symbol: string, time: number, vec: Float64Array | null): { drivers: Driver[]; text: string } {
    const top = this.opts.topDrivers ?? 3;
    if (top <= 0) return { drivers: [], text: '' };
    if (this.opts.probabilities) {
      const text = this.opts.drivers?.get(symbol)?.get(time) ?? '';
      return { drivers: parseDrivers(text), text };
    }
    const model = this.opts.model;
    if (!vec || !model || !isExplainable(model)) return { drivers: [], text: '' };
    const e = model.explain(makeMatrix(1, vec.length, Float64Array.from(vec)));
    const drivers = topContributions(e, 0, this.opts.features, top, 5e-4);
    return { drivers, text: drivers.length ? `${formatContributions(drivers)} (${model.kind === 'rf' ? 'probability' : 'log-odds'})` : '' };
  }

  onBar(ctx: StrategyContext): readonly Intent[] {
    this.init(ctx.series);
    let out: Intent[] | null = null;
    for (let s = 0; s < ctx.series.length; s++) {
      if (ctx.updated[s] === 0) continue;
      const series = ctx.series[s];
      const i = ctx.index[s];
      let st = this.states[s];
      if (i < st.fed) st = this.states[s] = this.fresh(); // a new run over the same series
      let vec: Float64Array | null = null;
      let regime: RegimeState | null = null;
      for (let k = st.fed + 1; k <= i; k++) {
        vec = st.stream.update(barAt(series, k));
        if (st.regime) regime = st.regime.update(series.close[k]);
      }
      if (st.fed === i) {
        vec = st.stream.value;
        regime = st.regime?.state ?? null;
      }
      st.fed = i;
      const time = series.time[i];
      if (this.opts.notBefore !== undefined && time < this.opts.notBefore) continue;
      const p = this.probability(series.symbol, time, vec);
      if (Number.isNaN(p)) continue;
      const held = ctx.portfolio.qtyAt(s);
      const allowLong = regime ? regime.allowLong : true;
      const mult = regime ? regime.sizeMultiplier : 1;
      const regimeInfo = regime ? { trend: regime.trend, highVol: regime.highVol, sizeMultiplier: mult } : null;
      let direction: 'long' | 'flat' | null = null;
      let reason = '';
      if (held <= 0 && p >= this.threshold) {
        if (allowLong) {
          direction = 'long';
          reason = `P(up)=${p.toFixed(3)} >= ${this.threshold}${regime ? `, trend ${regime.trend}${regime.highVol ? `, high volatility: size x${mult}` : ''}` : ''}`;
        }
      } else if (held > 0 && (p < this.exitBelow || (regime !== null && regime.trend === 'down'))) {
        direction = 'flat';
        reason = p < this.exitBelow ? `P(up)=${p.toFixed(3)} < ${this.exitBelow}` : `trend turned down (P(up)=${p.toFixed(3)})`;
      }
      if (direction === null) continue;
      const why = this.explain(series.symbol, time, vec);
      if (why.text) reason += `; drivers: ${why.text}`;
      const features: Record<string, number> = {};
      if (vec) this.opts.features.forEach((f, j) => (features[f] = vec![j]));
      const sig: MlSignal = {
        kind: 'signal',
        symbol: series.symbol,
        direction,
        confidence: direction === 'long' ? Math.min(1, p * mult) : p,
        reason: `${reason} @ ${isoDate(time)}`,
        probability: p,
        regime: regimeInfo,
        features,
        drivers: why.drivers,
      };
      (out ??= []).push(sig);
      if (this.signalLog.length < SIGNAL_LOG_LIMIT) this.signalLog.push({ time, symbol: series.symbol, direction, probability: p, reason: sig.reason, drivers: why.drivers });
    }
    return out ?? NO_INTENTS;
  }
}

/** Drivers back from their text form "a +0.080, b -0.031 (log-odds)". */
export function parseDrivers(text: string): Driver[] {
  const out: Driver[] = [];
  for (const m of text.replace(/\s*\([^)]*\)\s*$/, '').matchAll(/([^\s,;]+) ([+-]\d+(?:\.\d+)?(?:e[+-]?\d+)?)/g)) out.push({ feature: m[1], contribution: Number(m[2]) });
  return out;
}
