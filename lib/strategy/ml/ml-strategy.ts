/**
 * The ML strategy: per symbol it streams the model's features bar by bar (FeatureStream, the same numbers
 * as the batch matrix the model was trained on), asks the model for P(up), and
 *   - goes long when P >= the confidence threshold and the regime filter allows long entries (up-trend);
 *   - goes flat when P falls below `exitBelow` or the trend turns down;
 * with signal confidence = P x the regime's size multiplier (smaller in high volatility; the engine scales
 * fractional sizes by confidence). Each signal carries the probability, the regime and the feature values,
 * and, for tree models, the features that pushed it (exact TreeSHAP contributions) named in its reason.
 * For walk-forward backtests it can instead read precomputed out-of-sample probabilities by (symbol, time).
 *
 * Out of sample only: with `trainedThrough` it acts from the bar `horizon + 1` bars (counted in bars, not
 * days) after the model's last training bar, the first whose decision the model could not have seen a label
 * for. Live retraining (`retrain`): every `every` bars it refits a fresh model on the last `lookback` bars per
 * symbol whose labels resolved before the current bar (label of bar j needs close j + horizon <= current - 1),
 * then predicts new bars with it; each version is reported through `onRetrain` and stamped on its signals.
 */
import { barAt, isoDate, type BarSeries } from '../../core/bars.js';
import { ValidationError } from '../../core/errors.js';
import { FeatureStream } from '../../features/index.js';
import { makeMatrix } from '../../ml/matrix.js';
import { isExplainable, type BinaryClassifier } from '../../ml/model.js';
import { formatContributions, topContributions } from '../../ml/tree-shap.js';
import { dataHash } from '../../ml/registry.js';
import { gateStatistics } from '../../ml/gate.js';
import { checkThreshold, DEFAULT_CONFIDENCE_THRESHOLD } from '../../ml/calibration.js';
import { RegimeFilter, type RegimeParams, type RegimeState } from '../../regime/index.js';
import { NO_INTENTS, type Intent, type SignalIntent, type Strategy, type StrategyContext } from '../types.js';

/** Precomputed probabilities: symbol -> bar time (epoch ms) -> P(up). */
export type ProbabilityTable = ReadonlyMap<string, ReadonlyMap<number, number>>;
/** Precomputed reasons beside them (the walk-forward fold model's top contributions): symbol -> time -> text. */
type DriverTable = ReadonlyMap<string, ReadonlyMap<number, string>>;

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
  /**
   * The model's last training bar time and label horizon: no signals until `horizon + 1` bars after that bar
   * (per symbol, counted in bars), when the last training label has resolved before the decision bar.
   */
  trainedThrough?: { time: number; horizon: number };
  /** Version label of the starting model (stamped on its signals). */
  modelVersion?: string;
  /** Live retraining; absent or every = 0: never. */
  retrain?: RetrainSpec;
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

export interface RetrainSpec {
  /** Retrain every N decision bars (bar times processed while acting); 0 = never. */
  every: number;
  /** Bars per symbol of resolved labels to fit on. */
  lookback: number;
  /** The model's label: 1 when close[t + horizon] / close[t] - 1 > threshold. */
  label: { horizon: number; threshold: number };
  /** A fresh, unfitted model of the promoted kind and parameters; its fit must be synchronous. */
  factory: () => BinaryClassifier;
  /** Prefix of version labels (e.g. the registry name). */
  name?: string;
  /** Told about every new version (the runner registers it, logs it and journals it). */
  onRetrain?: (v: ModelVersion) => void;
}

