/**
 * The sweep report: one self-contained HTML page (Plotly inlined once by lib/report, chart data in a JSON
 * block, no network) with
 *   - the best cell and the run's facts,
 *   - the overfitting statistics over the grid (deflated Sharpe of the best cell given the number of trials,
 *     PBO by combinatorially symmetric cross-validation), per group of cells sharing a timeline,
 *   - heatmaps of a metric over two parameters (median over the other axes): a plateau or a spike?
 *   - the distribution of Sharpe over the grid,
 *   - the sortable results table.
 * Rendering is pure (same inputs, same bytes); writeSweepReport is the I/O edge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { histogramFigure } from '../report/figures.js';
import { PLOT_CONFIG, standalonePageStart } from '../report/figure-html.js';
import { DASH, fmtInt, fmtNum, fmtPct } from '../report/format.js';
import { escapeHtml, jsonForScript } from '../report/html.js';
import { heatmapTableHtml } from '../report/table-heatmap.js';
import { plotlyVersion } from '../report/plotly-bundle.js';
import type { SweepJob } from './grid.js';
import { overfittingForGroups, type GroupOverfitting } from './overfit.js';
import type { CellValue, ResultRow, ResultStore } from './results.js';
import type { SweepMetric, SweepSpec } from './spec.js';

export interface SweepReportInput {
  readonly spec: SweepSpec;
  readonly jobs: readonly SweepJob[];
  readonly store: Pick<ResultStore, 'rows' | 'scanReturns' | 'columns'>;
  readonly dataHash: string;
  /** Periods per year of the bars (252 for daily), for annualised Sharpe ratios. */
  readonly periodsPerYear?: number;
  /** Table rows listed in the page (default 5,000; all are in the CSV and the charts). */
  readonly maxRows?: number;
  readonly generatedAt?: string;
}

/** Metrics offered in the heatmap selector. */
const HEATMAP_METRICS: readonly SweepMetric[] = ['sharpe', 'total_return', 'cagr', 'max_drawdown', 'sortino', 'calmar', 'num_trades'];
/** Metrics where smaller is better (drawdown is negative: larger is better; none for now besides volatility). */
const LOWER_IS_BETTER = new Set<string>(['annual_volatility']);

const num = (v: CellValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : v === 'Infinity' ? Infinity : null);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** The best row by the spec's metric (nulls never win). */
export function bestRow(rows: readonly ResultRow[], metric: string): ResultRow | null {
  let best: ResultRow | null = null;
  let bv = 0;
  const sign = LOWER_IS_BETTER.has(metric) ? -1 : 1;
  for (const r of rows) {
    const v = num(r[metric]);
    if (v === null) continue;
    if (best === null || sign * v > sign * bv) {
      best = r;
      bv = v;
    }
  }
  return best;
}

/**
 * metric(x, y) as the median over every other axis; null where no cell has a value. An axis with more than
 * `maxPerAxis` values is cut into that many runs of consecutive values (labelled "first–last"), each square then
 * the median over its run too, so a 1,000 x 1,000 grid still gives a table a page can hold.
 */
