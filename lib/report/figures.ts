/**
 * Plotly figure builders: pure functions from data to `{data, layout}` JSON. The HTML report and the notebooks
 * draw the same charts from these. Chart data is rounded to what a screen can show and long series are
 * downsampled (LTTB, lib/report/downsample.ts), so a report stays small at any length; the numbers in tables
 * and JSON outputs stay exact. Only trace types of the finance Plotly bundle are used (scatter, bar,
 * candlestick); heatmaps are HTML tables (table-heatmap.ts).
 *
 * Percent axes carry percent units with a '%' suffix and no fixed tick format: Plotly then picks the tick
 * precision from the tick step, so labels never repeat (a hard-coded '.0%' printed "0%, 0%, -1%").
 */
import type { BarSeries } from '../core/bars.js';
import type { YearlyComparison } from '../metrics/calendar.js';
import type { DrawdownPeriod } from '../metrics/drawdown.js';
import { drawdownSeries } from '../metrics/drawdown.js';
import type { Histogram } from '../metrics/return-distribution.js';
import type { ClosedTrade, EquityCurve } from '../metrics/types.js';
import { displayIndices, ohlcBlocks } from './downsample.js';
import { fmtMoney } from './format.js';
import { MARKER_GROUPS, packTradeMarkers, type PackedMarkers } from './markers.js';

export type PlotlyTrace = Record<string, unknown>;
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

export const COLORS = {
  strategy: '#1f77b4',
  benchmark: '#7f7f7f',
  up: '#26a69a',
  down: '#ef5350',
  drawdown: '#d62728',
  entry: '#2ca02c',
  exit: '#d62728',
  grid: '#ebebeb',
} as const;

/** Points drawn per full-width line: more than the ~1,100 pixels across a report chart. */
export const DISPLAY_POINTS = 1500;
/** Points per line of the small (third-width) rolling charts. */
const DISPLAY_POINTS_SMALL = 600;
/** Candles drawn per price chart at most; longer series are resampled into blocks of bars. */
export const DISPLAY_CANDLES = 1200;

/**
 * Text for Plotly: it renders titles, names, labels and hover text as a small HTML subset (<b>, <a href>...)
 * and decodes &lt; &gt; &amp;. Escaping those three shows user text literally and keeps markup out.
 */
export function plotlyText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Epoch ms as a Plotly date string: "YYYY-MM-DD" at midnight UTC, else "YYYY-MM-DD HH:MM:SS" (UTC). */
export function plotlyDate(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

/** A float rounded to `sig` significant digits (7 by default: sub-pixel on any chart). */
export function roundSig(x: number, sig = 7): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(sig));
}

function dates(time: ArrayLike<number>): string[] {
  const out = new Array<string>(time.length);
  for (let i = 0; i < time.length; i++) out[i] = plotlyDate(time[i]);
  return out;
}

function rounded(xs: ArrayLike<number>, sig = 7): Array<number | null> {
  const out = new Array<number | null>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = Number.isFinite(xs[i]) ? roundSig(xs[i], sig) : null;
  return out;
}

/**
 * Layout shared by the charts: the title at the top left, the legend on its own line below it (left aligned,
 * so a long strategy name cannot run into the title), light grid lines.
 */
function baseLayout(title: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { xaxis, yaxis, ...rest } = extra as { xaxis?: Record<string, unknown>; yaxis?: Record<string, unknown> };
  return {
    title: title ? { text: plotlyText(title), x: 0.01, xanchor: 'left', xref: 'paper', y: 0.985, yanchor: 'top', yref: 'container', font: { size: 14 } } : undefined,
    margin: { l: 64, r: 16, t: title ? 64 : 30, b: 36 },
    hovermode: 'x unified',
    legend: { orientation: 'h', y: 1.0, yanchor: 'bottom', x: 0, xanchor: 'left', bgcolor: 'rgba(255,255,255,0)', font: { size: 11 } },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#333' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    xaxis: { gridcolor: COLORS.grid, linecolor: '#999', zeroline: false, ...xaxis },
    yaxis: { gridcolor: COLORS.grid, linecolor: '#999', zerolinecolor: '#bbb', ...yaxis },
    ...rest,
  };
}