/** One live-retrained model version. */
export interface ModelVersion {
  /** `${name}#${n}@${first 8 hex of the data hash}`. */
  version: string;
  n: number;
  /** Bar time (epoch ms) of the bar at which it was fitted; it predicts this bar onwards. */
  fittedAt: number;
  trainingWindow: { start: string; end: string; rows: number; endTime: string };
  dataHash: string;
  /**
   * The gate's classifier statistics on the live out-of-sample predictions made so far by earlier versions
   * whose labels have resolved (null until there are some). A version inherits its promotion from the
   * procedure the gate passed; these numbers show whether the live record still supports it.
   */
  liveRecord: { rows: number; accuracy: number; baseRate: number; accuracyPValue: number; auc: number; aucPValue: number } | null;
}

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
  /** First bar index the model may act on (trainedThrough), -1 unknown yet. */
  actFrom: number;
  /** Feature vector per bar index (null while incomplete); kept only when retraining. */
  history: Array<Float64Array | null>;
  /** Live predictions (bar index -> P) for the live record. */
  predictions: Map<number, number>;
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
  /**
   * Bars (per symbol) where P(up) reached the threshold while flat, and how many of those the regime filter
   * held back (trend not up): a run with few trades says why. Cleared by `init` on a new run.
   */
  readonly entryCounts: EntryCounts = { signalled: 0, heldByRegime: 0 };
  private model: BinaryClassifier | null;
  private version: string | undefined;
  private versions = 0;
  /** Decision bars since the current model started predicting. */
  private barsSinceFit = 0;
  private lastDecisionTime = -Infinity;

  constructor(readonly opts: MlStrategyOptions) {
    this.threshold = checkThreshold(opts.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD);
    this.exitBelow = opts.exitBelow ?? 0.5;
    if (!(this.exitBelow >= 0 && this.exitBelow <= this.threshold)) throw new ValidationError('ml.exitBelow', `is not in [0, threshold ${this.threshold}]`, this.exitBelow);
    if (!opts.model && !opts.probabilities) throw new ValidationError('ml.model', 'is missing: give a model or precomputed probabilities');
    this.row = new Float64Array(opts.features.length);
    this.name = opts.name ?? `ml(p>=${this.threshold}${opts.regime === null ? '' : ', regime'})`;
    const r = opts.retrain;
    if (r && r.every > 0) {
      if (opts.probabilities) throw new ValidationError('ml.retrain', 'cannot retrain a strategy that replays precomputed probabilities');
      if (!Number.isInteger(r.every) || r.every < 0) throw new ValidationError('strategy.ml.retrain_every', 'is not an integer >= 0', r.every);
      if (!Number.isInteger(r.lookback) || r.lookback < 1) throw new ValidationError('strategy.ml.lookback', 'is not an integer >= 1', r.lookback);
      if (!Number.isInteger(r.label.horizon) || r.label.horizon < 1) throw new ValidationError('strategy.ml.label.horizon', 'is not an integer >= 1', r.label.horizon);
    }
    this.model = opts.model ?? null;
    this.version = opts.modelVersion;
  }

  /** Version label of the model currently predicting. */
  get modelVersion(): string | undefined {
    return this.version;
  }

  private get retraining(): RetrainSpec | null {
    const r = this.opts.retrain;
    return r && r.every > 0 ? r : null;
  }

  private fresh(): SymbolState {
    return {
      stream: new FeatureStream(this.opts.features),
      regime: this.opts.regime === null ? null : new RegimeFilter(this.opts.regime ?? {}),
      fed: -1,
      actFrom: -1,
      history: [],
      predictions: new Map(),
    };
  }

  /** A new run: fresh feature state, and the starting model back in place. */
  private reset(series: readonly BarSeries[]): void {
    this.states = series.map(() => this.fresh());
    this.seen = series;
    this.signalLog.length = 0;
    this.entryCounts.signalled = 0;
    this.entryCounts.heldByRegime = 0;
    this.model = this.opts.model ?? null;
    this.version = this.opts.modelVersion;
    this.versions = 0;
    this.barsSinceFit = 0;
    this.lastDecisionTime = -Infinity;
  }

  init(series: readonly BarSeries[]): void {
    if (series !== this.seen || this.states.length !== series.length) this.reset(series);
  }

  private probability(symbol: string, time: number, vec: Float64Array | null): number {
    const table = this.opts.probabilities;
    if (table) return table.get(symbol)?.get(time) ?? NaN;
    if (!vec || !this.model) return NaN;
    this.row.set(vec);
    return this.model.predictPositive(makeMatrix(1, this.row.length, this.row))[0];
  }

  /** First bar index of `series` the model may act on: horizon + 1 bars after its last training bar. */
  private actFrom(series: BarSeries): number {
    const tt = this.opts.trainedThrough;
    if (!tt) return 0;
    let e = -1;
    for (let k = 0; k < series.length && series.time[k] <= tt.time; k++) e = k;
    return e + tt.horizon + 1;
  }

  /**
   * Refit on the last `lookback` resolved rows per symbol. At decision bar i of a symbol, row j is usable when
   * its label's close j + horizon is before i (j <= i - horizon - 1) and its features are complete.
   */
  private retrain(r: RetrainSpec, ctx: StrategyContext, time: number): void {
    const h = r.label.horizon;
    const cols = this.opts.features.length;
    const rows: Array<{ t: number; s: number; j: number }> = [];
    for (let s = 0; s < ctx.series.length; s++) {
      const i = ctx.index[s];
      const st = this.states[s];
      const last = i - h - 1;
      for (let j = Math.max(0, last - r.lookback + 1); j <= last; j++) if (st.history[j]) rows.push({ t: ctx.series[s].time[j], s, j });
    }
    if (rows.length < 2) return;
    rows.sort((a, b) => a.t - b.t || a.s - b.s);
    const data = new Float64Array(rows.length * cols);
    const y = new Uint8Array(rows.length);
    rows.forEach((row, k) => {
      data.set(this.states[row.s].history[row.j]!, k * cols);
      const c = ctx.series[row.s].close;
      y[k] = c[row.j + h] / c[row.j] - 1 > r.label.threshold ? 1 : 0;
    });
    const X = makeMatrix(rows.length, cols, data, this.opts.features);
    const model = r.factory();
    const fitted = model.fit(X, y);
    if (fitted instanceof Promise) throw new ValidationError('strategy.ml.retrain_every', 'needs a model whose fit is synchronous (rf, gbdt); set it to 0 for this model type');
    this.model = model;
    this.versions++;
    const hash = dataHash(X, y);
    this.version = `${r.name ?? 'model'}#${this.versions}@${hash.slice(0, 8)}`;
    this.barsSinceFit = 0;
    r.onRetrain?.({
      version: this.version,
      n: this.versions,
      fittedAt: time,
      trainingWindow: { start: isoDate(rows[0].t), end: isoDate(rows[rows.length - 1].t), rows: rows.length, endTime: new Date(rows[rows.length - 1].t).toISOString() },
      dataHash: hash,
      liveRecord: this.liveRecord(ctx, h, r.label.threshold),
    });
  }

  /** Classifier statistics of the live predictions whose labels resolved before the current bar. */
  private liveRecord(ctx: StrategyContext, h: number, threshold: number): ModelVersion['liveRecord'] {
    const prob: number[] = [];
    const y: number[] = [];
    this.states.forEach((st, s) => {
      const c = ctx.series[s].close;
      for (const [j, p] of st.predictions) {
        if (j + h > ctx.index[s] - 1) continue;
        prob.push(p);
        y.push(c[j + h] / c[j] - 1 > threshold ? 1 : 0);
      }
    });
    if (prob.length < 2) return null;
    const g = gateStatistics({ prob, y, labelHorizon: h });
    return { rows: g.rows, accuracy: g.accuracy, baseRate: g.baseRate, accuracyPValue: g.accuracyPValue, auc: g.auc, aucPValue: g.aucPValue };
  }

  /** "rsi_14 +0.080, volume_ratio +0.031 (log-odds)" for the bar just predicted, or '' when not explainable. */
  private explain(symbol: string, time: number, vec: Float64Array | null): { drivers: Driver[]; text: string } {
    const top = this.opts.topDrivers ?? 3;
    if (top <= 0) return { drivers: [], text: '' };
    if (this.opts.probabilities) {
      const text = this.opts.drivers?.get(symbol)?.get(time) ?? '';
      return { drivers: parseDrivers(text), text };
    }
    const model = this.model; // the model that made this prediction (live retraining replaces it)
    if (!vec || !model || !isExplainable(model)) return { drivers: [], text: '' };
    const e = model.explain(makeMatrix(1, vec.length, Float64Array.from(vec)));
    const drivers = topContributions(e, 0, this.opts.features, top, 5e-4);
    return { drivers, text: drivers.length ? `${formatContributions(drivers)} (${model.kind === 'rf' ? 'probability' : 'log-odds'})` : '' };
  }

  onBar(ctx: StrategyContext): readonly Intent[] {
    this.init(ctx.series);
    const r = this.retraining;
    let out: Intent[] | null = null;
    // Feed every symbol first: retraining at this bar needs every symbol's history up to it.
    const vecs: Array<Float64Array | null> = [];
    const regimes: Array<RegimeState | null> = [];
    for (let s = 0; s < ctx.series.length; s++) {
      vecs.push(null);
      regimes.push(null);
      if (ctx.updated[s] === 0) continue;
      const series = ctx.series[s];
      const i = ctx.index[s];
      let st = this.states[s];
      if (i < st.fed) {
        // A new run over the same series: start again from the starting model.
        this.reset(ctx.series);
        st = this.states[s];
      }
      let vec: Float64Array | null = null;
      let regime: RegimeState | null = null;
      for (let k = st.fed + 1; k <= i; k++) {
        vec = st.stream.update(barAt(series, k));
        if (st.regime) regime = st.regime.update(series.close[k]);
        if (r) st.history[k] = vec;
      }
      if (st.fed === i) {
        vec = st.stream.value;
        regime = st.regime?.state ?? null;
      }
      st.fed = i;
      if (st.actFrom < 0) st.actFrom = this.actFrom(series);
      vecs[s] = vec;
      regimes[s] = regime;
    }
    // Count decision bars (distinct bar times while acting) and retrain on schedule before predicting.
    const time0 = ctx.series.reduce((t, s, k) => (ctx.updated[k] ? Math.max(t, s.time[ctx.index[k]]) : t), -Infinity);
    const acting = ctx.series.some((_, k) => ctx.updated[k] !== 0 && ctx.index[k] >= this.states[k].actFrom && (this.opts.notBefore === undefined || ctx.series[k].time[ctx.index[k]] >= this.opts.notBefore));
    if (acting && time0 > this.lastDecisionTime) {
      this.lastDecisionTime = time0;
      if (r && this.barsSinceFit >= r.every) this.retrain(r, ctx, time0);
      this.barsSinceFit++;
    }
    for (let s = 0; s < ctx.series.length; s++) {
      if (ctx.updated[s] === 0) continue;
      const series = ctx.series[s];
      const i = ctx.index[s];
      const st = this.states[s];
      const vec = vecs[s];
      const regime = regimes[s];
      const time = series.time[i];
      if (this.opts.notBefore !== undefined && time < this.opts.notBefore) continue;
      if (i < st.actFrom) continue;
      const p = this.probability(series.symbol, time, vec);
      if (Number.isNaN(p)) continue;
      if (r) st.predictions.set(i, p);
      const held = ctx.portfolio.qtyAt(s);
      const allowLong = regime ? regime.allowLong : true;
      const mult = regime ? regime.sizeMultiplier : 1;
      const regimeInfo = regime ? { trend: regime.trend, highVol: regime.highVol, sizeMultiplier: mult } : null;
      let direction: 'long' | 'flat' | null = null;
      let reason = '';
      if (held <= 0 && p >= this.threshold) {
        this.entryCounts.signalled++;
        if (!allowLong) this.entryCounts.heldByRegime++;
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
        ...(this.version !== undefined ? { modelVersion: this.version } : {}),
      };
      (out ??= []).push(sig);
      if (this.signalLog.length < SIGNAL_LOG_LIMIT) this.signalLog.push({ time, symbol: series.symbol, direction, probability: p, reason: sig.reason, drivers: why.drivers });
    }
    return out ?? NO_INTENTS;
  }
}

export interface EntryCounts {
  signalled: number;
  heldByRegime: number;
}

/** What the ML strategy did with its confident predictions, in words (a run with 0 trades says why). */
export function describeEntryCounts(c: EntryCounts, threshold: number): string {
  if (c.signalled === 0) return `entries: no bar reached P(up) >= ${threshold} while flat, so the model never asked to buy`;
  const bars = (n: number) => `${n} bar${n === 1 ? '' : 's'}`;
  const held = c.heldByRegime === 0 ? 'none held back by the regime filter' : `${c.heldByRegime === c.signalled ? 'all' : bars(c.heldByRegime)} held back by the regime filter (trend not up; strategy.regime_filter)`;
  return `entries: ${bars(c.signalled)} reached P(up) >= ${threshold} while flat; ${held}`;
}

/** Drivers back from their text form "a +0.080, b -0.031 (log-odds)". */
export function parseDrivers(text: string): Driver[] {
  const out: Driver[] = [];
  for (const m of text.replace(/\s*\([^)]*\)\s*$/, '').matchAll(/([^\s,;]+) ([+-]\d+(?:\.\d+)?(?:e[+-]?\d+)?)/g)) out.push({ feature: m[1], contribution: Number(m[2]) });
  return out;
}