export function heatmapGrid(
  rows: readonly ResultRow[],
  xName: string,
  yName: string,
  metric: string,
  maxPerAxis = Infinity,
): { x: Array<string | number>; y: Array<string | number>; z: Array<Array<number | null>> } {
  const sortVals = (vs: Array<CellValue | undefined>): Array<string | number> =>
    [...new Set(vs.map((v) => (typeof v === 'number' || typeof v === 'string' ? v : String(v))))].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
  /** Axis labels and, for each value's key, its label's index. */
  const axis = (vals: Array<string | number>): { labels: Array<string | number>; index: Map<string, number> } => {
    const index = new Map<string, number>();
    if (vals.length <= maxPerAxis) {
      vals.forEach((v, i) => index.set(String(v), i));
      return { labels: vals, index };
    }
    const k = Math.max(1, Math.floor(maxPerAxis));
    const labels: Array<string | number> = [];
    for (let b = 0; b < k; b++) {
      const from = Math.floor((b * vals.length) / k);
      const to = Math.floor(((b + 1) * vals.length) / k) - 1;
      for (let i = from; i <= to; i++) index.set(String(vals[i]), b);
      labels.push(from === to ? vals[from] : `${vals[from]}–${vals[to]}`);
    }
    return { labels, index };
  };
  const ax = axis(sortVals(rows.map((r) => r[xName])));
  const ay = axis(sortVals(rows.map((r) => r[yName])));
  const cells = new Map<number, number[]>();
  for (const r of rows) {
    const v = num(r[metric]);
    if (v === null || !Number.isFinite(v)) continue;
    const k = ay.index.get(String(r[yName]))! * ax.labels.length + ax.index.get(String(r[xName]))!;
    const list = cells.get(k);
    if (list) list.push(v);
    else cells.set(k, [v]);
  }
  const z = ay.labels.map((_, i) =>
    ax.labels.map((__, j) => {
      const list = cells.get(i * ax.labels.length + j);
      return list ? median(list) : null;
    }),
  );
  return { x: ax.labels, y: ay.labels, z };
}

const PCT_METRICS = new Set(['total_return', 'cagr', 'max_drawdown', 'annual_volatility', 'win_rate', 'exposure']);
/** Squares per heatmap axis at most: 7 metric panels of 60 x 60 stay a few MB of HTML whatever the grid. */
const HEATMAP_MAX_PER_AXIS = 60;

/**
 * One metric over two parameters as a coloured table (the finance Plotly bundle has no heatmap trace). The axis
 * with more values runs down the rows, so a long axis scrolls the page instead of overflowing it sideways.
 * Colours are stretched over the values' range (a grid of Sharpe ratios from 0.55 to 0.84 is not one shade of
 * green); the best cell of the grid is outlined.
 */
function heatmapTable(rows: readonly ResultRow[], xName: string, yName: string, metric: string, index: number, best: ResultRow | null): string {
  const probe = heatmapGrid(rows, xName, yName, metric, HEATMAP_MAX_PER_AXIS);
  const [colName, rowName] = probe.x.length > probe.y.length ? [yName, xName] : [xName, yName];
  const g = colName === xName ? probe : heatmapGrid(rows, colName, rowName, metric, HEATMAP_MAX_PER_AXIS);
  const pct = PCT_METRICS.has(metric);
  const z = g.z.map((row) => row.map((v) => (v === null ? NaN : pct ? v * 100 : v)));
  let mark: { row: number; col: number; title: string } | undefined;
  if (best) {
    // The square holding the best cell (its value, or the run of values it falls in).
    const at = (labels: Array<string | number>, v: CellValue | undefined): number => {
      const i = labels.findIndex((l) => String(l) === String(v));
      if (i >= 0 || typeof v !== 'number') return i;
      return labels.findIndex((l) => typeof l === 'string' && l.includes('–') && v >= Number(l.split('–')[0]) && v <= Number(l.split('–')[1]));
    };
    const row = at(g.y, best[rowName]);
    const col = at(g.x, best[colName]);
    if (row >= 0 && col >= 0) mark = { row, col, title: `best cell: ${colName}=${String(best[colName])}, ${rowName}=${String(best[rowName])}` };
  }
  const binned = g.x.length < new Set(rows.map((r) => String(r[colName]))).size || g.y.length < new Set(rows.map((r) => String(r[rowName]))).size;
  const table = heatmapTableHtml(z, g.x.map(String), g.y.map(String), {
    caption: `${metric}${pct ? ' (%)' : ''}, median over other axes${binned ? ' and over runs of neighbouring values' : ''}: columns ${colName}, rows ${rowName}`,
    digits: pct ? 1 : metric === 'num_trades' ? 0 : 2,
    scale: 'range',
    legend: true,
    mark,
  });
  return `<div class="heatmap-panel" data-metric="${escapeHtml(metric)}"${index === 0 ? '' : ' hidden'}>${table}</div>`;
}

