/**
 * renderReport: one self-contained HTML file for a backtest. It needs no network: Plotly is inlined once,
 * chart data sits in a JSON <script> block, and no timestamps of its own go in (pass `generatedAt` to show
 * one), so the same inputs give the same bytes. All text is escaped.
 */
import { isoDate, type BarSeries } from '../core/bars.js';
import { dec, roundMoney } from '../core/money.js';
import { computeMetrics } from '../metrics/compute.js';
import { DAY_MS } from '../metrics/returns.js';
import type { ClosedTrade, EquityCurve, Metrics, MetricsInput } from '../metrics/types.js';
import { candlestickFigure, drawdownFigure, equityFigure, monthlyHeatmapFigure, tradeMarkers, type PlotlyFigure } from './figures.js';
import { PLOT_CONFIG, plotlyScriptTag } from './figure-html.js';
import { DASH, fmtDecimalString, fmtInt, fmtMoney, fmtNum, fmtPct } from './format.js';
import { escapeHtml, jsonForScript } from './html.js';
import type { DataIssue } from '../data/validate.js';
import { plotlyVersion } from './plotly-bundle.js';

export interface ReportPosition {
  readonly symbol: string;
  readonly qty: string;
  readonly avgPrice: string;
  readonly lastPrice: string;
  readonly marketValue: string;
  readonly unrealized: string;
}

export interface ReportInput extends MetricsInput {
  readonly title?: string;
  /** Strategy name and parameters as shown in the header, e.g. "sma-crossover (10/30)". */
  readonly strategy?: string;
  /** Price series for the candlestick section (one chart, symbol chosen from a list). */
  readonly series?: readonly BarSeries[];
  /** The configuration used (CLI options, config.yaml section...): shown as JSON. */
  readonly config?: unknown;
  /** Where the data came from, e.g. "csv: data/AAPL.csv (adjusted)". */
  readonly dataSource?: string;
  /** Problems the data validation found and repaired, dropped or warned about (listed in the Run section). */
  readonly dataIssues?: readonly DataIssue[];
  /** Exact money as decimal strings, when the caller has them (else taken from the equity curve). */
  readonly initialCash?: string;
  readonly finalEquity?: string;
  readonly openPositions?: readonly ReportPosition[];
  /** Precomputed metrics; computed from the inputs when omitted. */
  readonly metrics?: Metrics;
  /** Shown in the footer as given; omitted -> no time in the output (deterministic bytes). */
  readonly generatedAt?: string;
  /** Name of the tool in the footer (default "tstrader"). */
  readonly generatedBy?: string;
  /** Trade rows listed in the table (default 2,000; the rest are counted, and all are in the charts). */
  readonly maxTradeRows?: number;
  /** Extra key/value sections shown right after Performance (e.g. a model's gate verdict and statistics). */
  readonly sections?: readonly ReportSection[];
}

export interface ReportSection {
  readonly title: string;
  /** One line under the title (e.g. the verdict). */
  readonly lead?: string;
  readonly rows: ReadonlyArray<readonly [string, string]>;
  /** Optional second table (e.g. calibration bins). */
  readonly table?: { readonly head: readonly string[]; readonly rows: ReadonlyArray<readonly string[]> };
}

export interface MetricRow {
  readonly label: string;
  readonly strategy: string;
  readonly benchmark?: string;
  readonly note?: string;
}

