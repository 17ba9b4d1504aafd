/**
 * renderReport: one self-contained HTML tearsheet for a backtest. It needs no network: Plotly (the finance
 * bundle) is inlined once, chart data sits in a JSON <script> block, and no timestamps of its own go in (pass
 * `generatedAt` to show one), so the same inputs give the same bytes. All text is escaped. Long series are
 * downsampled for display (figures.ts), so the file stays under a few MB at any length.
 *
 * The page is a list of panels (ReportPanel: id, title, HTML, the charts it draws); callers add their own
 * (ML diagnostics, explanations) through `ReportInput.panels` without touching the built-in ones.
 */
import { isoDate, type BarSeries } from '../core/bars.js';
import { dec, roundMoney } from '../core/money.js';
import { alignedValues, DAY_MS, periodicReturns } from '../metrics/returns.js';
import { calendarReturns, yearlyVsBenchmark } from '../metrics/calendar.js';
import { computeMetrics } from '../metrics/compute.js';
import { histogram } from '../metrics/return-distribution.js';
import { drawdownPeriods, type DrawdownPeriod } from '../metrics/drawdown.js';
import { monthlyReturns } from '../metrics/monthly.js';
import { halfYearWindow, rollingBeta, rollingSharpe, rollingVolatility } from '../metrics/rolling.js';
import type { ClosedTrade, EquityCurve, Metrics, MetricsInput } from '../metrics/types.js';
import {
  packedCandlestickFigure,
  drawdownFigure,
  equityFigure,
  returnsHistogramFigure,
  rollingFigure,
  yearlyReturnsFigure,
  type RollingLine,
  COLORS,
  DISPLAY_CANDLES,
  plotlyDate,
  type PlotlyFigure,
} from './figures.js';
import { PLOT_CONFIG, standalonePageStart } from './figure-html.js';
import { MARKER_UNPACK_JS } from './markers.js';
import { DASH, fmtDecimalString, fmtInt, fmtMoney, fmtNum, fmtPct, fmtPrice } from './format.js';
import { escapeHtml, jsonForScript } from './html.js';
import type { DataIssue } from '../data/validate.js';
import { plotlyVersion } from './plotly-bundle.js';
import { monthlyReturnsTableHtml } from './table-heatmap.js';
import { cap, dayUnitFor, metricsPanels } from './metrics-table.js';

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
  /** Trade rows listed in the table (default 1,000; the rest are counted, and all are marked in the price charts). */
  readonly maxTradeRows?: number;
  /** Name of the benchmark in charts and tables (default "Buy & hold (equal weight)"). */
  readonly benchmarkName?: string;
  /** More panels (e.g. model diagnostics with their charts), placed after the trades and before the run details. */
  readonly panels?: readonly ReportPanel[];
  /** Extra key/value sections shown right after Performance (e.g. a model's gate verdict and statistics). */
  readonly sections?: readonly ReportSection[];
  /** The strategy's signals with their reasons (ML: P(up) and the features that pushed it), listed in order. */
  readonly signals?: readonly ReportSignal[];
}

/** A key/value section (title, a lead line, rows, an optional second table), rendered by the report. */
export interface ReportSection {
  readonly title: string;
  /** One line under the title (e.g. the verdict). */
  readonly lead?: string;
  readonly rows: ReadonlyArray<readonly [string, string]>;
  /** Optional second table (e.g. calibration bins). */
  readonly table?: { readonly head: readonly string[]; readonly rows: ReadonlyArray<readonly string[]> };
}

/** One signal of the strategy and why it was given. */
export interface ReportSignal {
  readonly time: number;
  readonly symbol: string;
  readonly direction: string;
  readonly probability?: number;
  readonly reason: string;
}

/** One section of the report page: the built-in ones and any a caller adds (`ReportInput.panels`). */
export interface ReportPanel {
  /** Anchor id (letters, digits, '-'), unique in the page; also the table-of-contents link. */
  readonly id: string;
  readonly title: string;
  /** The section's body: trusted HTML (escape every piece of text with escapeHtml). */
  readonly html: string;
  /** Plotly figures drawn into elements of `html`, by element id (use chartDiv(id) for the element). */
  readonly charts?: Readonly<Record<string, PlotlyFigure>>;
}