/** A y (or x) axis in percent units: values are multiplied by 100 by the caller. */
function pctAxis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: plotlyText(title) }, ticksuffix: '%', hoverformat: '.2f', ...extra };
}

/** A line trace of (time, value) thinned for display: LTTB to DISPLAY_POINTS plus the `keep` indices. */
function lineTrace(
  time: ArrayLike<number>,
  y: ArrayLike<number>,
  name: string,
  style: Record<string, unknown>,
  opts: { scale?: number; sig?: number; keep?: Iterable<number>; points?: number } = {},
): PlotlyTrace {
  const idx = displayIndices(time, y, opts.points ?? DISPLAY_POINTS, opts.keep);
  const k = opts.scale ?? 1;
  const sig = opts.sig ?? 6;
  const x = new Array<string>(idx.length);
  const v = new Array<number | null>(idx.length);
  for (let j = 0; j < idx.length; j++) {
    const yy = y[idx[j]];
    x[j] = plotlyDate(time[idx[j]]);
    v[j] = Number.isFinite(yy) ? roundSig(yy * k, sig) : null; // null: a break in the line
  }
  return { type: 'scatter', mode: 'lines', name: plotlyText(name), x, y: v, ...style };
}

/**
 * A Linear/Log switch for the y axis (Plotly updatemenus buttons), placed top right. Needs positive values.
 * The log axis labels 1-2-5 steps ('D2'): Plotly's default prints every digit between decades.
 */
function logSwitch(log: boolean, yTitle: string): Record<string, unknown> {
  return {
    type: 'buttons',
    direction: 'right',
    showactive: true,
    active: log ? 1 : 0,
    x: 1,
    xanchor: 'right',
    y: 1.0,
    yanchor: 'bottom',
    pad: { t: 0, b: 4, l: 0, r: 0 },
    font: { size: 11 },
    bgcolor: '#f4f4f4',
    bordercolor: '#ccc',
    buttons: [
      { label: 'Linear', method: 'relayout', args: [{ 'yaxis.type': 'linear', 'yaxis.title.text': yTitle, 'yaxis.dtick': null, 'yaxis.autorange': true }] },
      { label: 'Log', method: 'relayout', args: [{ 'yaxis.type': 'log', 'yaxis.title.text': `${yTitle} (log scale)`, 'yaxis.dtick': 'D2', 'yaxis.autorange': true }] },
    ],
  };
}

export interface CurveFigureOptions {
  readonly title?: string;
  readonly strategyName?: string;
  readonly benchmarkName?: string;
  /** Open on a log axis; default: log when the curves span more than `logAbove` (max / min). */
  readonly logScale?: boolean;
  /** Growth factor above which the axis opens in log scale (default 10). */
  readonly logAbove?: number;
}

function spanRatio(curves: ReadonlyArray<EquityCurve | undefined>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of curves) {
    if (!c) continue;
    for (let i = 0; i < c.equity.length; i++) {
      const e = c.equity[i];
      if (e < lo) lo = e;
      if (e > hi) hi = e;
    }
  }
  return lo > 0 && hi > 0 ? hi / lo : 1;
}

/**
 * Equity curve (benchmark dashed grey) with a Linear/Log switch; it opens in log scale when the curves grow
 * more than 10x, where a linear axis flattens the first years into a line along the bottom. A log axis needs
 * positive values, so the switch is offered only then.
 */