/** The report's metric rows (label, strategy and benchmark cells formatted, definition): the dashboard shows the same. */
export function metricRows(m: Metrics, b: Metrics | null): MetricRow[] {
  const both = (label: string, f: (x: Metrics) => string, note?: string): MetricRow => ({ label, strategy: f(m), benchmark: b ? f(b) : undefined, note });
  const one = (label: string, v: string, note?: string): MetricRow => ({ label, strategy: v, note });
  return [
    both('Start equity', (x) => fmtMoney(x.startEquity)),
    both('End equity', (x) => fmtMoney(x.endEquity)),
    both('Total return', (x) => fmtPct(x.totalReturn)),
    both('CAGR', (x) => fmtPct(x.cagr), 'over calendar time (365.25-day years)'),
    both('Annual volatility', (x) => fmtPct(x.annualVolatility), 'sample std of periodic returns x sqrt(periods/yr)'),
    both('Sharpe ratio', (x) => fmtNum(x.sharpe), 'mean excess / sample std x sqrt(periods/yr)'),
    both('Sortino ratio', (x) => fmtNum(x.sortino), 'downside deviation over all periods, target = risk-free'),
    both('Calmar ratio', (x) => fmtNum(x.calmar), 'CAGR / |max drawdown|'),
    both('Max drawdown', (x) => fmtPct(x.maxDrawdown)),
    both('Longest drawdown', (x) => `${fmtInt(x.maxDrawdownBars)} bars / ${fmtNum(x.maxDrawdownDays, 0)} days`, 'peak to recovery (or to the end)'),
    one('Alpha (annual)', fmtPct(m.alpha), 'Jensen alpha vs the benchmark'),
    one('Beta', fmtNum(m.beta), 'cov(r, rb) / var(rb)'),
    one('Trades', fmtInt(m.numTrades)),
    one('Win rate', fmtPct(m.winRate)),
    one('Profit factor', fmtNum(m.profitFactor), 'gross profit / gross loss'),
    one('Expectancy', fmtMoney(m.expectancy), 'mean P&L per trade'),
    one('Average win', fmtMoney(m.avgWin)),
    one('Average loss', fmtMoney(m.avgLoss)),
    one('Net trade P&L', fmtMoney(m.netTradePnl), 'closed trades, after fees'),
    one('Fees', fmtMoney(m.totalFees)),
    one('Average holding time', m.avgHoldingDays === null ? DASH : `${fmtNum(m.avgHoldingDays, 1)} days`),
    one('Exposure', fmtPct(m.exposure), 'mean gross exposure / equity'),
    one('Turnover', m.turnover === null ? DASH : `${fmtNum(m.turnover)}x`, 'traded notional / mean equity'),
  ];
}

/** The report's metrics table on its own (for notebooks: tslab display.html), strategy vs an optional benchmark. */
export function metricsTableHtml(m: Metrics, benchmark: Metrics | null = null): string {
  const rows = metricRows(m, benchmark);
  return table(
    benchmark ? ['Metric', 'Strategy', 'Benchmark', 'Definition'] : ['Metric', 'Strategy', 'Definition'],
    rows.map((r) => (benchmark ? [r.label, r.strategy, r.benchmark ?? '', r.note ?? ''] : [r.label, r.strategy, r.note ?? ''])),
    'metrics',
  );
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, cls = ''): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Exact decimal money rounded half-even to cents for display ("-1054.26214" -> "-1,054.26"). */
function cents(s: string): string {
  return fmtDecimalString(roundMoney(dec(s)).toFixed(2));
}

function tradeRows(trades: readonly ClosedTrade[], limit: number): string[][] {
  return trades.slice(0, limit).map((t, i) => {
    const basis = Number(t.entryPrice) * Number(t.qty);
    const ret = basis > 0 ? Number(t.pnl) / basis : null;
    return [
      String(i + 1),
      t.symbol,
      t.side,
      isoDate(t.entryTime),
      fmtDecimalString(t.entryPrice),
      isoDate(t.exitTime),
      fmtDecimalString(t.exitPrice),
      fmtDecimalString(t.qty),
      cents(t.pnl),
      fmtPct(ret),
      cents(t.fees),
      fmtNum((t.exitTime - t.entryTime) / DAY_MS, 0),
    ];
  });
}

function dataRange(input: ReportInput): string {
  const times: number[] = [];
  for (const s of input.series ?? []) if (s.length > 0) times.push(s.time[0], s.time[s.length - 1]);
  const t = input.equity.time;
  if (times.length === 0 && t.length > 0) times.push(t[0], t[t.length - 1]);
  if (times.length === 0) return DASH;
  return `${isoDate(Math.min(...times))} to ${isoDate(Math.max(...times))}`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:16px 24px 40px}
