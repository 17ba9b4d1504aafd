import { describe, expect, it } from 'vitest';
import { makeSeries, type BarSeries } from '../../lib/core/bars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { DEFAULT_FEATURES } from '../../lib/features/index.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import type { BinaryClassifier } from '../../lib/ml/model.js';
import { describeEntryCounts, MlStrategy, type MlSignal, type MlStrategyOptions, type ModelVersion } from '../../lib/strategy/ml/index.js';
import type { StrategyContext } from '../../lib/strategy/types.js';

const market = syntheticMarket({ symbols: ['SYNA', 'SYNB'], seed: 7, start: '2018-01-01', end: '2020-06-01' });
const other = syntheticMarket({ symbols: ['SYNA', 'SYNB'], seed: 99, start: '2018-01-01', end: '2020-06-01' });
const RSI = DEFAULT_FEATURES.indexOf('rsi_14');

/** P(up) from the RSI feature: a deterministic model whose output moves with every bar's features. */
class RsiModel implements BinaryClassifier {
  readonly kind = 'rf' as const;
  fit(): this {
    return this;
  }
  predictPositive(X: Matrix): Float64Array {
    return Float64Array.from({ length: X.rows }, (_, r) => 1 - X.data[r * X.cols + RSI] / 100);
  }
}

/** Predicts the training base rate (a model that learns only from its labels), with a fit counter. */
class BaseRateModel implements BinaryClassifier {
  readonly kind = 'rf' as const;
  p = NaN;
  fit(_X: Matrix, y: ArrayLike<number>): this {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    this.p = s / y.length;
    return this;
  }
  predictPositive(X: Matrix): Float64Array {
    return new Float64Array(X.rows).fill(this.p);
  }
}

/** Drive the strategy bar by bar over `series`, flat/long book-keeping only; returns decision lines. */
function drive(s: MlStrategy, series: readonly BarSeries[], bars: number, onStep?: (i: number) => void, keepFlat = false): string[] {
  const qty = new Float64Array(series.length);
  const portfolio = { qtyAt: (i: number) => qty[i] } as unknown as StrategyContext['portfolio'];
  const out: string[] = [];
  for (let i = 0; i < bars; i++) {
    onStep?.(i);
    const ctx: StrategyContext = { time: series[0].time[i], series, index: Int32Array.from(series.map(() => i)), updated: Uint8Array.from(series.map(() => 1)), portfolio };
    for (const intent of s.onBar(ctx)) {
      const sig = intent as MlSignal;
      out.push(`${i} ${sig.symbol} ${sig.direction} p=${sig.probability} ${JSON.stringify(sig.regime)} ${sig.modelVersion ?? ''}`);
      if (!keepFlat) qty[series.findIndex((x) => x.symbol === sig.symbol)] = sig.direction === 'long' ? 1 : 0;
    }
  }
  return out;
}

/**
 * A series whose bars after the current step come from another market: at step i, bars 0..i are the real
 * ones and every later bar is the other market's. A strategy that reads bar i+1 at step i sees the wrong bar.
 */
function growingSeries(real: BarSeries, fake: BarSeries): { series: BarSeries; reveal: (i: number) => void } {
  const cols = { time: real.time.slice(), open: fake.open.slice(), high: fake.high.slice(), low: fake.low.slice(), close: fake.close.slice(), volume: fake.volume.slice() };
  const series = makeSeries(real.symbol, real.interval, cols);
  const reveal = (i: number) => {
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) (series[k] as Float64Array)[i] = real[k][i];
  };
  return { series, reveal };
}

