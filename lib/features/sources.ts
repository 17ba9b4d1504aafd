/**
 * The inputs features are built from ("sources"): price and volume columns, lags and indicators with fixed
 * parameters. Each source has a batch form (a column over the whole series, NaN in its warm-up) and a
 * streaming form (update(bar) -> number, NaN in its warm-up); both come from lib/indicators, whose contract
 * test proves they agree bit for bit. Features combine sources with one shared formula, so batch and stream
 * agree too.
 */
import type { Bar, BarSeries } from '../core/bars.js';
import * as I from '../indicators/index.js';

export interface Source {
  readonly key: string;
  /** Bars consumed before the first finite value. */
  readonly lookback: number;
  batch(s: BarSeries): Float64Array;
  stream(): (bar: Bar) => number;
}

const orNaN = (v: number | null): number => (v === null ? NaN : v);

function closeSource(key: string, lookback: number, batch: (c: Float64Array) => Float64Array, make: () => I.StreamingIndicator<number, number>): Source {
  return {
    key,
    lookback,
    batch: (s) => batch(s.close),
    stream: () => {
      const ind = make();
      return (b) => orNaN(ind.update(b.close));
    },
  };
}

function barSource<T>(key: string, lookback: number, batch: (s: BarSeries) => Float64Array, make: () => I.StreamingIndicator<Bar, T>, pick: (v: T) => number): Source {
  return {
    key,
    lookback,
    batch,
    stream: () => {
      const ind = make();
      return (b) => {
        const v = ind.update(b);
        return v === null ? NaN : pick(v);
      };
    },
  };
}

/** x[t-k]: a lag of the close (NaN for the first k bars). */
function closeLag(k: number): Source {
  return {
    key: `close_lag_${k}`,
    lookback: k,
    batch: (s) => {
      const out = I.nanArray(s.length);
      for (let i = k; i < s.length; i++) out[i] = s.close[i - k];
      return out;
    },
    stream: () => {
      const ring = new Float64Array(k + 1);
      let i = 0;
      return (b) => {
        ring[i % (k + 1)] = b.close;
        const v = i >= k ? ring[(i + 1) % (k + 1)] : NaN;
        i++;
        return v;
      };
    },
  };
}

const macdLb = I.macdLookback();
const stochLb = new I.Stochastic().lookback;

const LIST: readonly Source[] = [
  { key: 'close', lookback: 0, batch: (s) => s.close, stream: () => (b) => b.close },
  { key: 'volume', lookback: 0, batch: (s) => s.volume, stream: () => (b) => b.volume },
  closeLag(1),
  closeLag(5),
  closeLag(10),
  closeLag(20),
  ...[5, 10, 20, 50].map((p) => closeSource(`sma_${p}`, p - 1, (c) => I.sma(c, p), () => new I.Sma(p))),
  ...[12, 26].map((p) => closeSource(`ema_${p}`, p - 1, (c) => I.ema(c, p), () => new I.Ema(p))),
  closeSource('rsi_14', 14, (c) => I.rsi(c, 14), () => new I.Rsi(14)),
  closeSource('volatility_20', 20, (c) => I.volatility(c, 20), () => new I.Volatility(20)),
  barSource('macd', macdLb, (s) => I.macd(s.close).macd, () => adaptClose(new I.Macd()), (v) => v.macd),
  barSource('macd_signal', macdLb, (s) => I.macd(s.close).signal, () => adaptClose(new I.Macd()), (v) => v.signal),
  barSource('macd_hist', macdLb, (s) => I.macd(s.close).hist, () => adaptClose(new I.Macd()), (v) => v.hist),
  barSource('bb_percent_b', 19, (s) => I.bollinger(s.close).percentB, () => adaptClose(new I.BollingerBands()), (v) => v.percentB),
  barSource('bb_width', 19, (s) => I.bollinger(s.close).width, () => adaptClose(new I.BollingerBands()), (v) => v.width),
  barSource('volume_sma_20', 19, (s) => I.sma(s.volume, 20), () => adaptVolume(new I.Sma(20)), (v) => v),
  barSource('volume_std_20', 19, (s) => I.rollingStd(s.volume, 20, 0), () => adaptVolume(new I.RollingStd(20, 0)), (v) => v),
  barSource('atr_14', 14, (s) => I.atr(s.high, s.low, s.close, 14), () => new I.Atr(14), (v) => v),
  barSource('adx_14', 27, (s) => I.adx(s.high, s.low, s.close, 14), () => new I.Adx(14), (v) => v),
  barSource('stoch_k', stochLb, (s) => I.stochastic(s.high, s.low, s.close).k, () => new I.Stochastic(), (v) => v.k),
  barSource('stoch_d', stochLb, (s) => I.stochastic(s.high, s.low, s.close).d, () => new I.Stochastic(), (v) => v.d),
];

/** Feeds a close-based indicator from bars. */
function adaptClose<T>(ind: I.StreamingIndicator<number, T>): I.StreamingIndicator<Bar, T> {
  return adaptInput(ind, (b) => b.close);
}
function adaptVolume<T>(ind: I.StreamingIndicator<number, T>): I.StreamingIndicator<Bar, T> {
  return adaptInput(ind, (b) => b.volume);
}
function adaptInput<T>(ind: I.StreamingIndicator<number, T>, pick: (b: Bar) => number): I.StreamingIndicator<Bar, T> {
  return {
    get lookback() {
      return ind.lookback;
    },
    get count() {
      return ind.count;
    },
    get value() {
      return ind.value;
    },
    get isStable() {
      return ind.isStable;
    },
    update: (b) => ind.update(pick(b)),
    reset: () => ind.reset(),
  };
}

const SOURCES: ReadonlyMap<string, Source> = new Map(LIST.map((s) => [s.key, s]));

export function source(key: string): Source {
  const s = SOURCES.get(key);
  if (!s) throw new Error(`features: no source "${key}" (a bug in the feature registry)`);
  return s;
}