export function equityFigure(equity: EquityCurve, benchmark?: EquityCurve, opts: CurveFigureOptions = {}): PlotlyFigure {
  const data: PlotlyTrace[] = [lineTrace(equity.time, equity.equity, opts.strategyName ?? 'Strategy', { line: { color: COLORS.strategy, width: 1.6 } })];
  if (benchmark) {
    data.push(lineTrace(benchmark.time, benchmark.equity, opts.benchmarkName ?? 'Benchmark', { line: { color: COLORS.benchmark, width: 1.2, dash: 'dot' } }));
  }
  const ratio = spanRatio([equity, benchmark]);
  let minE = Infinity;
  for (const c of [equity, benchmark]) if (c) for (let i = 0; i < c.equity.length; i++) minE = Math.min(minE, c.equity[i]);
  const canLog = equity.equity.length > 0 && minE > 0;
  const log = canLog && (opts.logScale ?? ratio > (opts.logAbove ?? 10));
  const layout = baseLayout(opts.title, {
    // '~s' ticks (100k, 2M); on a log axis labels at 1-2-5 steps ('D2'), since Plotly's default prints every digit.
    yaxis: { title: { text: 'Equity' + (log ? ' (log scale)' : '') }, type: log ? 'log' : 'linear', hoverformat: ',.2f', tickformat: '~s', dtick: log ? 'D2' : undefined },
  });
  if (canLog) layout.updatemenus = [logSwitch(log, 'Equity')];
  return { data, layout };
}

export interface DrawdownFigureOptions {
  readonly title?: string;
  /** Drawdown periods to shade (e.g. the worst five from drawdownPeriods). */
  readonly highlight?: readonly DrawdownPeriod[];
}

/** Underwater chart: equity / running peak - 1 in percent, filled below zero; the deepest point is always drawn. */
export function drawdownFigure(equity: EquityCurve, opts: DrawdownFigureOptions = {}): PlotlyFigure {
  const dd = drawdownSeries(equity.equity);
  let trough = -1;
  for (let i = 0; i < dd.length; i++) if (trough < 0 || dd[i] < dd[trough]) trough = i;
  const keep = trough >= 0 ? [trough] : [];
  for (const p of opts.highlight ?? []) keep.push(p.peakIndex, p.valleyIndex, p.recoveryIndex ?? p.valleyIndex);
  const n = equity.time.length;
  const shapes = (opts.highlight ?? []).map((p) => ({
    type: 'rect',
    xref: 'x',
    yref: 'paper',
    x0: plotlyDate(equity.time[p.peakIndex]),
    x1: plotlyDate(equity.time[p.recoveryIndex ?? n - 1]),
    y0: 0,
    y1: 1,
    fillcolor: 'rgba(214,39,40,0.07)',
    line: { width: 0 },
    layer: 'below',
  }));
  return {
    data: [
      lineTrace(equity.time, dd, 'Drawdown', { fill: 'tozeroy', fillcolor: 'rgba(214,39,40,0.25)', line: { color: COLORS.drawdown, width: 1 } }, { scale: 100, sig: 5, keep }),
    ],
    layout: baseLayout(opts.title, { yaxis: pctAxis('Drawdown', { rangemode: 'tozero' }), showlegend: false, shapes }),
  };
}

/** Calendar-year returns of the strategy beside the benchmark's, as grouped bars (percent). */
export function yearlyReturnsFigure(years: readonly YearlyComparison[], opts: { title?: string; strategyName?: string; benchmarkName?: string } = {}): PlotlyFigure {
  // Numeric years: Plotly spaces the labels itself (a category axis printed all 20 of them, overlapping).
  const x = years.map((y) => y.year);
  const data: PlotlyTrace[] = [
    { type: 'bar', name: plotlyText(opts.strategyName ?? 'Strategy'), x, y: years.map((y) => roundSig(y.strategy * 100, 5)), marker: { color: COLORS.strategy } },
  ];
  if (years.some((y) => y.benchmark !== null)) {
    data.push({
      type: 'bar',
      name: plotlyText(opts.benchmarkName ?? 'Benchmark'),
      x,
      y: years.map((y) => (y.benchmark === null ? null : roundSig(y.benchmark * 100, 5))),
      marker: { color: '#b0b0b0' },
    });
  }
  return {
    data,
    layout: baseLayout(opts.title, { barmode: 'group', bargap: 0.25, hovermode: 'x unified', xaxis: { type: 'linear', tickformat: 'd', showgrid: false }, yaxis: pctAxis('Return') }),
  };
}