/** The element a chart of a section is drawn into. */
export function chartDiv(id: string, height = 380): string {
  return `<div id="${escapeHtml(id)}" class="chart" style="height:${Math.round(height)}px"></div>`;
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

/** A trade time: the date, with the time of day (UTC) for intraday fills. */
function when(t: number): string {
  const d = plotlyDate(t);
  return d.length > 10 ? d.slice(0, 16) : d;
}

/** Holding time: whole days, or hours under a day. */
function held(ms: number): string {
  return ms >= DAY_MS ? fmtNum(ms / DAY_MS, 0) + 'd' : fmtNum(ms / 3_600_000, 1) + 'h';
}

function tradeRows(trades: readonly ClosedTrade[], limit: number): string[][] {
  return trades.slice(0, limit).map((t) => {
    const basis = Number(t.entryPrice) * Number(t.qty);
    const ret = basis > 0 ? Number(t.pnl) / basis : null;
    return [
      t.symbol,
      t.side,
      when(t.entryTime),
      fmtPrice(t.entryPrice),
      when(t.exitTime),
      fmtPrice(t.exitPrice),
      fmtDecimalString(t.qty),
      cents(t.pnl),
      fmtPct(ret),
      cents(t.fees),
      held(t.exitTime - t.entryTime),
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

function worstDrawdownsTable(curve: EquityCurve, periods: readonly DrawdownPeriod[]): string {
  if (periods.length === 0) return '<p class="sub">No drawdown: the curve never fell below a previous peak.</p>';
  const t = curve.time;
  return table(
    ['#', 'Peak', 'Valley', 'Recovered', 'Depth', 'Days'],
    periods.map((p, i) => [
      String(i + 1),
      isoDate(t[p.peakIndex]),
      isoDate(t[p.valleyIndex]),
      p.recoveryIndex === null ? 'not yet' : isoDate(t[p.recoveryIndex]),
      fmtPct(p.depth),
      fmtNum(p.days, 0) + (p.recoveryIndex === null ? '+' : ''),
    ]),
    'drawdowns',
  );
}

/** Headline figures as cards above the charts, each with the benchmark's value beneath. */
function cards(m: Metrics, b: Metrics | null): string {
  const items: Array<[string, string, string | null, number | null]> = [
    ['Total return', fmtPct(m.totalReturn, 1), b ? fmtPct(b.totalReturn, 1) : null, m.totalReturn],
    ['CAGR', fmtPct(m.cagr, 1), b ? fmtPct(b.cagr, 1) : null, m.cagr],
    ['Sharpe', fmtNum(m.sharpe), b ? fmtNum(b.sharpe) : null, m.sharpe],
    ['Max drawdown', fmtPct(m.maxDrawdown, 1), b ? fmtPct(b.maxDrawdown, 1) : null, null],
    ['Volatility', fmtPct(m.annualVolatility, 1), b ? fmtPct(b.annualVolatility, 1) : null, null],
    ['Trades', fmtInt(m.numTrades), null, null],
  ];
  return `<div class="cards">${items
    .map(([label, v, bv, sign]) => {
      const cls = sign === null ? '' : sign > 0 ? ' pos' : sign < 0 ? ' neg' : '';
      return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value${cls}">${escapeHtml(v)}</div>${
        bv === null ? '' : `<div class="bench">benchmark ${escapeHtml(bv)}</div>`
      }</div>`;
    })
    .join('')}</div>`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#f5f6f8}
main{max-width:1180px;margin:0 auto;padding:12px 24px 40px}
h1{font-size:1.5em;margin:8px 0 2px}h2{font-size:1.1em;margin:26px 0 8px;border-bottom:1px solid #d8d8d8;padding-bottom:4px}
.sub{color:#555;margin:0 0 10px}
nav.toc{font-size:12px;margin:4px 0 8px;color:#666}nav.toc a{color:#1f5f99;text-decoration:none;margin-right:12px}
.cards{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:8px 12px}
.card .label{font-size:11px;color:#666;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:20px;font-weight:600;margin-top:2px}.card .value.pos{color:#1b7a3e}.card .value.neg{color:#c62828}
.card .bench{font-size:11px;color:#777}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.grid3{display:grid;grid-template-columns:1fr 1fr 1fr;gap:12px}
table{border-collapse:collapse;font-size:13px;background:#fff}
th,td{border:1px solid #e3e3e3;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f0f0f0}td:first-child,th:first-child,table.kv th{text-align:left}
table.metrics{width:100%}.metrics-panels{align-items:start}td.def{text-decoration:underline dotted #aaa;cursor:help}
table.metrics tr.group th{background:#e9edf2;text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#445}
table.kv td:nth-child(2){text-align:left;white-space:normal}
td.note{color:#666;text-align:left;white-space:normal;font-size:12px}
h3.sub{font-size:13px;margin:14px 0 6px;font-weight:600;color:#444}
table.heatmap{font-size:12px}table.heatmap td,table.heatmap th{border:1px solid #fff;padding:4px 6px;min-width:44px}
table.heatmap td.hm-year{font-weight:600;border-left:3px solid #fff}table.heatmap td.hm-empty{background:#fafafa}
.chart{background:#fff;border:1px solid #e0e0e0;height:400px}
.trades{max-height:520px;overflow:auto;display:inline-block;max-width:100%}
pre{background:#fff;border:1px solid #e0e0e0;padding:8px;overflow:auto;font-size:12px}
footer{color:#777;font-size:12px;margin-top:32px}
@media (max-width:900px){.grid2,.grid3{grid-template-columns:1fr}.cards{grid-template-columns:repeat(3,1fr)}}
`;

/**
 * Client-side: plot every chart of the JSON block into its element; the candle chart follows the symbol
 * selector, its trade markers unpacked from their columns (markers.ts) into the traces the figure names.
 */
const CLIENT = `
(function(){
${MARKER_UNPACK_JS}
var D=JSON.parse(document.getElementById('report-data').textContent);
var C=D.config;
Object.keys(D.charts).forEach(function(id){var el=document.getElementById(id),f=D.charts[id];if(el&&f)Plotly.newPlot(el,f.data,f.layout,C);});
var sel=document.getElementById('candle-symbol');
function candles(i){var f=D.candles[i];if(!f)return;var data=f.data.slice(),cols=unpackMarkers(f.markers.packed);
f.markers.traces.forEach(function(m){var c=cols[m.group],tr={},k;for(k in m.trace)tr[k]=m.trace[k];tr.x=c.t;tr.y=c.y;
tr.customdata=c.pnl?c.q.map(function(q,j){return [q,c.pnl[j]];}):c.q;data.push(tr);});
Plotly.react('chart-candles',data,f.layout,C);}
if(sel){sel.addEventListener('change',function(){candles(Number(sel.value));});}
if(D.candles.length>0)candles(0);
var tb=document.querySelector('#trades-table tbody');
if(tb){var frag=document.createDocumentFragment();D.trades.forEach(function(r,i){var tr=document.createElement('tr');[String(i+1)].concat(r).forEach(function(c){var td=document.createElement('td');td.textContent=c;tr.appendChild(td);});frag.appendChild(tr);});tb.appendChild(frag);}
})();
`;

/** Periodic returns of the curve and of the benchmark on the same bars (from the benchmark's first bar on). */
function pairedReturns(curve: EquityCurve, benchmark: EquityCurve | undefined): { time: Float64Array; r: Float64Array; rb: Float64Array | null } {
  const n = curve.time.length;
  if (n < 2) return { time: new Float64Array(0), r: new Float64Array(0), rb: null };
  const r = periodicReturns(curve.equity);
  if (!benchmark) return { time: curve.time.subarray(1), r, rb: null };
  const b = alignedValues(curve.time, benchmark); // NaN before the benchmark starts
  let from = 1;
  while (from < n && (b[from - 1] !== b[from - 1] || b[from] !== b[from])) from++;
  const m = n - from;
  const rb = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const prev = b[from + i - 1];
    rb[i] = prev > 0 ? b[from + i] / prev - 1 : 0;
  }
  return { time: curve.time.subarray(from), r: r.subarray(from - 1), rb };
}

function keyValuePanel(sec: ReportSection, i: number): ReportPanel {
  const slug = sec.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return {
    id: `section-${i + 1}${slug ? `-${slug}` : ''}`,
    title: sec.title,
    html:
      (sec.lead ? `<p class="sub">${escapeHtml(sec.lead)}</p>` : '') +
      table(['Item', 'Value'], sec.rows.map((r) => [r[0], r[1]]), 'kv') +
      (sec.table ? table([...sec.table.head], sec.table.rows.map((r) => [...r])) : ''),
  };
}

function section(id: string, title: string, html: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>\n${html}\n</section>`;
}

export function renderReport(input: ReportInput): string {
  const m = input.metrics ?? computeMetrics(input);
  const ppy = input.periodsPerYear ?? 252;
  const bm = input.benchmark ? computeMetrics({ equity: input.benchmark, trades: [], periodsPerYear: input.periodsPerYear, riskFreeRate: input.riskFreeRate }) : null;
  const title = input.title ?? `Backtest report${input.strategy ? `: ${input.strategy}` : ''}`;
  const series = input.series ?? [];
  const symbols = series.length > 0 ? series.map((s) => s.symbol) : [...new Set(input.trades.map((t) => t.symbol))];
  const maxRows = input.maxTradeRows ?? 1000;
  const strategyName = input.strategy ?? 'Strategy';
  const benchName = input.benchmarkName ?? 'Buy & hold (equal weight)';
  const curve = input.equity;

  // ---- the built-in panels, in page order ----
  const page: ReportPanel[] = [];
  const dayUnit = dayUnitFor(ppy);
  const worst = drawdownPeriods(curve, 5);

  page.push({ id: 'performance', title: 'Performance', html: metricsPanels(m, bm, ppy) });
  (input.sections ?? []).forEach((sec, i) => page.push(keyValuePanel(sec, i)));
  page.push({
    id: 'equity',
    title: 'Equity',
    html: chartDiv('chart-equity', 420),
    charts: { 'chart-equity': equityFigure(curve, input.benchmark, { strategyName, benchmarkName: benchName }) },
  });
  page.push({
    id: 'drawdown',
    title: 'Drawdown',
    html: `${chartDiv('chart-drawdown', 260)}<h3 class="sub">Worst ${worst.length === 1 ? 'drawdown' : `${worst.length} drawdowns`} (shaded above)</h3>${worstDrawdownsTable(curve, worst)}`,
    charts: { 'chart-drawdown': drawdownFigure(curve, { highlight: worst }) },
  });

  const yearly = yearlyVsBenchmark(curve, input.benchmark);
  const mr = monthlyReturns(curve);
  const benchYears = input.benchmark ? new Map(yearlyVsBenchmark(input.benchmark).map((y) => [y.year, y.strategy])) : undefined;
  page.push({
    id: 'returns',
    title: 'Returns by period',
    html:
      `<div class="grid2">${chartDiv('chart-yearly', 320)}${chartDiv('chart-histogram', 320)}</div>` +
      `<h3 class="sub">Monthly returns (%), the year's return${benchYears ? " and the benchmark's year" : ''}</h3>` +
      (mr.years.length > 0 ? monthlyReturnsTableHtml(mr, benchYears) : '<p class="sub">No returns.</p>'),
    charts: {
      'chart-yearly': yearlyReturnsFigure(yearly, { title: 'Yearly returns vs benchmark', strategyName, benchmarkName: benchName }),
      'chart-histogram': returnsHistogramFigure(
        histogram(ppy >= 252 && curve.time.length > 1 ? calendarReturns(curve, 'day').value : periodicReturns(curve.equity), 60),
        { mean: null, valueAtRisk: m.valueAtRisk, conditionalValueAtRisk: m.conditionalValueAtRisk },
        { title: `Distribution of ${dayUnit} returns`, xTitle: `${cap(dayUnit)} return` },
      ),
    },
  });

  const window = halfYearWindow(ppy);
  const pr = pairedReturns(curve, input.benchmark);
  if (pr.r.length > window) {
    // One chart at a time, into two reused buffers: each rolling series is 8 bytes a bar (80 MB at 10M
    // bars) and only its downsampled line is kept.
    const charts: Record<string, PlotlyFigure> = {};
    const bufs = [new Float64Array(pr.r.length), new Float64Array(pr.r.length)];
    const both = (f: (xs: Float64Array, into: Float64Array) => Float64Array): RollingLine[] => [
      { name: strategyName, values: f(pr.r, bufs[0]) },
      ...(pr.rb ? [{ name: benchName, values: f(pr.rb, bufs[1]) }] : []),
    ];
    charts['chart-rolling-vol'] = rollingFigure(pr.time, both((xs, into) => rollingVolatility(xs, window, ppy, into)), { title: 'Rolling volatility (annualised)', yTitle: 'Volatility', percent: true });
    charts['chart-rolling-sharpe'] = rollingFigure(pr.time, both((xs, into) => rollingSharpe(xs, window, ppy, input.riskFreeRate ?? 0, into)), { title: 'Rolling Sharpe ratio', yTitle: 'Sharpe', reference: 0 });
    if (pr.rb) {
      charts['chart-rolling-beta'] = rollingFigure(pr.time, [{ name: `Beta to ${benchName}`, values: rollingBeta(pr.r, pr.rb, window, bufs[0]), color: COLORS.strategy }], {
        title: 'Rolling beta to the benchmark',
        yTitle: 'Beta',
        reference: 1,
      });
    }
    page.push({
      id: 'rolling',
      title: `Rolling statistics (${fmtInt(window)}-bar window, about 6 months)`,
      html: `<div class="${pr.rb ? 'grid3' : 'grid2'}">${Object.keys(charts).map((id) => chartDiv(id, 300)).join('')}</div>`,
      charts,
    });
  }

  page.push({
    id: 'prices',
    title: 'Prices and trades',
    html:
      series.length === 0
        ? '<p class="sub">No price series given.</p>'
        : `<label>Symbol: <select id="candle-symbol">${series
            .map((s, i) => `<option value="${i}">${escapeHtml(s.symbol)} (${fmtInt(s.length)} bars)</option>`)
            .join('')}</select></label> <span class="sub">every trade is marked; long histories are drawn as blocks of bars</span><div id="chart-candles" class="chart" style="height:480px"></div>`,
  });

  const tradeHead = ['#', 'Symbol', 'Side', 'Entry', 'Entry price', 'Exit', 'Exit price', 'Qty', 'P&L', 'Return', 'Fees', 'Held'];
  page.push({
    id: 'trades',
    title: `Trades (${input.trades.length})`,
    html:
      input.trades.length === 0
        ? '<p class="sub">No closed trades.</p>'
        : // rows are filled in from the JSON block (a third of the size of HTML rows)
          `<div class="trades"><table id="trades-table"><thead><tr>${tradeHead.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody></tbody></table></div>` +
          (input.trades.length > maxRows ? `<p class="sub">Showing the first ${maxRows} of ${input.trades.length} trades.</p>` : ''),
  });
  const signals = input.signals ?? [];
  if (signals.length > 0) {
    page.push({
      id: 'signals',
      title: `Signals (${signals.length})`,
      html: `<details${signals.length <= 200 ? ' open' : ''}><summary>Each signal with its reason; for tree models the features that pushed P(up) most (exact TreeSHAP contributions)</summary><div class="trades">${table(
        ['Time', 'Symbol', 'Signal', 'P(up)', 'Reason'],
        signals.slice(0, maxRows).map((x) => [when(x.time), x.symbol, x.direction, x.probability === undefined ? DASH : x.probability.toFixed(3), x.reason]),
      )}</div>${signals.length > maxRows ? `<p class="sub">Showing the first ${maxRows} of ${signals.length} signals.</p>` : ''}</details>`,
    });
  }
  if (input.openPositions && input.openPositions.length > 0) {
    page.push({
      id: 'positions',
      title: 'Open positions',
      html: table(
        ['Symbol', 'Qty', 'Avg price', 'Last price', 'Market value', 'Unrealised P&L'],
        input.openPositions.map((p) => [p.symbol, fmtDecimalString(p.qty), fmtPrice(p.avgPrice), fmtPrice(p.lastPrice), cents(p.marketValue), cents(p.unrealized)]),
      ),
    });
  }
  for (const s of input.panels ?? []) page.push(s);

  const runRows: string[][] = [
    ['Strategy', input.strategy ?? DASH],
    ['Symbols', symbols.length > 0 ? symbols.join(', ') : DASH],
    ['Data range', dataRange(input)],
    ['Data source', input.dataSource ?? DASH],
    ['Bars (equity curve)', fmtInt(m.bars)],
    ['Periods per year', String(ppy)],
    ['Risk-free rate', fmtPct(input.riskFreeRate ?? 0)],
    ['Benchmark', input.benchmark ? benchName : DASH],
    ['Initial cash', input.initialCash !== undefined ? fmtDecimalString(input.initialCash) : fmtMoney(m.startEquity)],
    ['Final equity', input.finalEquity !== undefined ? cents(input.finalEquity) : fmtMoney(m.endEquity)],
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
  page.push({ id: 'run', title: 'Run', html: `${table(['Setting', 'Value'], runRows, 'kv')}\n${issuesHtml}\n${configJson}` });

  const ids = new Set<string>();
  const charts: Record<string, PlotlyFigure> = {};
  for (const s of page) {
    if (!/^[A-Za-z][\w-]*$/.test(s.id) || ids.has(s.id)) throw new Error(`report section id ${JSON.stringify(s.id)} must be unique and made of letters, digits, '-' or '_'`);
    ids.add(s.id);
    for (const [id, f] of Object.entries(s.charts ?? {})) charts[id] = f;
  }
  // Candles share a budget so many symbols still make a small file: 6,000 in all, 300 to 1,200 per symbol.
  const maxCandles = Math.max(300, Math.min(DISPLAY_CANDLES, Math.floor(6000 / Math.max(1, series.length))));
  const tradesOf = new Map<string, ClosedTrade[]>();
  for (const t of input.trades) {
    const list = tradesOf.get(t.symbol);
    if (list) list.push(t);
    else tradesOf.set(t.symbol, [t]);
  }
  const data = {
    charts,
    candles: series.map((s) => packedCandlestickFigure(s, tradesOf.get(s.symbol) ?? [], { maxCandles })),
    trades: tradeRows(input.trades, maxRows),
    config: PLOT_CONFIG,
  };

  const toc = page.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title.replace(/ \(.*$/, ''))}</a>`).join('');
  const by = `${input.generatedBy ?? 'tstrader'} with Plotly ${plotlyVersion()}${input.generatedAt ? ` on ${input.generatedAt}` : ''}`;
  return `${standalonePageStart(title, STYLE)}
<p class="sub">${escapeHtml(symbols.join(', ') || DASH)} · ${escapeHtml(dataRange(input))}${input.benchmark ? ` · benchmark: ${escapeHtml(benchName)}` : ''}</p>
<nav class="toc">${toc}</nav>
${cards(m, bm)}
${page.map((s) => section(s.id, s.title, s.html)).join('\n')}
<footer>Generated by ${escapeHtml(by)}. Past performance in a backtest is not a forecast.</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
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
  /** Fees paid on all fills (the ledger's total): the figure the console prints too. */
  readonly fees?: string;
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
  /** More report panels (model diagnostics, explanations...). */
  readonly panels?: readonly ReportPanel[];
  readonly sections?: readonly ReportSection[];
  readonly signals?: readonly ReportSignal[];
}

/** The metrics inputs of an engine result (the same fields the report charts). */
export function backtestMetricsInput(r: BacktestLike, periodsPerYear?: number, riskFreeRate?: number): MetricsInput {
  return { equity: r.equity, benchmark: r.benchmark, trades: r.trades, exposure: r.exposure, turnover: r.turnover, fees: r.fees, periodsPerYear, riskFreeRate };
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
    dataIssues: x.dataIssues,
    initialCash: r.initialCash,
    finalEquity: r.finalEquity,
    openPositions: r.openPositions,
    generatedAt: x.generatedAt,
    panels: x.panels,
    ...(x.sections ? { sections: x.sections } : {}),
    signals: x.signals,
  };
}

/** renderReport for an engine result: `backtestReportHtml({ result: runBacktest(...), series, config })`. */
export function backtestReportHtml(x: BacktestReportInput): string {
  return renderReport(backtestReportInput(x));
}
