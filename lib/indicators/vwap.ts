/**
 * Volume-weighted average price of the typical price (high+low+close)/3, restarting every session.
 * A session is a calendar day in UTC shifted by `sessionOffsetMs` (e.g. -5h to cut at New York midnight);
 * US equity sessions never straddle UTC midnight, so the default 0 suits them. On daily bars each bar is its own
 * session and the VWAP equals the typical price. `anchor: 'none'` never restarts (a cumulative VWAP).
 * Until the session has traded any volume the value is the bar's typical price. Lookback 0.
 */
import { ValidationError } from '../core/errors.js';
import { Streaming, checkFinite, checkSameLength, warmupArray, type THLCV, type Values } from './contract.js';

export interface VwapOptions {
  readonly anchor?: 'session' | 'none';
  readonly sessionOffsetMs?: number;
}

const DAY_MS = 86_400_000;

function params(o: VwapOptions): [boolean, number] {
  const anchor = o.anchor ?? 'session';
  if (anchor !== 'session' && anchor !== 'none') {
    throw new ValidationError('vwap.anchor', 'must be "session" or "none"', anchor);
  }
  return [anchor === 'session', checkFinite('vwap.sessionOffsetMs', o.sessionOffsetMs ?? 0)];
}

export function vwap(time: Values, high: Values, low: Values, close: Values, volume: Values, opts: VwapOptions = {}): Float64Array {
  const [session, offset] = params(opts);
  const n = checkSameLength('vwap', { time, high, low, close, volume });
  const out = warmupArray(n, 0);
  let day = NaN;
  let pv = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.floor((time[i] + offset) / DAY_MS);
    if (session && d !== day) {
      day = d;
      pv = 0;
      v = 0;
    }
    const tp = (high[i] + low[i] + close[i]) / 3;
    pv += tp * volume[i];
    v += volume[i];
    out[i] = v > 0 ? pv / v : tp;
  }
  return out;
}

export class Vwap extends Streaming<THLCV, number> {
  readonly lookback = 0;
  private readonly session: boolean;
  private readonly offset: number;
  private day = NaN;
  private pv = 0;
  private v = 0;

  constructor(opts: VwapOptions = {}) {
    super();
    [this.session, this.offset] = params(opts);
  }
  protected step(bar: THLCV): number {
    const d = Math.floor((bar.time + this.offset) / DAY_MS);
    if (this.session && d !== this.day) {
      this.day = d;
      this.pv = 0;
      this.v = 0;
    }
    const tp = (bar.high + bar.low + bar.close) / 3;
    this.pv += tp * bar.volume;
    this.v += bar.volume;
    return this.v > 0 ? this.pv / this.v : tp;
  }
  protected clear(): void {
    this.day = NaN;
    this.pv = 0;
    this.v = 0;
  }
}