export interface HistogramLines {
  readonly mean?: number | null;
  readonly valueAtRisk?: number | null;
  readonly conditionalValueAtRisk?: number | null;
}

/**
 * A distribution of returns from precomputed bins (percent on x), with vertical lines at the mean, the 95 %
 * VaR and CVaR. Binned in TypeScript, so a million returns cost the report a few hundred numbers.
 */
export function returnsHistogramFigure(h: Histogram | null, lines: HistogramLines = {}, opts: { title?: string; xTitle?: string; name?: string } = {}): PlotlyFigure {
  const x: number[] = [];
  const y: number[] = [];
  if (h) {
    for (let i = 0; i < h.counts.length; i++) {
      x.push(roundSig((h.start + (i + 0.5) * h.width) * 100, 5));
      y.push(h.counts[i]);
    }
  }
  const data: PlotlyTrace[] = [
    {
      type: 'bar',
      name: plotlyText(opts.name ?? 'Returns'),
      x,
      y,
      width: h ? roundSig(h.width * 100 * 0.95, 5) : undefined,
      marker: { color: COLORS.strategy, opacity: 0.75 },
      hovertemplate: '%{x:.2f}%: %{y}<extra></extra>',
    },
  ];
  const marks: Array<[string, number | null | undefined, string, string]> = [
    ['Mean', lines.mean, '#333333', 'solid'],
    ['VaR 95%', lines.valueAtRisk, COLORS.drawdown, 'dash'],
    ['CVaR 95%', lines.conditionalValueAtRisk, '#8b0000', 'dot'],
  ];
  const shapes: Array<Record<string, unknown>> = [];
  const annotations: Array<Record<string, unknown>> = [];
  for (const [label, v, color, dash] of marks) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    const xv = roundSig(v * 100, 5);
    shapes.push({ type: 'line', xref: 'x', yref: 'paper', x0: xv, x1: xv, y0: 0, y1: 1, line: { color, width: 1.2, dash } });
    annotations.push({ x: xv, xref: 'x', y: 1, yref: 'paper', text: plotlyText(label), showarrow: false, xanchor: 'right', yanchor: 'top', textangle: -90, font: { size: 10, color } });
  }
  return {
    data,
    layout: baseLayout(opts.title, {
      hovermode: 'closest',
      showlegend: false,
      bargap: 0,
      xaxis: pctAxis(opts.xTitle ?? 'Return'),
      yaxis: { title: { text: 'Count' } },
      shapes,
      annotations,
    }),
  };
}

export interface RollingLine {
  readonly name: string;
  readonly values: ArrayLike<number>;
  readonly color?: string;
  readonly dash?: string;
}

/**
 * Rolling statistics over time (NaN before the window fills is not drawn), thinned for display. `percent`
 * draws fractions in percent units; `reference` adds a horizontal line (0 for Sharpe, 1 for beta).
 */
export function rollingFigure(
  time: ArrayLike<number>,
  lines: readonly RollingLine[],
  opts: { title?: string; yTitle: string; percent?: boolean; reference?: number; points?: number } = { yTitle: '' },
): PlotlyFigure {
  const data = lines.map((l, k) =>
    lineTrace(time, l.values, l.name, { line: { color: l.color ?? (k === 0 ? COLORS.strategy : COLORS.benchmark), width: k === 0 ? 1.4 : 1.1, dash: l.dash ?? (k === 0 ? 'solid' : 'dot') } }, {
      scale: opts.percent ? 100 : 1,
      sig: 4,
      points: opts.points ?? DISPLAY_POINTS_SMALL,
    }),
  );
  const shapes =
    opts.reference === undefined
      ? []
      : [{ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: opts.reference, y1: opts.reference, line: { color: '#999', width: 1, dash: 'dash' } }];
  return {
    data,
    layout: baseLayout(opts.title, { yaxis: opts.percent ? pctAxis(opts.yTitle) : { title: { text: plotlyText(opts.yTitle) }, hoverformat: '.2f' }, shapes }),
  };
}