function fmtCell(col: string, v: CellValue | undefined): string {
  if (v === null || v === undefined) return DASH;
  if (typeof v !== 'number') return v === 'Infinity' ? '∞' : String(v);
  if (['total_return', 'cagr', 'max_drawdown', 'annual_volatility', 'win_rate', 'exposure'].includes(col)) return fmtPct(v);
  if (['sharpe', 'sortino', 'calmar', 'profit_factor', 'turnover'].includes(col)) return fmtNum(v);
  if (Number.isInteger(v)) return col === 'cell' ? String(v) : fmtInt(v);
  return String(v);
}

function kvTable(rows: ReadonlyArray<readonly [string, string]>): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}

function resultsTable(columns: readonly string[], rows: readonly ResultRow[], metric: string, limit: number): string {
  const sign = LOWER_IS_BETTER.has(metric) ? 1 : -1;
  const sorted = [...rows].sort((a, b) => {
    const x = num(a[metric]);
    const y = num(b[metric]);
    if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || (a.cell as number) - (b.cell as number);
    return sign * (x - y) || (a.cell as number) - (b.cell as number);
  });
  const shown = sorted.slice(0, limit);
  const head = columns.map((c) => `<th data-col="${escapeHtml(c)}" title="click to sort">${escapeHtml(c)}</th>`).join('');
  const body = shown
    .map((r) => `<tr>${columns.map((c) => `<td data-v="${escapeHtml(r[c] === null || r[c] === undefined ? '' : String(r[c]))}">${escapeHtml(fmtCell(c, r[c]))}</td>`).join('')}</tr>`)
    .join('\n');
  const note = rows.length > limit ? `<p class="sub">Showing the best ${limit.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} cells by ${escapeHtml(metric)}; results.csv and results.parquet hold all.</p>` : '';
  return `<div class="results"><table id="results" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>${note}`;
}

