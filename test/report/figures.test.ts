import { describe, expect, it } from 'vitest';
import { makeSeries } from '../../lib/core/bars.js';
import {
  barFigure,
  candlestickFigure,
  drawdownFigure,
  equityFigure,
  heatmapTableHtml,
  divergingColor,
  rangeColor,
  histogramFigure,
  lineFigure,
  monthlyReturnsTableHtml,
  returnsHistogramFigure,
  rollingFigure,
  yearlyReturnsFigure,
  plotlyDate,
  roundSig,
  tradeMarkers,
  fmtMoney,
  fmtPct,
  fmtDecimalString,
  fmtPrice,
} from '../../lib/report/index.js';
import { drawdownPeriods, histogram, monthlyReturns, type ClosedTrade } from '../../lib/metrics/index.js';

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

  it('equity and drawdown (drawdown in percent units, no fixed tick format)', () => {
    const f = equityFigure(curve, curve, { strategyName: 'S' });
    expect(f.data).toHaveLength(2);
    expect(f.data[0]).toMatchObject({ type: 'scatter', name: 'S', x: ['2024-01-31', '2024-02-01', '2024-02-02'], y: [100, 90, 99] });
    const d = drawdownFigure(curve);
    // 90/100-1 = -10 %, 99/100-1 = -1 %
    expect(d.data[0].y).toEqual([0, -10, -1]);
    const yaxis = d.layout.yaxis as Record<string, unknown>;
    expect(yaxis.ticksuffix).toBe('%');
    // a hard-coded '.0%' printed "0%, 0%, -1%" on small drawdowns: Plotly must choose the tick precision
    expect(yaxis.tickformat).toBeUndefined();
  });

  it('equity opens in log scale above 10x growth, with a Linear/Log switch', () => {
    const grow = { time: Float64Array.from([t0, t0 + DAY, t0 + 2 * DAY]), equity: Float64Array.from([100, 1000, 12_000]) };
    const f = equityFigure(grow);
    expect((f.layout.yaxis as { type: string }).type).toBe('log');
    const menu = (f.layout.updatemenus as Array<{ active: number; buttons: Array<{ label: string; args: Array<Record<string, unknown>> }> }>)[0];
    expect(menu.buttons.map((b) => b.label)).toEqual(['Linear', 'Log']);
    expect(menu.active).toBe(1);
    expect(menu.buttons[0].args[0]['yaxis.type']).toBe('linear');
    expect((equityFigure(curve).layout.yaxis as { type: string }).type).toBe('linear');
    expect((equityFigure(curve, undefined, { logScale: true }).layout.yaxis as { type: string }).type).toBe('log');
    // no log axis for a curve that touches zero or below
    const blown = { time: grow.time, equity: Float64Array.from([100, 0, 5]) };
    expect(equityFigure(blown).layout.updatemenus).toBeUndefined();
  });

  it('monthly returns as an HTML table: a row per year, 12 months, the year and the benchmark year', () => {
    const html = monthlyReturnsTableHtml(monthlyReturns(curve), new Map([[2024, 0.05]]));
    expect(html).toContain('<th>Jan</th>');
    // Jan: 100 -> 100 = 0 %; Feb: 100 -> 99 = -1 %; year -1 %; benchmark +5 %
    const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells.slice(0, 3)).toEqual(['0.0%', '-1.0%', '']);
    expect(cells.slice(12)).toEqual(['-1.0%', '5.0%']);
    expect(html).not.toContain('plotly');
  });

  it('yearly bars, histogram bins with VaR lines, rolling lines', () => {
    const y = yearlyReturnsFigure([{ year: 2023, strategy: 0.1, benchmark: -0.05 }, { year: 2024, strategy: -0.02, benchmark: null }]);
    expect(y.data[0]).toMatchObject({ type: 'bar', x: [2023, 2024], y: [10, -2] });
    expect(y.data[1]).toMatchObject({ type: 'bar', y: [-5, null] });
    const h = returnsHistogramFigure(histogram([-0.02, 0, 0.02], 2), { valueAtRisk: -0.018, conditionalValueAtRisk: -0.02 });
    // bins [-2 %, 0 %) and [0 %, 2 %]: centres -1 % and +1 %
    expect(h.data[0]).toMatchObject({ type: 'bar', x: [-1, 1], y: [1, 2] });
    expect((h.layout.shapes as Array<{ x0: number }>).map((s) => s.x0)).toEqual([-1.8, -2]);
    const r = rollingFigure([t0, t0 + DAY, t0 + 2 * DAY], [{ name: 'vol', values: [NaN, 0.1, 0.2] }], { yTitle: 'Vol', percent: true });
    expect(r.data[0]).toMatchObject({ x: ['2024-02-01', '2024-02-02'], y: [10, 20] });
    // a flat stretch (NaN Sharpe) breaks the line instead of bridging it
    const gap = rollingFigure([t0, t0 + DAY, t0 + 2 * DAY, t0 + 3 * DAY], [{ name: 's', values: [1, NaN, NaN, 2] }], { yTitle: 'S' });
    expect(gap.data[0]).toMatchObject({ y: [1, null, 2] });
  });

  it('drawdown shading of the worst periods', () => {
    const c = { time: Float64Array.from([0, 1, 2, 3, 4].map((i) => t0 + i * DAY)), equity: Float64Array.from([100, 90, 100, 95, 96]) };
    const d = drawdownFigure(c, { highlight: drawdownPeriods(c, 5) });
    expect((d.layout.shapes as Array<{ x0: string; x1: string }>).map((s) => [s.x0, s.x1])).toEqual([
      ['2024-01-31', '2024-02-02'],
      ['2024-02-02', '2024-02-04'],
    ]);
  });

  it('candles with entry/exit markers from trades', () => {
    const s = makeSeries('AAA', '1d', { time: curve.time, open: [10, 11, 12], high: [11, 12, 13], low: [9, 10, 11], close: [10.5, 11.5, 12.5], volume: [1, 1, 1] });
    const trades: ClosedTrade[] = [
      { symbol: 'AAA', side: 'long', entryTime: t0, entryPrice: '10.5', exitTime: t0 + 2 * DAY, exitPrice: '12.5', qty: '3', pnl: '6', fees: '0' },
      { symbol: 'BBB', side: 'short', entryTime: t0, entryPrice: '1', exitTime: t0 + DAY, exitPrice: '1', qty: '1', pnl: '0', fees: '0' },
    ];
    const m = tradeMarkers(trades, 'AAA');
    expect(m).toEqual([
      { time: t0, price: 10.5, kind: 'entry', side: 'long', qty: '3' },
      { time: t0 + 2 * DAY, price: 12.5, kind: 'exit', side: 'long', qty: '3', pnl: '6.00' },
    ]);
    const f = candlestickFigure(s, m);
    expect(f.data.map((d) => d.name)).toEqual(['AAA', 'Entry long', 'Exit']);
    // hover: "buy 3 @ 10.50", "sell 3 @ 12.50 (P&L 6.00)", built by Plotly from the price and customdata
    expect(f.data[1]).toMatchObject({ customdata: ['3'], hovertemplate: 'buy %{customdata} @ %{y:,.2f}<extra></extra>' });
    expect(f.data[2]).toMatchObject({ customdata: [['3', '6.00']], hovertemplate: 'sell %{customdata[0]} @ %{y:,.2f} (P&L %{customdata[1]})<extra></extra>' });
    // custom labels are used as given
    expect(candlestickFigure(s, [{ ...m[0], label: 'my <entry>' }]).data[1]).toMatchObject({ text: ['my &lt;entry&gt;'], hovertemplate: '%{text}<extra></extra>' });
    expect(f.data[0]).toMatchObject({ type: 'candlestick', open: [10, 11, 12], close: [10.5, 11.5, 12.5] });
    // opens on the whole history (padded by half a bar and 0.5 %), not on a recent window; prices hover to the cent
    const [x0, x1] = (f.layout.xaxis as { range: string[] }).range.map((d) => Date.parse(d.replace(' ', 'T') + 'Z'));
    expect(x0).toBeLessThan(t0);
    expect(x1).toBeGreaterThan(t0 + 2 * DAY);
    expect(x1 - x0).toBeLessThan(3.1 * DAY);
    expect((f.layout.yaxis as Record<string, unknown>).hoverformat).toBe(',.2f');
    // a price history that grew 700x opens on a log axis with the Linear/Log switch
    const grown = makeSeries('G', '1d', { time: curve.time, open: [0.2, 10, 140], high: [0.21, 11, 141], low: [0.19, 9, 139], close: [0.2, 10, 140], volume: [1, 1, 1] });
    const g = candlestickFigure(grown);
    expect((g.layout.yaxis as Record<string, unknown>).type).toBe('log');
    expect((g.layout.yaxis as Record<string, unknown>).hoverformat).toBe(',.4f'); // sub-dollar prices: 4 decimals
    expect((g.layout.updatemenus as unknown[]).length).toBe(1);
    expect((f.layout.yaxis as Record<string, unknown>).type).toBe('linear');
    // a sub-dollar history hovers to 4 decimals, also in the markers
    expect((g.data[0] as Record<string, unknown>).type).toBe('candlestick');
    expect(candlestickFigure(grown, m).data[1]).toMatchObject({ hovertemplate: 'buy %{customdata} @ %{y:,.4f}<extra></extra>' });
    // exits of longs ("sell") and shorts ("cover") share one legend entry
    const both = candlestickFigure(s, tradeMarkers(trades));
    expect(both.data.map((d) => d.name)).toEqual(['AAA', 'Entry long', 'Entry short', 'Exit', 'Exit']);
    expect(both.data.slice(3).map((d) => [d.showlegend, String(d.hovertemplate).split(' ')[0]])).toEqual([[true, 'sell'], [false, 'cover']]);
  });

  it('generic helpers', () => {
    const l = lineFigure([t0, t0 + DAY], [{ name: 'a', y: [1, NaN] }], { xIsTime: true });
    expect(l.data[0]).toMatchObject({ x: ['2024-01-31', '2024-02-01'], y: [1, null] });
    expect(barFigure(['x', 'y'], [1, 2]).data[0]).toMatchObject({ type: 'bar', x: ['x', 'y'], y: [1, 2] });
    expect(histogramFigure([1, NaN, 2], { bins: 5 }).data[0]).toMatchObject({ type: 'histogram', x: [1, 2], nbinsx: 5 });
    const h = heatmapTableHtml([[1, 0.5], [0.5, 1]], ['a', 'b<'], ['a', 'b<'], { maxAbs: 1, caption: 'corr' });
    expect([...h.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(['1.00', '0.50', '0.50', '1.00']);
    expect(h).toContain('<th>b&lt;</th>');
    // the diagonal (1 = maxAbs) is fully green with white text
    expect(h).toContain('style="background:#1b7a3e;color:#ffffff">1.00');
  });

  it('heatmap table, range scale: colours stretched over min..max unless the values straddle 0; legend; a marked cell', () => {
    // all positive: min gets 15 % of the way to green, max all of it
    expect(rangeColor(0.5, 0.5, 0.9)).toEqual(divergingColor(0.15, 1));
    expect(rangeColor(0.9, 0.5, 0.9)).toEqual({ bg: '#1b7a3e', fg: '#ffffff' });
    expect(rangeColor(0.7, 0.5, 0.9)).toEqual(divergingColor(0.575, 1));
    // all negative (drawdowns): the deepest is the darkest red
    expect(rangeColor(-0.4, -0.4, -0.2)).toEqual({ bg: '#c62828', fg: '#ffffff' });
    expect(rangeColor(-0.2, -0.4, -0.2)).toEqual(divergingColor(-0.15, 1));
    // straddling 0: the zero-centred scale
    expect(rangeColor(-0.1, -0.1, 0.3)).toEqual(divergingColor(-0.1, 0.3));
    const h = heatmapTableHtml([[0.5, 0.9], [0.7, NaN]], ['a', 'b'], ['r1', 'r2'], { scale: 'range', legend: true, mark: { row: 0, col: 1, title: 'best' } });
    expect(h).toContain(`<td class="hm" style="background:${divergingColor(0.15, 1).bg};color:#222222">0.50</td>`);
    expect(h).toContain('<td class="hm hm-mark" style="background:#1b7a3e;color:#ffffff" title="best">0.90</td>');
    expect(h).toContain('<td class="hm-empty"></td>');
    expect(h).toMatch(/colours stretched over the values: <span[^>]*>0\.50<\/span> lightest, <span[^>]*>0\.90<\/span> darkest; outlined: the best cell/);
    // the default scale is unchanged: centred on 0 at the largest |value|
    const zero = divergingColor(0.5, 0.9);
    expect(zero.bg).not.toBe(divergingColor(0.15, 1).bg);
    expect(heatmapTableHtml([[0.5, 0.9]], ['a', 'b'], ['r'])).toContain(`style="background:${zero.bg};color:${zero.fg}">0.50`);
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
    expect(fmtPct(-0.000001)).toBe('0.00%'); // not "-0.00%"
    expect(fmtPct(-0.0001)).toBe('-0.01%');
    expect(fmtDecimalString('-1234567.125')).toBe('-1,234,567.125');
    expect(fmtDecimalString('12')).toBe('12');
    expect(fmtPrice('1234.567891')).toBe('1,234.57');
    expect(fmtPrice('0.812345678')).toBe('0.8123');
    expect(fmtPrice(0.00123456)).toBe('0.001235');
    expect(fmtPrice(0)).toBe('0.00');
    expect(fmtPrice(null)).toBe('–');
  });
});