/** A point to mark on a price chart: an entry or an exit of a trade. */
export interface TradeMarker {
  readonly time: number;
  readonly price: number;
  readonly kind: 'entry' | 'exit';
  readonly side: 'long' | 'short';
  /** Quantity, shown on hover ("buy 10 @ 101.50"). */
  readonly qty?: string;
  /** Trade P&L for people (exits), shown on hover. */
  readonly pnl?: string;
  /** Hover text replacing the generated one (all markers of a kind need one for it to be used). */
  readonly label?: string;
}

/** Entry and exit markers of the trades in `symbol` (all trades when symbol is omitted). */
export function tradeMarkers(trades: readonly ClosedTrade[], symbol?: string): TradeMarker[] {
  const out: TradeMarker[] = [];
  for (const t of trades) {
    if (symbol !== undefined && t.symbol !== symbol) continue;
    out.push({ time: t.entryTime, price: Number(t.entryPrice), kind: 'entry', side: t.side, qty: t.qty });
    out.push({ time: t.exitTime, price: Number(t.exitPrice), kind: 'exit', side: t.side, qty: t.qty, pnl: fmtMoney(Number(t.pnl)) });
  }
  return out;
}

function priceRange(series: BarSeries): { minLow: number; maxHigh: number } {
  let minLow = Infinity;
  let maxHigh = -Infinity;
  for (let i = 0; i < series.length; i++) {
    minLow = Math.min(minLow, series.low[i]);
    maxHigh = Math.max(maxHigh, series.high[i]);
  }
  return { minLow, maxHigh };
}

/**
 * Decimals a price chart hovers with: cents, sub-dollar histories 4 decimals, and below $0.1 enough that
 * a step is at most 1/1000 of the lowest price (not the 6+ decimals of adjusted data).
 */
function priceDigits(lowest: number): number {
  if (!(lowest < 1)) return 2;
  return lowest > 0 ? Math.min(12, Math.max(4, Math.ceil(3 - Math.log10(lowest)))) : 4;
}

const MARKER_LOOK = [
  { name: 'Entry long', symbol: 'triangle-up', color: COLORS.entry, verb: 'buy' },
  { name: 'Entry short', symbol: 'triangle-down', color: COLORS.exit, verb: 'sell short' },
  { name: 'Exit', symbol: 'x', color: '#000000', verb: 'sell' },
  { name: 'Exit', symbol: 'x', color: '#000000', verb: 'cover' },
] as const;

/**
 * The trace of marker group k (MARKER_GROUPS order) without its points. Hover text is built by Plotly from
 * the price and a short customdata (quantity; exits also P&L): as preformatted strings ('text') or as
 * numbers ('numbers', the packed markers of the report).
 */
function markerStyle(k: number, digits: number, customdata: 'text' | 'numbers', legend: boolean): PlotlyTrace {
  const look = MARKER_LOOK[k];
  const exit = MARKER_GROUPS[k].kind === 'exit';
  const q = customdata === 'text' ? (exit ? '%{customdata[0]}' : '%{customdata}') : exit ? '%{customdata[0]:,}' : '%{customdata:,}';
  const pnl = customdata === 'text' ? '%{customdata[1]}' : '%{customdata[1]:,.2f}';
  const trace: PlotlyTrace = {
    type: 'scatter',
    mode: 'markers',
    name: look.name,
    marker: { symbol: look.symbol, size: 7, color: look.color, line: { width: 1, color: '#000000' } },
    hovertemplate: `${look.verb} ${q} @ %{y:,.${digits}f}${exit ? ` (P&L ${pnl})` : ''}<extra></extra>`,
  };
  if (exit) {
    trace.legendgroup = 'exit';
    trace.showlegend = legend;
  }
  return trace;
}