function overfittingHtml(groups: readonly GroupOverfitting[] | null, reason: string | null): string {
  if (groups === null) return `<p class="sub">${escapeHtml(reason ?? 'Overfitting statistics are not available.')}</p>`;
  const note = reason ? `<p class="sub">${escapeHtml(reason)}</p>` : '';
  if (groups.length === 0) return '<p class="sub">No group of cells shares a timeline with at least two trials: nothing to deflate.</p>';
  const head = ['Cells (trials)', 'Symbols', 'Window', 'Best cell', 'Best Sharpe (annual)', 'Expected max Sharpe of unskilled trials (annual)', 'Deflated Sharpe', 'PBO (CSCV)', 'CSCV splits'];
  const rows = groups.map((g) => [
    fmtInt(g.trials),
    g.symbols,
    g.window,
    g.bestLabel,
    fmtNum(g.bestSharpeAnnual),
    fmtNum(g.expectedMaxSharpeAnnual),
    g.deflatedSharpe === null ? DASH : fmtPct(g.deflatedSharpe, 1),
    g.pbo === null ? DASH : fmtPct(g.pbo, 1),
    g.splits === null ? DASH : fmtInt(g.splits),
  ]);
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return (
    note +
    `<table id="overfitting"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>` +
    '<p class="sub">Deflated Sharpe: the probability that the best cell\'s true Sharpe exceeds what the best of this many unskilled trials would show by luck (Bailey &amp; López de Prado 2014); below 95 % the best cell is not distinguishable from selection luck. ' +
    'PBO: the probability that the configuration best in-sample ranks below the median out-of-sample, over all symmetric splits of the time blocks (Bailey, Borwein, López de Prado &amp; Zhu 2017); above 50 % the selection is worse than a coin toss.</p>'
  );
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1300px;margin:0 auto;padding:16px 24px 40px}
h1{font-size:1.6em;margin:8px 0 4px}h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:6px 0 12px}
table{border-collapse:collapse;font-size:13px;background:#fff}
th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f0f0f0}table.kv th{text-align:left}table.kv td{text-align:left;white-space:normal}
table.sortable th{cursor:pointer;position:sticky;top:0}table.sortable th[data-dir=asc]::after{content:" ▲"}table.sortable th[data-dir=desc]::after{content:" ▼"}
.results{max-height:620px;overflow:auto;display:inline-block;max-width:100%}
.chart{background:#fff;border:1px solid #e0e0e0;height:460px}
#heatmaps{overflow:auto;max-width:100%}table.heatmap td{padding:3px 6px}
pre{background:#fff;border:1px solid #e0e0e0;padding:8px;overflow:auto;font-size:12px}
footer{color:#777;font-size:12px;margin-top:32px}
`;

/** Client side: draw the charts; the heatmap follows the metric selector; table headers sort (nulls last). */
const CLIENT = `
(function(){
var D=JSON.parse(document.getElementById('sweep-data').textContent);
var C=D.config;
if(D.sharpe)Plotly.newPlot('chart-sharpe',D.sharpe.data,D.sharpe.layout,C);\nif(D.pbo)Plotly.newPlot('chart-pbo',D.pbo.data,D.pbo.layout,C);
var sel=document.getElementById('heatmap-metric');
if(sel)sel.addEventListener('change',function(){Array.prototype.forEach.call(document.querySelectorAll('.heatmap-panel'),function(p,i){p.hidden=i!==Number(sel.value);});});
Array.prototype.forEach.call(document.querySelectorAll('table.sortable th'),function(th,i){
th.addEventListener('click',function(){
var table=th.closest('table');var tb=table.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
var dir=th.getAttribute('data-dir')==='desc'?1:-1;
Array.prototype.forEach.call(table.querySelectorAll('th'),function(h){h.removeAttribute('data-dir');});
th.setAttribute('data-dir',dir===1?'asc':'desc');
rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v'),y=b.cells[i].getAttribute('data-v');
if(x===''||y==='')return (x===''?1:0)-(y===''?1:0);
var nx=x==='Infinity'?Infinity:Number(x),ny=y==='Infinity'?Infinity:Number(y);
if(!isNaN(nx)&&!isNaN(ny))return dir*(nx===ny?0:nx<ny?-1:1);
return dir*(x<y?-1:x>y?1:0);});
rows.forEach(function(r){tb.appendChild(r);});});});
})();
`;

export function renderSweepReport(input: SweepReportInput): string {
  const { spec, jobs } = input;
  const rows = input.store.rows(jobs);
  const metric = spec.metric;
  const best = bestRow(rows, metric);
  const columns = input.store.columns;
  const varying = spec.params.filter((p) => p.values.length > 1).map((p) => p.name);
  const fixed = spec.params.filter((p) => p.values.length === 1).map((p) => `${p.name}=${p.values[0]}`);

  const heatMetrics = [metric, ...HEATMAP_METRICS.filter((m) => m !== metric)];
  const heatmaps = spec.heatmap && rows.length > 0 ? heatMetrics.map((m, i) => heatmapTable(rows, spec.heatmap![0], spec.heatmap![1], m, i, best)) : [];
  const sharpes = rows.map((r) => num(r.sharpe)).filter((v): v is number => v !== null && Number.isFinite(v));
  const sharpe = sharpes.length ? histogramFigure(sharpes, { title: `Sharpe ratio over ${sharpes.length} cells`, xTitle: 'annualised Sharpe', yTitle: 'cells', bins: 40 }) : null;
  if (sharpe && best && num(best.sharpe) !== null) {
    sharpe.layout.shapes = [{ type: 'line', x0: num(best.sharpe), x1: num(best.sharpe), yref: 'paper', y0: 0, y1: 1, line: { color: '#d62728', dash: 'dot' } }];
  }

  const ofit = overfittingForGroups(jobs, rows, (ids, fn) => input.store.scanReturns(ids, fn), input.periodsPerYear ?? 252);
  const pboFig = ofit.logits
    ? histogramFigure(ofit.logits.values, { title: `CSCV logits of the in-sample best, ${ofit.logits.label} (left of 0 = overfit)`, xTitle: 'logit of the out-of-sample relative rank', yTitle: 'splits', bins: 40 })
    : null;
  if (pboFig) pboFig.layout.shapes = [{ type: 'line', x0: 0, x1: 0, yref: 'paper', y0: 0, y1: 1, line: { color: '#d62728', dash: 'dot' } }];

  const bestLabel = best ? [...spec.params.map((p) => `${p.name}=${String(best[p.name])}`), `symbols=${String(best.symbols)}`].join(', ') : DASH;
  const summary: Array<readonly [string, string]> = [
    ['Strategy', spec.strategy],
    ['Grid', `${varying.length ? varying.map((v) => `${v} (${spec.params.find((p) => p.name === v)!.values.length})`).join(' x ') : 'no varying parameter'}${fixed.length ? `; fixed ${fixed.join(', ')}` : ''}`],
    ['Cells', `${fmtInt(rows.length)} of ${fmtInt(jobs.length)} finished`],
    ['Ranked by', metric],
    ['Best cell', bestLabel],
    ['Best cell ' + metric, best ? fmtCell(metric, best[metric]) : DASH],
    ['Best cell total return / max drawdown', best ? `${fmtCell('total_return', best.total_return)} / ${fmtCell('max_drawdown', best.max_drawdown)}` : DASH],
    ['Data', `${spec.data.kind === 'csv' ? spec.data.dir : `synthetic seed ${spec.data.seed}`}; sha256 ${input.dataHash.slice(0, 16)}…`],
    ['Costs', spec.costs.map((c) => `${c.name} ${c.values.join('/')}`).join(', ')],
    ['Windows', spec.windows ? spec.windows.map((w) => `${w.start}..${w.end}`).join(', ') : 'whole data range'],
    ['Execution', `cash ${spec.execution.cash}, fill at ${spec.execution.fillAt}, sizing ${spec.execution.sizing.method}, risk ${spec.execution.risk}`],
  ];

  const heatSection =
    heatmaps.length === 0
      ? `<p class="sub">${spec.heatmap ? 'No finished cells yet.' : 'Fewer than two parameters vary: no heatmap (set report.heatmap: [a, b] to choose two).'}</p>`
      : `<label>Metric: <select id="heatmap-metric">${heatMetrics.map((m, i) => `<option value="${i}">${escapeHtml(m)}</option>`).join('')}</select></label>` +
        `<div id="heatmaps">${heatmaps.join('\n')}</div><p class="sub">Each square is the median over every other axis (symbols, windows, costs, other parameters); the outlined square holds the best cell. A robust choice sits on a plateau of good values, not on an isolated spike.</p>`;

  const payload = { sharpe, pbo: pboFig, config: PLOT_CONFIG };
  const title = `Sweep: ${spec.name} (${spec.strategy})`;
  return `${standalonePageStart(title, STYLE)}
<p class="sub">${escapeHtml(`${fmtInt(rows.length)} cells · ranked by ${metric}`)}</p>
<h2>Summary</h2>
${kvTable(summary)}
<h2>Overfitting over the grid</h2>
${overfittingHtml(ofit.groups, ofit.reason)}
${pboFig ? '<div id="chart-pbo" class="chart"></div>' : ''}
<h2>Parameter stability</h2>
${heatSection}
<h2>Sharpe over the grid</h2>
${sharpe ? '<div id="chart-sharpe" class="chart"></div><p class="sub">The dotted line marks the best cell.</p>' : '<p class="sub">No cell has a Sharpe ratio.</p>'}
<h2>Results (${fmtInt(rows.length)})</h2>
<p class="sub">Click a column to sort.</p>
${resultsTable(columns, rows, metric, input.maxRows ?? 5000)}
<footer>Generated by tstrader sweep with Plotly ${escapeHtml(plotlyVersion())}${input.generatedAt ? ` on ${escapeHtml(input.generatedAt)}` : ''}. A grid's best cell is the most optimistic estimate of its kind.</footer>
</main>
<script type="application/json" id="sweep-data">${jsonForScript(payload)}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}

export function writeSweepReport(path: string, input: SweepReportInput): number {
  const html = renderSweepReport(input);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html, 'utf8');
  return Buffer.byteLength(html, 'utf8');
}

