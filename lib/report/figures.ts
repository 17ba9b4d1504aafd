/**
 * Plotly figure builders: pure functions from data to `{data, layout}` JSON. The HTML report and the notebooks
 * draw the same charts from these. Chart data is rounded to what a screen can show (compact files); the
 * numbers in tables and JSON outputs stay exact.
 */
import type { BarSeries } from '../core/bars.js';
import { drawdownSeries } from '../metrics/drawdown.js';
import { monthlyReturns, type MonthlyReturns } from '../metrics/monthly.js';
import type { ClosedTrade, EquityCurve } from '../metrics/types.js';

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
} as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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

function baseLayout(title: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: title ? { text: plotlyText(title) } : undefined,
    margin: { l: 60, r: 20, t: title ? 40 : 10, b: 40 },
    hovermode: 'x unified',
    legend: { orientation: 'h', y: 1.02, yanchor: 'bottom', x: 0 },
    ...extra,
  };
}

export interface CurveFigureOptions {
  readonly title?: string;
  readonly strategyName?: string;
  readonly benchmarkName?: string;
  readonly logScale?: boolean;
}

/** Equity curve, with the benchmark as a dashed grey line when given. */
export function equityFigure(equity: EquityCurve, benchmark?: EquityCurve, opts: CurveFigureOptions = {}): PlotlyFigure {
  const data: PlotlyTrace[] = [
    { type: 'scatter', mode: 'lines', name: plotlyText(opts.strategyName ?? 'Strategy'), x: dates(equity.time), y: rounded(equity.equity), line: { color: COLORS.strategy, width: 1.5 } },
  ];
  if (benchmark) {
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: plotlyText(opts.benchmarkName ?? 'Benchmark'),
      x: dates(benchmark.time),
      y: rounded(benchmark.equity),
      line: { color: COLORS.benchmark, width: 1.2, dash: 'dot' },
    });
  }
  return { data, layout: baseLayout(opts.title, { yaxis: { title: { text: 'Equity' }, type: opts.logScale ? 'log' : 'linear' } }) };
}

/** Underwater chart: equity / running peak - 1, as a filled area below zero. */
export function drawdownFigure(equity: EquityCurve, opts: { title?: string } = {}): PlotlyFigure {
  const dd = drawdownSeries(equity.equity);
  return {
    data: [
      {
        type: 'scatter',
        mode: 'lines',
        name: 'Drawdown',
        x: dates(equity.time),
        y: rounded(dd, 5),
        fill: 'tozeroy',
        line: { color: COLORS.drawdown, width: 1 },
      },
    ],
    layout: baseLayout(opts.title, { yaxis: { title: { text: 'Drawdown' }, tickformat: '.0%', rangemode: 'tozero' }, showlegend: false }),
  };
}

/** Monthly returns as a year x month heatmap (green up, red down, centred on 0), with a yearly column. */
export function monthlyHeatmapFigure(input: EquityCurve | MonthlyReturns, opts: { title?: string } = {}): PlotlyFigure {
  const mr = 'years' in input ? input : monthlyReturns(input);
  const z = mr.values.map((row, y) => [...row, mr.yearly[y]].map((v) => (v === null ? null : roundSig(v, 5))));
  let maxAbs = 0;
  for (const row of mr.values) for (const v of row) if (v !== null) maxAbs = Math.max(maxAbs, Math.abs(v));
  const text = z.map((row) => row.map((v) => (v === null ? '' : `${(v * 100).toFixed(1)}%`)));
  return {
    data: [
      {
        type: 'heatmap',
        name: 'Monthly return',
        x: [...MONTHS, 'Year'],
        y: mr.years.map(String),
        z,
        text,
        texttemplate: '%{text}',
        hovertemplate: '%{y} %{x}: %{text}<extra></extra>',
        colorscale: [
          [0, '#b2182b'],
          [0.5, '#f7f7f7'],
          [1, '#1a9850'],
        ],
        zmin: -(maxAbs || 0.01),
        zmax: maxAbs || 0.01,
        zmid: 0,
        xgap: 2,
        ygap: 2,
        colorbar: { tickformat: '.0%' },
      },
    ],
    layout: baseLayout(opts.title, {
      hovermode: 'closest',
      margin: { l: 60, r: 20, t: opts.title ? 60 : 30, b: 10 },
      yaxis: { type: 'category', autorange: 'reversed' },
      xaxis: { type: 'category', side: 'top' },
    }),
  };
}

/** A point to mark on a price chart: an entry or an exit of a trade. */
export interface TradeMarker {
  readonly time: number;
  readonly price: number;
  readonly kind: 'entry' | 'exit';
  readonly side: 'long' | 'short';
  /** Hover text, e.g. "buy 10 @ 101.5". */
  readonly label?: string;
}

