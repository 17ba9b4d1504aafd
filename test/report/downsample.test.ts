/**
 * Display downsampling: LTTB on hand-checked cases, forced points, OHLC blocks, and a 1,000,000-bar report
 * with 200,000 trades that stays under 5 MB with every trade marker.
 */
import { describe, expect, it } from 'vitest';
import { makeSeries } from '../../lib/core/bars.js';
import type { ClosedTrade } from '../../lib/metrics/index.js';
import { displayIndices, lttb, ohlcBlocks, renderReport, DISPLAY_POINTS } from '../../lib/report/index.js';
import { MARKER_UNPACK_JS, type PackedMarkers } from '../../lib/report/markers.js';

describe('LTTB (Steinarsson 2013)', () => {
  it('keeps the peak of a 5-point series at threshold 3', () => {
    // one bucket (points 1..3) between the first and the last point; next-bucket mean = (4, 0);
    // triangle area with a = (0, 0) is |(0 - 4)(y - 0) - (0 - x)(0 - 0)| / 2 = 2|y| -> the peak y = 5 at index 3
    expect(Array.from(lttb([0, 1, 2, 3, 4], [0, 1, 0, 5, 0], 3))).toEqual([0, 3, 4]);
  });

  it('8 points down to 4, worked by hand', () => {
    // every = (8 - 2) / (4 - 2) = 3: buckets {1,2,3} and {4,5,6}.
    // bucket 1: a = (0,0), next mean = x 5, y (3 - 6 + 4)/3 = 1/3; 2 x area = |-5 y + x/3|: 9.67, 44.3, 4 -> index 2
    // bucket 2: a = (2,9), next = last point (7,0); 2 x area = |-5 (y - 9) + 9 (2 - x)|: 12, 48, 11 -> index 5
    const y = [0, 2, 9, 1, 3, -6, 4, 0];
    expect(Array.from(lttb([0, 1, 2, 3, 4, 5, 6, 7], y, 4))).toEqual([0, 2, 5, 7]);
  });

  it('returns every index when the series is short enough', () => {
    expect(Array.from(lttb([0, 1, 2], [5, 6, 7], 10))).toEqual([0, 1, 2]);
    expect(Array.from(lttb([0, 1, 2, 3], [5, 6, 7, 8], 2))).toEqual([0, 1, 2, 3]);
  });

  it('keeps the extremes of a long noisy series', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 5000) + 0.01 * Math.sin(i * 1.7));
    y[31_337] = 9; // a spike
    y[77_777] = -9;
    const idx = lttb(x, y, 1000);
    expect(idx.length).toBe(1000);
    expect(Array.from(idx)).toContain(31_337);
    expect(Array.from(idx)).toContain(77_777);
    for (let k = 1; k < idx.length; k++) expect(idx[k]).toBeGreaterThan(idx[k - 1]);
  });

  it('displayIndices adds the forced points and skips gaps', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7];
    const y = [0, 2, 9, 1, 3, -6, 4, 0];
    expect(Array.from(displayIndices(x, y, 4, [3, 6, 99]))).toEqual([0, 2, 3, 5, 6, 7]);
    // the first NaN of a gap is kept (drawn as a break), leading NaNs are not
    expect(Array.from(displayIndices([0, 1, 2, 3], [NaN, 1, NaN, 2], 10))).toEqual([1, 2, 3]);
    expect(Array.from(displayIndices([0, 1, 2, 3, 4], [1, NaN, NaN, 2, 3], 10))).toEqual([0, 1, 3, 4]);
  });

  it('ohlcBlocks: first open, highest high, lowest low, last close per block', () => {
    const b = ohlcBlocks({ time: [1, 2, 3, 4, 5], open: [10, 11, 12, 13, 14], high: [11, 15, 13, 14, 16], low: [9, 10, 8, 12, 13], close: [11, 12, 13, 14, 15] }, 2);
    expect(b.size).toBe(3);
    expect([...b.time, ...b.open, ...b.high, ...b.low, ...b.close]).toEqual([1, 4, 10, 13, 15, 16, 8, 12, 13, 15]);
    expect(ohlcBlocks({ time: [1], open: [1], high: [1], low: [1], close: [1] }, 1200).size).toBe(1);
  });
});