describe('ML strategy: no look-ahead at any bar', () => {
  it("decides bar i from bars <= i only: features and regime (bars after i scrambled at every step)", () => {
    const opts: MlStrategyOptions = { model: new RsiModel(), features: DEFAULT_FEATURES, threshold: 0.6, regime: {} };
    const n = 450;
    const full = drive(new MlStrategy(opts), market, n);
    const grown = market.map((s, k) => growingSeries(s, other[k]));
    const scrambled = drive(new MlStrategy(opts), grown.map((g) => g.series), n, (i) => grown.forEach((g) => g.reveal(i)));
    expect(full.length).toBeGreaterThan(10);
    expect(full.some((d) => d.includes('"trend":"up"'))).toBe(true);
    expect(scrambled).toEqual(full);
  });

  it('retraining at bar i uses no close from bar i on (scrambled future, same versions and data hashes)', () => {
    const versions = (series: readonly BarSeries[], onStep?: (i: number) => void) => {
      const seen: ModelVersion[] = [];
      const s = new MlStrategy({
        model: new BaseRateModel().fit(null as unknown as Matrix, [1, 0]),
        features: DEFAULT_FEATURES,
        threshold: 0.6,
        regime: null,
        retrain: { every: 20, lookback: 100, label: { horizon: 3, threshold: 0 }, factory: () => new BaseRateModel(), name: 't', onRetrain: (v) => seen.push(v) },
      });
      drive(s, series, 400, onStep);
      return seen;
    };
    const full = versions(market);
    const grown = market.map((s, k) => growingSeries(s, other[k]));
    const scrambled = versions(grown.map((g) => g.series), (i) => grown.forEach((g) => g.reveal(i)));
    expect(full.length).toBe(19); // bars 20, 40, ..., 380
    expect(scrambled.map((v) => v.dataHash)).toEqual(full.map((v) => v.dataHash));
    expect(scrambled.map((v) => v.version)).toEqual(full.map((v) => v.version));
  });
});

describe('ML strategy: confidence threshold and out-of-sample start', () => {
  const table = (p: number) => new Map(market.map((s) => [s.symbol, new Map(Array.from(s.time, (t) => [t, p] as [number, number]))]));
  it('goes long only at or above the confidence threshold', () => {
    const below = drive(new MlStrategy({ features: DEFAULT_FEATURES, probabilities: table(0.599), threshold: 0.6, regime: null }), market, 50);
    expect(below).toEqual([]);
    const at = drive(new MlStrategy({ features: DEFAULT_FEATURES, probabilities: table(0.6), threshold: 0.6, regime: null }), market, 50);
    expect(at.length).toBe(2);
    expect(at[0]).toMatch(/^0 SYNA long p=0.6/);
  });

  it('counts confident bars while flat and those the regime filter held back, and says so in words', () => {
    // P = 0.7 on every bar, never entered (keepFlat): every bar that gets a probability counts once per symbol.
    const off = new MlStrategy({ features: DEFAULT_FEATURES, probabilities: table(0.7), threshold: 0.6, regime: null });
    drive(off, market, 300, undefined, true);
    expect(off.entryCounts).toEqual({ signalled: 600, heldByRegime: 0 });
    const on = new MlStrategy({ features: DEFAULT_FEATURES, probabilities: table(0.7), threshold: 0.6, regime: {} });
    const longs = drive(on, market, 300, undefined, true).filter((d) => d.includes(' long '));
    expect(on.entryCounts.signalled).toBe(600);
    // held back = confident bars that did not become a long signal (trend not up, incl. its 200-bar warm-up)
    expect(on.entryCounts.heldByRegime).toBe(600 - longs.length);
    expect(on.entryCounts.heldByRegime).toBeGreaterThan(400);
    expect(longs.length).toBeGreaterThan(0);
    expect(describeEntryCounts(on.entryCounts, 0.6)).toBe(`entries: 600 bars reached P(up) >= 0.6 while flat; ${600 - longs.length} bars held back by the regime filter (trend not up; strategy.regime_filter)`);
    expect(describeEntryCounts({ signalled: 8, heldByRegime: 8 }, 0.6)).toBe('entries: 8 bars reached P(up) >= 0.6 while flat; all held back by the regime filter (trend not up; strategy.regime_filter)');
    expect(describeEntryCounts({ signalled: 0, heldByRegime: 0 }, 0.6)).toBe('entries: no bar reached P(up) >= 0.6 while flat, so the model never asked to buy');
    // a new run starts the counts over
    drive(on, market, 10, undefined, true);
    expect(on.entryCounts.signalled).toBe(20);
  });

  it('acts from horizon + 1 bars after the last training bar, counted in bars (not calendar days)', () => {
    // Last training bar: index 100 (a Friday's bars follow a weekend: calendar days would start too early).
    for (const horizon of [1, 5]) {
      const e = 100;
      const s = new MlStrategy({ model: new BaseRateModel().fit(null as unknown as Matrix, [1, 1]), features: DEFAULT_FEATURES, threshold: 0.6, regime: null, trainedThrough: { time: market[0].time[e], horizon } });
      const d = drive(s, market, 200);
      expect(d[0].split(' ')[0]).toBe(String(e + horizon + 1));
    }
  });
});