/** A price chart whose trade markers travel packed (markers.ts) and are drawn by the page (render.ts). */
interface PackedCandles extends PlotlyFigure {
  readonly markers: {
    readonly packed: PackedMarkers;
    /** The traces to fill in: `group` indexes MARKER_GROUPS and the unpacked columns. */
    readonly traces: ReadonlyArray<{ readonly group: number; readonly trace: PlotlyTrace }>;
  };
}

/**
 * candlestickFigure for the report: the same chart, with every marker of `trades` (one symbol's) packed at
 * ~12 bytes a trade instead of ~90 as JSON points, so a run with 200,000 trades still makes a small file.
 */
export function packedCandlestickFigure(series: BarSeries, trades: readonly ClosedTrade[], opts: CandlestickOptions = {}): PackedCandles {
  const fig = candlestickFigure(series, [], opts);
  const digits = priceDigits(priceRange(series).minLow);
  const packed = packTradeMarkers(trades, digits);
  const traces: Array<{ group: number; trace: PlotlyTrace }> = [];
  let exitLegend = false;
  MARKER_GROUPS.forEach((g, k) => {
    if (packed.counts[k] === 0) return;
    traces.push({ group: k, trace: markerStyle(k, digits, 'numbers', !exitLegend) });
    if (g.kind === 'exit') exitLegend = true;
  });
  return { ...fig, markers: { packed, traces } };
}

export interface CandlestickOptions {
  readonly title?: string;
  /** Candles drawn at most (default DISPLAY_CANDLES); longer series are resampled into blocks of bars. */
  readonly maxCandles?: number;
  /** Open on a log price axis; default: log when the high/low range spans more than 10x. */
  readonly logScale?: boolean;
}

/**
 * OHLC candles of one series with entry (triangle) and exit (x) markers, opening on the whole range. Series
 * longer than maxCandles are drawn as blocks of consecutive bars (OHLC resampling, said in the title); every
 * trade marker is kept at its exact time and price. No range slider (it doubles the size).
 */
export function candlestickFigure(series: BarSeries, markers: readonly TradeMarker[] = [], opts: CandlestickOptions = {}): PlotlyFigure {
  const b = ohlcBlocks(series, opts.maxCandles ?? DISPLAY_CANDLES);
  const round = (xs: Float64Array): Array<number | null> => rounded(xs, 6);
  const data: PlotlyTrace[] = [
    {
      type: 'candlestick',
      name: plotlyText(series.symbol),
      x: dates(b.time),
      open: round(b.open),
      high: round(b.high),
      low: round(b.low),
      close: round(b.close),
      increasing: { line: { color: COLORS.up, width: 1 }, fillcolor: COLORS.up },
      decreasing: { line: { color: COLORS.down, width: 1 }, fillcolor: COLORS.down },
      showlegend: false,
    },
  ];
  const { minLow, maxHigh } = priceRange(series);
  const digits = priceDigits(minLow);
  let exitLegend = false;
  MARKER_GROUPS.forEach((g, k) => {
    const ms = markers.filter((m) => m.kind === g.kind && m.side === g.side);
    if (ms.length === 0) return;
    const trace = markerStyle(k, digits, 'text', !exitLegend);
    if (g.kind === 'exit') exitLegend = true;
    trace.x = ms.map((m) => plotlyDate(m.time));
    trace.y = ms.map((m) => roundSig(m.price, 8));
    if (ms.every((m) => m.label !== undefined)) {
      trace.text = ms.map((m) => plotlyText(m.label ?? ''));
      trace.hovertemplate = '%{text}<extra></extra>';
    } else {
      trace.customdata = g.kind === 'exit' ? ms.map((m) => [m.qty ?? '', m.pnl ?? '']) : ms.map((m) => m.qty ?? '');
    }
    data.push(trace);
  });
  // A history that grew more than 10x (AAPL from $0.20 to $140) opens on a log axis, as the equity chart does.
  const canLog = minLow > 0;
  const log = canLog && (opts.logScale ?? maxHigh / minLow > 10);
  const sym = series.symbol;
  const title = opts.title ?? (b.size > 1 ? `${sym} (each candle: ${b.size} bars)` : sym);
  // Open on exactly the whole history: Plotly's autorange pads a long candle chart by a year or more.
  const n = series.length;
  const xaxis: Record<string, unknown> = { type: 'date', rangeslider: { visible: false } };
  if (n > 1) {
    const pad = (series.time[n - 1] - series.time[0]) * 0.005 + (b.size * (series.time[n - 1] - series.time[0])) / (2 * (n - 1));
    xaxis.range = [plotlyDate(series.time[0] - pad), plotlyDate(series.time[n - 1] + pad)];
  }
  return {
    data,
    layout: baseLayout(title, {
      hovermode: 'closest',
      xaxis,
      // ',~r': 6 significant digits, trailing zeros trimmed (a log axis otherwise labels with the hover format)
      yaxis: { title: { text: log ? 'Price (log scale)' : 'Price' }, hoverformat: `,.${digits}f`, tickformat: ',~r', type: log ? 'log' : 'linear', dtick: log ? 'D2' : undefined },
      updatemenus: canLog ? [logSwitch(log, 'Price')] : undefined,
    }),
  };
}

