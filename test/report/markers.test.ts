/**
 * Packed trade markers: what the page unpacks (the in-page JavaScript itself, run here) is every marker at its
 * exact time, its price to the hover's decimals, its quantity and its P&L to the cent.
 */
import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from '../../lib/metrics/index.js';
import { MARKER_UNPACK_JS, packTradeMarkers, type PackedMarkers } from '../../lib/report/markers.js';

interface Unpacked {
  t: number[];
  y: number[];
  q: number[];
  pnl: number[] | null;
}
const unpack = new Function(`${MARKER_UNPACK_JS}; return unpackMarkers;`)() as (p: PackedMarkers) => Unpacked[];

const MIN = 60_000;
const t0 = Date.UTC(2020, 0, 2, 14, 30);

describe('packTradeMarkers + the page unpacker', () => {
  it('round-trips long and short trades, worked by hand', () => {
    const trades: ClosedTrade[] = [
      { symbol: 'A', side: 'long', entryTime: t0, entryPrice: '101.2349', exitTime: t0 + 3 * MIN, exitPrice: '95.005', qty: '300', pnl: '-372.0', fees: '1' },
      { symbol: 'A', side: 'short', entryTime: t0 + 5 * MIN, entryPrice: '100', exitTime: t0 + 9 * MIN, exitPrice: '98.5', qty: '250', pnl: '375.004', fees: '0' },
      { symbol: 'A', side: 'long', entryTime: t0 + 10 * MIN, entryPrice: '98.504', exitTime: t0 + 70 * MIN, exitPrice: '120', qty: '12', pnl: '257.95', fees: '0' },
    ];
    const p = packTradeMarkers(trades, 2);
    expect(p.counts).toEqual([2, 1, 2, 1]);
    expect(p.timeUnit).toBe(MIN); // every time is a whole minute (and t0 one too)
    expect(p.qtyWhole).toBe(true);
    const [el, es, xl, xs] = unpack(p);
    expect(el).toEqual({ t: [t0, t0 + 10 * MIN], y: [101.23, 98.5], q: [300, 12], pnl: null });
    expect(es).toEqual({ t: [t0 + 5 * MIN], y: [100], q: [250], pnl: null });
    // 95.005 is stored as 95.00499999999999545... and rounds down, as toFixed(2) and the hover do (95.005 * 100 is 9500.5)
    expect(xl).toEqual({ t: [t0 + 3 * MIN, t0 + 70 * MIN], y: [95, 120], q: [300, 12], pnl: [-372, 257.95] });
    expect(xs).toEqual({ t: [t0 + 9 * MIN], y: [98.5], q: [250], pnl: [375] });
  });

  it('fractional quantities travel as float64, odd times in ms, sub-cent prices to the decimals asked', () => {
    const trades: ClosedTrade[] = [
      { symbol: 'X', side: 'long', entryTime: 1_000_003, entryPrice: '0.00123456', exitTime: 2_000_001, exitPrice: '0.0021', qty: '0.125', pnl: '0.0001', fees: '0' },
      { symbol: 'X', side: 'long', entryTime: 2_500_000, entryPrice: '0.0019', exitTime: 2_600_000, exitPrice: '0.00181', qty: '1234567.5', pnl: '-111.11', fees: '0' },
    ];
    const p = packTradeMarkers(trades, 6);
    expect(p.qtyWhole).toBe(false);
    expect(p.timeUnit).toBe(1);
    const [el, , xl] = unpack(p);
    expect(el).toEqual({ t: [1_000_003, 2_500_000], y: [0.001235, 0.0019], q: [0.125, 1234567.5], pnl: null });
    expect(xl).toEqual({ t: [2_000_001, 2_600_000], y: [0.0021, 0.00181], q: [0.125, 1234567.5], pnl: [0, -111.11] });
  });

  it('large integers beyond 32 bits survive (varints use arithmetic, not bit operators)', () => {
    // times in ms (one is off the second) ~2^41, a quantity of 5 billion, P&L of -15 billion and the fees
    const trades: ClosedTrade[] = [
      { symbol: 'B', side: 'long', entryTime: Date.UTC(1990, 0, 1) + 1, entryPrice: '4.5', exitTime: Date.UTC(2030, 0, 1), exitPrice: '1.5', qty: '5000000001', pnl: '-15000000003.37', fees: '0.37' },
    ];
    const p = packTradeMarkers(trades, 2);
    expect(p.timeUnit).toBe(1);
    const [el, , xl] = unpack(p);
    expect(el).toEqual({ t: [Date.UTC(1990, 0, 1) + 1], y: [4.5], q: [5000000001], pnl: null });
    expect(xl).toEqual({ t: [Date.UTC(2030, 0, 1)], y: [1.5], q: [5000000001], pnl: [-15000000003.37] });
  });

  it('no trades: four empty groups', () => {
    const p = packTradeMarkers([], 2);
    expect(p.counts).toEqual([0, 0, 0, 0]);
    expect(unpack(p).map((g) => g.t.length)).toEqual([0, 0, 0, 0]);
  });
});