describe('ML strategy: live retraining', () => {
  it('retrains every `every` decision bars on the last `lookback` resolved bars, stamps versions on signals', () => {
    const seen: ModelVersion[] = [];
    const e = 200;
    const h = 2;
    const s = new MlStrategy({
      model: new BaseRateModel().fit(null as unknown as Matrix, [1, 1]),
      modelVersion: 'base#0',
      features: DEFAULT_FEATURES,
      threshold: 0.6,
      regime: null,
      trainedThrough: { time: market[0].time[e], horizon: h },
      // Label threshold -1: every label is 1, so each version predicts 1 and the (never filled) book signals every bar.
      retrain: { every: 10, lookback: 50, label: { horizon: h, threshold: -1 }, factory: () => new BaseRateModel(), name: 'm', onRetrain: (v) => seen.push(v) },
    });
    const d = drive(s, market, 300, undefined, true);
    const start = e + h + 1; // first decision bar
    // Versions at decision bars start+10, start+20, ... < 300.
    expect(seen.map((v) => v.fittedAt)).toEqual(Array.from({ length: Math.floor((299 - start) / 10) }, (_, k) => market[0].time[start + 10 * (k + 1)]));
    for (const v of seen) {
      const i = market[0].time.indexOf(v.fittedAt);
      // Labels need close j + h <= i - 1: the last training bar is i - h - 1, the window 50 bars per symbol.
      expect(v.trainingWindow.endTime).toBe(new Date(market[0].time[i - h - 1]).toISOString());
      expect(v.trainingWindow.rows).toBe(50 * 2);
      expect(v.trainingWindow.start).toBe(new Date(market[0].time[i - h - 50]).toISOString().slice(0, 10));
      expect(v.version).toMatch(new RegExp(`^m#${v.n}@[0-9a-f]{8}$`));
    }
    expect(seen[1].liveRecord?.rows).toBeGreaterThan(0);
    // Signals before the first retrain carry the base version, later ones the current version.
    const first = d.find((x) => Number(x.split(' ')[0]) >= start)!;
    expect(first.endsWith('base#0')).toBe(true);
    const late = d.filter((x) => Number(x.split(' ')[0]) >= start + 10);
    expect(late.length).toBeGreaterThan(0);
    for (const x of late) expect(x).toMatch(/ m#\d+@[0-9a-f]{8}$/);
  });

  it('every = 0 never retrains; a precomputed-probability strategy cannot retrain', () => {
    const seen: ModelVersion[] = [];
    const s = new MlStrategy({ model: new BaseRateModel().fit(null as unknown as Matrix, [1, 1]), features: DEFAULT_FEATURES, threshold: 0.6, regime: null, retrain: { every: 0, lookback: 50, label: { horizon: 1, threshold: 0 }, factory: () => new BaseRateModel(), onRetrain: (v) => seen.push(v) } });
    drive(s, market, 200);
    expect(seen).toEqual([]);
    expect(() => new MlStrategy({ features: DEFAULT_FEATURES, probabilities: new Map(), retrain: { every: 5, lookback: 50, label: { horizon: 1, threshold: 0 }, factory: () => new BaseRateModel() } })).toThrow(/ml.retrain/);
  });
});