describe('a 1,000,000-bar report with 200,000 trades', () => {
  it('stays under 5 MB and keeps every trade marker at its exact time, its price to the cent, its size and P&L', () => {
    const n = 1_000_000;
    const MIN = 60_000;
    const t0 = Date.UTC(2015, 0, 5, 14, 30);
    let x = 7;
    const rnd = () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 4294967296;
    };
    const time = new Float64Array(n);
    const open = new Float64Array(n);
    const close = new Float64Array(n);
    let p = 100;
    for (let i = 0; i < n; i++) {
      time[i] = t0 + i * MIN;
      open[i] = p;
      p *= Math.exp((rnd() - 0.5) * 0.004); // a random walk, ~0.1 % a minute
      close[i] = p;
    }
    const high = close.map((c, i) => Math.max(c, open[i]) * 1.0002);
    const low = close.map((c, i) => Math.min(c, open[i]) * 0.9998);
    const series = makeSeries('SYN', '1m', { time, open, high, low, close, volume: new Float64Array(n).fill(100) });
    // As an all-in strategy trades: at the open, every share the equity buys, each trade closed before the next
    // (every 7th a short); 1 to 9 bars held and 1 to 0 bars apart, so 200,000 trades fill the million bars.
    const trades: ClosedTrade[] = [];
    const equity = new Float64Array(n);
    let e = 1_000_000;
    for (let i = 1, k = 0; k < 200_000 && i + 10 < n; k++) {
      const j = i + 1 + Math.floor(rnd() * 3);
      const side = k % 7 === 6 ? 'short' : 'long';
      const qty = Math.floor(e / open[i]);
      const pnl = (open[j] - open[i]) * qty * (side === 'long' ? 1 : -1);
      e += pnl;
      trades.push({ symbol: 'SYN', side, entryTime: time[i], entryPrice: String(open[i]), exitTime: time[j], exitPrice: String(open[j]), qty: String(qty), pnl: pnl.toFixed(8), fees: '0' });
      for (let b = i; b < j + 2 && b < n; b++) equity[b] = e;
      i = j + 1 + Math.floor(rnd() * 2);
    }
    expect(trades.length).toBe(200_000);
    equity[0] = 1_000_000;
    for (let b = 1; b < n; b++) if (equity[b] === 0) equity[b] = equity[b - 1];
    const input = { equity: { time, equity }, benchmark: { time, equity: close.map((c) => c * 10_000) }, series: [series], periodsPerYear: 252 * 390, maxTradeRows: 500 };
    const html = renderReport({ ...input, trades });
    const bytes = Buffer.byteLength(html, 'utf8');
    expect(bytes).toBeLessThan(5_000_000);
    // the markers cost under 12 bytes a trade (~9.7 here; as JSON points they took ~90)
    const without = Buffer.byteLength(renderReport({ ...input, trades: trades.slice(0, 500) }), 'utf8');
    expect((bytes - without) / (trades.length - 500)).toBeLessThan(12);

    const data = JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)![1]) as {
      charts: Record<string, { data: Array<{ x: unknown[]; y: unknown[] }> }>;
      candles: Array<{ data: Array<{ name: string; x: string[] }>; markers: { packed: PackedMarkers; traces: Array<{ group: number; trace: { name: string } }> } }>;
    };
    // lines thinned to about DISPLAY_POINTS (plus the few forced points)
    expect(data.charts['chart-equity'].data[0].x.length).toBeLessThanOrEqual(DISPLAY_POINTS + 1);
    expect(data.charts['chart-drawdown'].data[0].x.length).toBeLessThanOrEqual(DISPLAY_POINTS + 16); // + the trough and 3 points per shaded period
    // candles resampled into blocks
    expect(data.candles[0].data[0].x.length).toBeLessThanOrEqual(1200);
    // every entry and every exit marker, unpacked by the page's own code
    const { markers } = data.candles[0];
    expect(markers.traces.map((m) => [m.group, m.trace.name])).toEqual([
      [0, 'Entry long'],
      [1, 'Entry short'],
      [2, 'Exit'],
      [3, 'Exit'],
    ]);
    const unpack = new Function(`${MARKER_UNPACK_JS}; return unpackMarkers;`)() as (p: PackedMarkers) => Array<{ t: number[]; y: number[]; q: number[]; pnl: number[] | null }>;
    const cols = unpack(markers.packed);
    for (const [g, side, entry] of [
      [0, 'long', true],
      [1, 'short', true],
      [2, 'long', false],
      [3, 'short', false],
    ] as const) {
      const want = trades.filter((t) => t.side === side);
      const c = cols[g];
      expect(c.t).toEqual(want.map((t) => (entry ? t.entryTime : t.exitTime)));
      expect(c.y).toEqual(want.map((t) => Number(Number(entry ? t.entryPrice : t.exitPrice).toFixed(2))));
      expect(c.q).toEqual(want.map((t) => Number(t.qty)));
      expect(c.pnl).toEqual(entry ? null : want.map((t) => Number(Number(t.pnl).toFixed(2))));
    }
  }, 120_000);
});