/** Entry and exit markers of the trades in `symbol` (all trades when symbol is omitted). */
export function tradeMarkers(trades: readonly ClosedTrade[], symbol?: string): TradeMarker[] {
  const out: TradeMarker[] = [];
  for (const t of trades) {
    if (symbol !== undefined && t.symbol !== symbol) continue;
    const open = t.side === 'long' ? 'buy' : 'sell short';
    const close = t.side === 'long' ? 'sell' : 'cover';
    out.push({ time: t.entryTime, price: Number(t.entryPrice), kind: 'entry', side: t.side, label: `${open} ${t.qty} @ ${t.entryPrice}` });
    out.push({ time: t.exitTime, price: Number(t.exitPrice), kind: 'exit', side: t.side, label: `${close} ${t.qty} @ ${t.exitPrice} (pnl ${t.pnl})` });
  }
  return out;
}

export interface CandlestickOptions {
  readonly title?: string;
  /**
   * Bars shown at first (the latest ones; double-click or autoscale shows all). Default: all when the series
   * has at most 1,000 bars, else the last 500, since thousands of candles are unreadable at once.
   */
  readonly initialBars?: number;
}

/** OHLC candles of one series with entry (triangle) and exit (x) markers; no range slider (it doubles the size). */
export function candlestickFigure(series: BarSeries, markers: readonly TradeMarker[] = [], opts: CandlestickOptions = {}): PlotlyFigure {
  const data: PlotlyTrace[] = [
    {
      type: 'candlestick',
      name: plotlyText(series.symbol),
      x: dates(series.time),
      open: rounded(series.open),
      high: rounded(series.high),
      low: rounded(series.low),
      close: rounded(series.close),
      increasing: { line: { color: COLORS.up, width: 1 } },
      decreasing: { line: { color: COLORS.down, width: 1 } },
    },
  ];
  const groups: Array<[string, (m: TradeMarker) => boolean, string, string]> = [
    ['Entry long', (m) => m.kind === 'entry' && m.side === 'long', 'triangle-up', COLORS.entry],
    ['Entry short', (m) => m.kind === 'entry' && m.side === 'short', 'triangle-down', COLORS.exit],
    ['Exit', (m) => m.kind === 'exit', 'x', '#000000'],
  ];
  for (const [name, pick, symbol, color] of groups) {
    const ms = markers.filter(pick);
    if (ms.length === 0) continue;
    data.push({
      type: 'scatter',
      mode: 'markers',
      name,
      x: ms.map((m) => plotlyDate(m.time)),
      y: ms.map((m) => roundSig(m.price)),
      text: ms.map((m) => plotlyText(m.label ?? '')),
      hovertemplate: '%{text}<extra></extra>',
      marker: { symbol, size: 9, color, line: { width: 1, color: '#000000' } },
    });
  }
  const n = series.length;
  const show = Math.min(n, Math.max(1, opts.initialBars ?? (n > 1000 ? 500 : n)));
  const xaxis: Record<string, unknown> = { type: 'date', rangeslider: { visible: false } };
  const yaxis: Record<string, unknown> = { title: { text: 'Price' } };
  if (show < n) {
    // Plotly autoranges y over all bars, not the visible ones: give both ranges for the window.
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = n - show; i < n; i++) {
      if (series.low[i] < lo) lo = series.low[i];
      if (series.high[i] > hi) hi = series.high[i];
    }
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.01 || 1;
    xaxis.range = [plotlyDate(series.time[n - show]), plotlyDate(series.time[n - 1])];
    yaxis.range = [roundSig(lo - pad), roundSig(hi + pad)];
  }
  return {
    data,
    layout: baseLayout(opts.title ?? series.symbol, { hovermode: 'closest', xaxis, yaxis }),
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

/** A heatmap of a matrix z[row][col] with column labels x and row labels y (e.g. a correlation matrix). */
export function heatmapFigure(
  z: ReadonlyArray<ArrayLike<number>>,
  x: readonly string[],
  y: readonly string[],
  opts: GenericOptions & { zmin?: number; zmax?: number; showValues?: boolean } = {},
): PlotlyFigure {
  const zz = z.map((row) => rounded(row, 5));
  const trace: PlotlyTrace = { type: 'heatmap', x: x.map(plotlyText), y: y.map(plotlyText), z: zz, colorscale: 'RdBu', reversescale: true };
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.showValues) {
    trace.text = zz.map((row) => row.map((v) => (v === null ? '' : v.toFixed(2))));
    trace.texttemplate = '%{text}';
  }
  return {
    data: [trace],
    layout: baseLayout(opts.title, { ...axes(opts), hovermode: 'closest', yaxis: { autorange: 'reversed', title: { text: plotlyText(opts.yTitle ?? '') } } }),
  };
}
