/** Drawdown (underwater) series and the worst drawdown by depth and by duration. */
import { DAY_MS } from './returns.js';
import type { EquityCurve } from './types.js';

/** dd[i] = equity[i] / max(equity[0..i]) - 1: 0 at a new high, negative below it (-0.2 = 20 % under the peak). */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const n = equity.length;
  const out = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    out[i] = peak > 0 ? e / peak - 1 : 0;
  }
  return out;
}

export interface DrawdownStats {
  /** Deepest drawdown as a negative fraction; 0 when the curve never falls below a previous peak. */
  readonly maxDrawdown: number;
  /** Bar index of the peak before the deepest trough, and of the trough itself (-1 when no drawdown). */
  readonly peakIndex: number;
  readonly troughIndex: number;
  /** Longest underwater stretch: from its peak bar to the first bar back at or above the peak (or the last bar). */
  readonly longestBars: number;
  readonly longestDays: number;
  readonly longestStart: number;
  /** End bar of the longest stretch; -1 when there is none. */
  readonly longestEnd: number;
  /** Whether the longest stretch ended with a recovery (false: still underwater at the last bar). */
  readonly longestRecovered: boolean;
}

export function drawdownStats(curve: EquityCurve): DrawdownStats {
  const { time, equity } = curve;
  const n = equity.length;
  let peak = -Infinity;
  let peakIdx = -1;
  let maxDd = 0;
  let ddPeak = -1;
  let ddTrough = -1;
  let longest = 0;
  let longestDays = 0;
  let lStart = -1;
  let lEnd = -1;
  let lRecovered = false;
  // A stretch runs from the peak bar while equity stays below the peak; it closes on the bar that regains it.
  const closeStretch = (endIdx: number, recovered: boolean): void => {
    if (peakIdx < 0 || endIdx <= peakIdx) return;
    const bars = endIdx - peakIdx;
    if (bars > longest) {
      longest = bars;
      longestDays = (time[endIdx] - time[peakIdx]) / DAY_MS;
      lStart = peakIdx;
      lEnd = endIdx;
      lRecovered = recovered;
    }
  };
  let under = false;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    if (e >= peak) {
      if (under) closeStretch(i, true);
      under = false;
      peak = e;
      peakIdx = i;
      continue;
    }
    under = true;
    const dd = peak > 0 ? e / peak - 1 : 0;
    if (dd < maxDd) {
      maxDd = dd;
      ddPeak = peakIdx;
      ddTrough = i;
    }
  }
  if (under) closeStretch(n - 1, false);
  return {
    maxDrawdown: maxDd,
    peakIndex: ddPeak,
    troughIndex: ddTrough,
    longestBars: longest,
    longestDays,
    longestStart: lStart,
    longestEnd: lEnd,
    longestRecovered: lRecovered,
  };
}

/** One underwater stretch: from a peak, through its lowest point, to the first bar back at the peak. */
export interface DrawdownPeriod {
  /** Bar index of the peak the stretch falls from. */
  readonly peakIndex: number;
  /** Bar index of the lowest equity in the stretch. */
  readonly valleyIndex: number;
  /** Bar index of the recovery (first bar at or above the peak); null if still underwater at the last bar. */
  readonly recoveryIndex: number | null;
  /** valley / peak - 1 (negative fraction). */
  readonly depth: number;
  /** Calendar days from the peak to the recovery (or to the last bar). */
  readonly days: number;
}

/**
 * Every drawdown period, deepest first (ties: the earlier first); `limit` keeps the worst few (quantstats'
 * drawdown_details sorted by depth). A stretch starts at the last peak before equity falls below it.
 */
export function drawdownPeriods(curve: EquityCurve, limit = Infinity): DrawdownPeriod[] {
  const { time, equity } = curve;
  const n = equity.length;
  const out: DrawdownPeriod[] = [];
  let peak = -Infinity;
  let peakIdx = -1;
  let valleyIdx = -1;
  const close = (end: number, recovered: boolean): void => {
    out.push({
      peakIndex: peakIdx,
      valleyIndex: valleyIdx,
      recoveryIndex: recovered ? end : null,
      depth: peak > 0 ? equity[valleyIdx] / peak - 1 : 0,
      days: (time[end] - time[peakIdx]) / DAY_MS,
    });
  };
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    if (e >= peak) {
      if (valleyIdx >= 0) close(i, true);
      peak = e;
      peakIdx = i;
      valleyIdx = -1;
    } else if (valleyIdx < 0 || e < equity[valleyIdx]) {
      valleyIdx = i;
    }
  }
  if (valleyIdx >= 0) close(n - 1, false);
  out.sort((a, b) => a.depth - b.depth || a.peakIndex - b.peakIndex);
  return Number.isFinite(limit) ? out.slice(0, Math.max(0, limit)) : out;
}