h1{font-size:1.6em;margin:8px 0 4px}h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:0 0 12px}
table{border-collapse:collapse;font-size:13px;background:#fff}
th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f0f0f0}td:first-child,th:first-child,table.kv th,table.metrics th:last-child{text-align:left}
table.kv td:nth-child(2){text-align:left;white-space:normal}
td.note,table.metrics td:last-child{color:#666;text-align:left;white-space:normal}
.chart{background:#fff;border:1px solid #e0e0e0;height:420px}
.chart.short{height:260px}
.trades{max-height:520px;overflow:auto;display:inline-block;max-width:100%}
pre{background:#fff;border:1px solid #e0e0e0;padding:8px;overflow:auto;font-size:12px}
footer{color:#777;font-size:12px;margin-top:32px}
`;

/** Client-side: plot every figure from the JSON block; the candle chart follows the symbol selector. */
const CLIENT = `
(function(){
var D=JSON.parse(document.getElementById('report-data').textContent);
var C=D.config;
function plot(id,f){var el=document.getElementById(id);if(el&&f)Plotly.newPlot(el,f.data,f.layout,C);}
plot('chart-equity',D.equity);plot('chart-drawdown',D.drawdown);plot('chart-monthly',D.monthly);
var sel=document.getElementById('candle-symbol');
function candles(i){var f=D.candles[i];if(f)Plotly.react('chart-candles',f.data,f.layout,C);}
if(sel){sel.addEventListener('change',function(){candles(Number(sel.value));});}
if(D.candles.length>0)candles(0);
})();
`;

export function renderReport(input: ReportInput): string {
  const m = input.metrics ?? computeMetrics(input);
  const bm = input.benchmark ? computeMetrics({ equity: input.benchmark, trades: [], periodsPerYear: input.periodsPerYear, riskFreeRate: input.riskFreeRate }) : null;
  const title = input.title ?? `Backtest report${input.strategy ? `: ${input.strategy}` : ''}`;
  const series = input.series ?? [];
  const symbols = series.length > 0 ? series.map((s) => s.symbol) : [...new Set(input.trades.map((t) => t.symbol))];
  const maxRows = input.maxTradeRows ?? 2000;

  const figures: { equity: PlotlyFigure; drawdown: PlotlyFigure; monthly: PlotlyFigure; candles: PlotlyFigure[]; config: typeof PLOT_CONFIG } = {
    equity: equityFigure(input.equity, input.benchmark, { strategyName: input.strategy ?? 'Strategy', benchmarkName: 'Buy & hold (equal weight)' }),
    drawdown: drawdownFigure(input.equity),
    monthly: monthlyHeatmapFigure(input.equity),
    candles: series.map((s) => candlestickFigure(s, tradeMarkers(input.trades, s.symbol))),
    config: PLOT_CONFIG,
  };

  // One readable row per calendar year in the heatmap.
  const years = (figures.monthly.data[0] as { y?: unknown[] }).y?.length ?? 1;
  const monthlyHeight = Math.max(220, 90 + 26 * years);
  const metricsTable = metricsTableHtml(m, bm);

  const runRows: string[][] = [
    ['Strategy', input.strategy ?? DASH],
    ['Symbols', symbols.length > 0 ? symbols.join(', ') : DASH],
    ['Data range', dataRange(input)],
    ['Data source', input.dataSource ?? DASH],
    ['Bars (equity curve)', fmtInt(m.bars)],
    ['Periods per year', String(input.periodsPerYear ?? 252)],
    ['Risk-free rate', fmtPct(input.riskFreeRate ?? 0)],
    ['Initial cash', input.initialCash !== undefined ? fmtDecimalString(input.initialCash) : fmtMoney(m.startEquity)],
    ['Final equity', input.finalEquity !== undefined ? fmtDecimalString(input.finalEquity) : fmtMoney(m.endEquity)],
  ];
  const issues = input.dataIssues ?? [];
  const issuesHtml =
    issues.length === 0
      ? '<p class="sub">Data validation: no problems found.</p>'
      : `<details${issues.length <= 20 ? ' open' : ''}><summary>Data validation: ${issues.length} issue${issues.length === 1 ? '' : 's'}</summary>${table(
          ['Source', 'Row', 'Field', 'Action', 'Problem'],
          issues.slice(0, 500).map((i) => [i.source, i.row > 0 ? String(i.row) : DASH, i.field, i.severity, i.problem]),
        )}</details>`;
  const configJson = input.config === undefined ? '' : `<details open><summary>Configuration</summary><pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre></details>`;

  const candleSection =
    series.length === 0
      ? '<p class="sub">No price series given.</p>'
      : `<label>Symbol: <select id="candle-symbol">${series
          .map((s, i) => `<option value="${i}">${escapeHtml(s.symbol)} (${s.length} bars)</option>`)
          .join('')}</select></label><div id="chart-candles" class="chart" style="height:480px"></div>`;

  const tradeHead = ['#', 'Symbol', 'Side', 'Entry', 'Entry price', 'Exit', 'Exit price', 'Qty', 'P&L', 'Return', 'Fees', 'Days'];
  const tradesTable =
    input.trades.length === 0
      ? '<p class="sub">No closed trades.</p>'
      : `<div class="trades">${table(tradeHead, tradeRows(input.trades, maxRows))}</div>` +
        (input.trades.length > maxRows ? `<p class="sub">Showing the first ${maxRows} of ${input.trades.length} trades.</p>` : '');
  const positions =
    input.openPositions && input.openPositions.length > 0
      ? `<h2>Open positions</h2>${table(
          ['Symbol', 'Qty', 'Avg price', 'Last price', 'Market value', 'Unrealised P&L'],
          input.openPositions.map((p) => [p.symbol, fmtDecimalString(p.qty), fmtDecimalString(p.avgPrice), fmtDecimalString(p.lastPrice), fmtDecimalString(p.marketValue), fmtDecimalString(p.unrealized)]),
        )}`
      : '';

  const by = `${input.generatedBy ?? 'tstrader'} with Plotly ${plotlyVersion()}${input.generatedAt ? ` on ${input.generatedAt}` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${plotlyScriptTag()}
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(symbols.join(', ') || DASH)} · ${escapeHtml(dataRange(input))}</p>
<h2>Performance</h2>
${metricsTable}
${(input.sections ?? [])
  .map(
    (sec) =>
      `<h2>${escapeHtml(sec.title)}</h2>${sec.lead ? `<p class="sub">${escapeHtml(sec.lead)}</p>` : ''}${table(['Item', 'Value'], sec.rows.map((r) => [r[0], r[1]]), 'kv')}` +
      (sec.table ? table([...sec.table.head], sec.table.rows.map((r) => [...r])) : ''),
  )
  .join('\n')}
<h2>Equity</h2>
<div id="chart-equity" class="chart"></div>
<h2>Drawdown</h2>
<div id="chart-drawdown" class="chart short"></div>
<h2>Monthly returns</h2>
<div id="chart-monthly" class="chart" style="height:${monthlyHeight}px"></div>
<h2>Prices and trades</h2>
${candleSection}
<h2>Trades (${input.trades.length})</h2>
${tradesTable}
${positions}
<h2>Run</h2>
${table(['Setting', 'Value'], runRows, 'kv')}
${issuesHtml}
${configJson}
<footer>Generated by ${escapeHtml(by)}. Past performance in a backtest is not a forecast.</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(figures)}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}

/** The parts of an engine result (lib/engine BacktestResult) the report reads; structural, so it is passed as is. */
export interface BacktestLike {
  readonly strategy: string;
  readonly equity: EquityCurve;
  readonly benchmark?: EquityCurve;
  readonly trades: readonly ClosedTrade[];
  readonly exposure?: Float64Array;
  readonly turnover?: number;
  readonly initialCash?: string;
  readonly finalEquity?: string;
  readonly openPositions?: readonly ReportPosition[];
}

export interface BacktestReportInput {
  readonly result: BacktestLike;
  readonly series?: readonly BarSeries[];
  readonly config?: unknown;
  readonly metrics?: Metrics;
  readonly title?: string;
  readonly dataSource?: string;
  readonly dataIssues?: readonly DataIssue[];
  readonly periodsPerYear?: number;
  readonly riskFreeRate?: number;
  readonly generatedAt?: string;
  readonly sections?: readonly ReportSection[];
}

/** The metrics inputs of an engine result (the same fields the report charts). */
export function backtestMetricsInput(r: BacktestLike, periodsPerYear?: number, riskFreeRate?: number): MetricsInput {
  return { equity: r.equity, benchmark: r.benchmark, trades: r.trades, exposure: r.exposure, turnover: r.turnover, periodsPerYear, riskFreeRate };
}

/** The report input for an engine result, passed as it is: `writeReport(path, backtestReportInput({ result, series }))`. */
export function backtestReportInput(x: BacktestReportInput): ReportInput {
  const r = x.result;
  return {
    ...backtestMetricsInput(r, x.periodsPerYear, x.riskFreeRate),
    metrics: x.metrics,
    title: x.title,
    strategy: r.strategy,
    series: x.series,
    config: x.config,
    dataSource: x.dataSource,
    ...(x.sections ? { sections: x.sections } : {}),
    dataIssues: x.dataIssues,
    initialCash: r.initialCash,
    finalEquity: r.finalEquity,
    openPositions: r.openPositions,
    generatedAt: x.generatedAt,
  };
}

/** renderReport for an engine result: `backtestReportHtml({ result: runBacktest(...), series, config })`. */
export function backtestReportHtml(x: BacktestReportInput): string {
  return renderReport(backtestReportInput(x));
}