// ---- generic helpers for notebooks ----

export interface LineSeries {
  readonly name: string;
  readonly y: ArrayLike<number>;
  /** Per-series x; defaults to the figure's x. */
  readonly x?: ArrayLike<number> | readonly string[];
}

export interface GenericOptions {
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  /** Treat numeric x values as epoch ms and show dates. */
  readonly xIsTime?: boolean;
}

function xValues(x: ArrayLike<number> | readonly string[], isTime: boolean | undefined): Array<number | string> {
  const out: Array<number | string> = [];
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out.push(typeof v === 'number' ? (isTime ? plotlyDate(v) : v) : plotlyText(v));
  }
  return out;
}

function axes(opts: GenericOptions): Record<string, unknown> {
  return { xaxis: { title: { text: plotlyText(opts.xTitle ?? '') } }, yaxis: { title: { text: plotlyText(opts.yTitle ?? '') } } };
}

/** One or more lines over a shared x (numbers, epoch ms with xIsTime, or labels). NaN values become gaps. */
export function lineFigure(x: ArrayLike<number> | readonly string[], series: readonly LineSeries[], opts: GenericOptions = {}): PlotlyFigure {
  return {
    data: series.map((s) => ({ type: 'scatter', mode: 'lines', name: plotlyText(s.name), x: xValues(s.x ?? x, opts.xIsTime), y: rounded(s.y) })),
    layout: baseLayout(opts.title, axes(opts)),
  };
}

/** A bar chart of labelled values. */
export function barFigure(x: ArrayLike<number> | readonly string[], y: ArrayLike<number>, opts: GenericOptions & { name?: string } = {}): PlotlyFigure {
  return {
    data: [{ type: 'bar', name: plotlyText(opts.name ?? ''), x: xValues(x, opts.xIsTime), y: rounded(y) }],
    layout: baseLayout(opts.title, { ...axes(opts), hovermode: 'closest', showlegend: false }),
  };
}

/** A histogram of values (Plotly bins them; `bins` sets the approximate count). NaN values are dropped. */
export function histogramFigure(values: ArrayLike<number>, opts: GenericOptions & { bins?: number; name?: string } = {}): PlotlyFigure {
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) v.push(roundSig(values[i]));
  return {
    data: [{ type: 'histogram', name: plotlyText(opts.name ?? ''), x: v, nbinsx: opts.bins ?? 50 }],
    layout: baseLayout(opts.title, { ...axes(opts), hovermode: 'closest', showlegend: false, bargap: 0.02 }),
  };
}

