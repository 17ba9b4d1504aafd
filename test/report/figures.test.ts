import { describe, expect, it } from 'vitest';
import { makeSeries } from '../../lib/core/bars.js';
import {
  barFigure,
  candlestickFigure,
  drawdownFigure,
  equityFigure,
  heatmapFigure,
  histogramFigure,
  lineFigure,
  monthlyHeatmapFigure,
  plotlyDate,
  roundSig,
  tradeMarkers,
  fmtMoney,
  fmtPct,
  fmtDecimalString,
} from '../../lib/report/index.js';
import type { ClosedTrade } from '../../lib/metrics/index.js';

const DAY = 86_400_000;
const t0 = Date.parse('2024-01-31');
const curve = { time: Float64Array.from([t0, t0 + DAY, t0 + 2 * DAY]), equity: Float64Array.from([100, 90, 99]) };

describe('figure builders', () => {
  it('dates and rounding', () => {
    expect(plotlyDate(t0)).toBe('2024-01-31');
    expect(plotlyDate(t0 + 14.5 * 3_600_000)).toBe('2024-01-31 14:30:00');
    expect(roundSig(123.456789123)).toBe(123.4568);
    expect(roundSig(0)).toBe(0);
  });

  it('equity and drawdown', () => {
    const f = equityFigure(curve, curve, { strategyName: 'S' });
    expect(f.data).toHaveLength(2);
    expect(f.data[0]).toMatchObject({ type: 'scatter', name: 'S', x: ['2024-01-31', '2024-02-01', '2024-02-02'], y: [100, 90, 99] });
    const d = drawdownFigure(curve);
    // 90/100-1 = -0.1, 99/100-1 = -0.01
    expect(d.data[0].y).toEqual([0, -0.1, -0.01]);
  });

  it('monthly heatmap: a row per year, 12 months + the year', () => {
    const f = monthlyHeatmapFigure(curve);
    const tr = f.data[0] as { z: Array<Array<number | null>>; y: string[]; x: string[]; text: string[][] };
    expect(tr.y).toEqual(['2024']);
    expect(tr.x).toHaveLength(13);
    // Jan: 100 -> 100 = 0; Feb: 100 -> 99 = -1 %; year -1 %
    expect(tr.z[0].slice(0, 3)).toEqual([0, -0.01, null]);
    expect(tr.z[0][12]).toBe(-0.01);
    expect(tr.text[0][1]).toBe('-1.0%');
  });

  it('candles with entry/exit markers from trades', () => {
    const s = makeSeries('AAA', '1d', { time: curve.time, open: [10, 11, 12], high: [11, 12, 13], low: [9, 10, 11], close: [10.5, 11.5, 12.5], volume: [1, 1, 1] });
    const trades: ClosedTrade[] = [
      { symbol: 'AAA', side: 'long', entryTime: t0, entryPrice: '10.5', exitTime: t0 + 2 * DAY, exitPrice: '12.5', qty: '3', pnl: '6', fees: '0' },
      { symbol: 'BBB', side: 'short', entryTime: t0, entryPrice: '1', exitTime: t0 + DAY, exitPrice: '1', qty: '1', pnl: '0', fees: '0' },
    ];
    const m = tradeMarkers(trades, 'AAA');
    expect(m).toEqual([
      { time: t0, price: 10.5, kind: 'entry', side: 'long', label: 'buy 3 @ 10.5' },
      { time: t0 + 2 * DAY, price: 12.5, kind: 'exit', side: 'long', label: 'sell 3 @ 12.5 (pnl 6)' },
    ]);
    const f = candlestickFigure(s, m);
    expect(f.data.map((d) => d.name)).toEqual(['AAA', 'Entry long', 'Exit']);
    expect(f.data[0]).toMatchObject({ type: 'candlestick', open: [10, 11, 12], close: [10.5, 11.5, 12.5] });
    expect(candlestickFigure(s, tradeMarkers(trades)).data.map((d) => d.name)).toEqual(['AAA', 'Entry long', 'Entry short', 'Exit']);
  });

  it('generic helpers', () => {
    const l = lineFigure([t0, t0 + DAY], [{ name: 'a', y: [1, NaN] }], { xIsTime: true });
    expect(l.data[0]).toMatchObject({ x: ['2024-01-31', '2024-02-01'], y: [1, null] });
    expect(barFigure(['x', 'y'], [1, 2]).data[0]).toMatchObject({ type: 'bar', x: ['x', 'y'], y: [1, 2] });
    expect(histogramFigure([1, NaN, 2], { bins: 5 }).data[0]).toMatchObject({ type: 'histogram', x: [1, 2], nbinsx: 5 });
    const h = heatmapFigure([[1, 0.5], [0.5, 1]], ['a', 'b'], ['a', 'b'], { zmin: -1, zmax: 1, showValues: true });
    expect(h.data[0]).toMatchObject({ type: 'heatmap', zmin: -1, zmax: 1, text: [['1.00', '0.50'], ['0.50', '1.00']] });
  });

  it('figures are plain JSON (no typed arrays, no NaN)', () => {
    const f = equityFigure({ time: curve.time, equity: Float64Array.from([100, NaN, 99]) });
    const back = JSON.parse(JSON.stringify(f));
    expect(back).toEqual(f);
  });
});

describe('formatting', () => {
  it('money, percent, decimal strings', () => {
    expect(fmtMoney(1234567.891)).toBe('1,234,567.89');
    expect(fmtMoney(-0.001)).toBe('0.00');
    expect(fmtMoney(-1234.5)).toBe('-1,234.50');
    expect(fmtMoney(null)).toBe('–');
    expect(fmtMoney(Infinity)).toBe('∞');
    expect(fmtPct(0.12345)).toBe('12.35%');
    expect(fmtDecimalString('-1234567.125')).toBe('-1,234,567.125');
    expect(fmtDecimalString('12')).toBe('12');
  });
});
