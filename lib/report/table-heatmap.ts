/**
 * Heatmaps as HTML tables with coloured cells: the monthly-returns grid of a tearsheet and small matrices
 * (correlations) in notebooks. A table needs no Plotly trace (the finance bundle has none for heatmaps), prints
 * every value legibly, scales with the page, and has no toolbar to cover a column.
 */
import type { MonthlyReturns } from '../metrics/monthly.js';
import { escapeHtml } from './html.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NEG: readonly [number, number, number] = [0xc6, 0x28, 0x28];
const POS: readonly [number, number, number] = [0x1b, 0x7a, 0x3e];
const MID: readonly [number, number, number] = [0xf7, 0xf7, 0xf7];

/** Background and text colour for v on a diverging red-white-green scale saturating at |v| = maxAbs. */
export function divergingColor(v: number, maxAbs: number): { bg: string; fg: string } {
  const t = maxAbs > 0 ? Math.min(1, Math.abs(v) / maxAbs) : 0;
  const end = v < 0 ? NEG : POS;
  const c = MID.map((m, i) => Math.round(m + (end[i] - m) * t));
  const hex = `#${c.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
  return { bg: hex, fg: t > 0.55 ? '#ffffff' : '#222222' };
}

/**
 * Colour on a scale stretched over [min, max], for values that do not straddle 0 (the Sharpe ratios of a grid
 * of mostly profitable cells): green from light (min) to dark (max) when all are >= 0, red from light (max)
 * to dark (min) when all are <= 0, so neighbouring cells differ visibly. Straddling 0: divergingColor.
 */
export function rangeColor(v: number, min: number, max: number): { bg: string; fg: string } {
  if (min < 0 && max > 0) return divergingColor(v, Math.max(-min, max));
  const span = max - min;
  // 0.15..1 of the way to the end colour: the lightest cell stays tinted, not mistaken for an empty one.
  const f = span > 0 ? (min >= 0 ? (v - min) / span : (max - v) / span) : 1;
  return divergingColor(min >= 0 ? 0.15 + 0.85 * f : -(0.15 + 0.85 * f), 1);
}

function cell(v: number | null, color: (v: number) => { bg: string; fg: string }, text: string, extraClass = '', title = ''): string {
  if (v === null || !Number.isFinite(v)) return `<td class="hm-empty${extraClass}"></td>`;
  const { bg, fg } = color(v);
  return `<td class="hm${extraClass}" style="background:${bg};color:${fg}"${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</td>`;
}

/** One decimal, without "-0.0%" for tiny losses. */
const pct1 = (v: number): string => {
  const s = (v * 100).toFixed(1);
  return `${s === '-0.0' ? '0.0' : s}%`;
};

/**
 * The year x month grid of returns (in %, one decimal) with the year's return and, when given, the
 * benchmark's year beside it. Months are coloured on one scale, years on their own.
 */
export function monthlyReturnsTableHtml(mr: MonthlyReturns, benchmarkYearly?: ReadonlyMap<number, number>): string {
  let maxM = 0;
  let maxY = 0;
  for (const row of mr.values) for (const v of row) if (v !== null) maxM = Math.max(maxM, Math.abs(v));
  for (const v of mr.yearly) if (v !== null) maxY = Math.max(maxY, Math.abs(v));
  for (const v of benchmarkYearly?.values() ?? []) maxY = Math.max(maxY, Math.abs(v));
  const bench = benchmarkYearly !== undefined;
  const head = ['Year', ...MONTHS, 'Annual', ...(bench ? ['Benchmark'] : [])].map((h) => `<th>${h}</th>`).join('');
  const rows = mr.years.map((y, i) => {
    const months = mr.values[i].map((v) => cell(v, (x) => divergingColor(x, maxM), v === null ? '' : pct1(v))).join('');
    const yr = mr.yearly[i];
    const b = benchmarkYearly?.get(y);
    const yc = (x: number) => divergingColor(x, maxY);
    return `<tr><th>${y}</th>${months}${cell(yr, yc, yr === null ? '' : pct1(yr), ' hm-year')}${bench ? cell(b ?? null, yc, b === undefined ? '' : pct1(b), ' hm-year') : ''}</tr>`;
  });
  return `<table class="heatmap monthly"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export interface HeatmapTableOptions {
  readonly caption?: string;
  /** Colour scale saturates at this |value| (default: the largest |value|); scale 'zero' only. */
  readonly maxAbs?: number;
  /** Decimals shown (default 2). */
  readonly digits?: number;
  /**
   * zero (default): red below 0, green above, darkest at ±maxAbs (correlations, returns).
   * range: stretched over the values' min..max when they do not straddle 0 (see rangeColor), so a grid of
   * Sharpe ratios between 0.5 and 0.8 shows its plateaus and spikes instead of one shade of green.
   */
  readonly scale?: 'zero' | 'range';
  /** A line under the table saying what the colours mean. */
  readonly legend?: boolean;
  /** Outline one cell (row, column), e.g. the best of a grid; `title` is its tooltip. */
  readonly mark?: { readonly row: number; readonly col: number; readonly title?: string };
}

const fmtLegend = (v: number, d: number): string => v.toFixed(d);

/** A matrix z[row][col] as a coloured table, columns labelled x, rows labelled y (e.g. a correlation matrix). */
export function heatmapTableHtml(z: ReadonlyArray<ArrayLike<number>>, x: readonly string[], y: readonly string[], opts: HeatmapTableOptions = {}): string {
  let maxAbs = opts.maxAbs ?? 0;
  let min = Infinity;
  let max = -Infinity;
  for (const row of z) {
    for (let j = 0; j < row.length; j++) {
      if (!Number.isFinite(row[j])) continue;
      min = Math.min(min, row[j]);
      max = Math.max(max, row[j]);
      if (opts.maxAbs === undefined) maxAbs = Math.max(maxAbs, Math.abs(row[j]));
    }
  }
  const d = opts.digits ?? 2;
  const range = opts.scale === 'range' && min <= max;
  const color = range ? (v: number) => rangeColor(v, min, max) : (v: number) => divergingColor(v, maxAbs);
  const head = `<tr><th></th>${x.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = z.map((row, i) => {
    const cells: string[] = [];
    for (let j = 0; j < row.length; j++) {
      const marked = opts.mark !== undefined && opts.mark.row === i && opts.mark.col === j;
      cells.push(cell(Number.isFinite(row[j]) ? row[j] : null, color, row[j].toFixed(d), marked ? ' hm-mark' : '', marked ? (opts.mark?.title ?? '') : ''));
    }
    return `<tr><th>${escapeHtml(y[i] ?? '')}</th>${cells.join('')}</tr>`;
  });
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : '';
  let legend = '';
  if (opts.legend && min <= max) {
    const swatch = (v: number) => {
      const c = color(v);
      return `<span class="hm-swatch" style="background:${c.bg};color:${c.fg}">${escapeHtml(fmtLegend(v, d))}</span>`;
    };
    const text =
      range && !(min < 0 && max > 0)
        ? `colours stretched over the values: ${swatch(min >= 0 ? min : max)} lightest, ${swatch(min >= 0 ? max : min)} darkest`
        : `red below 0, green above, darkest at ${swatch(-maxAbs)} and ${swatch(maxAbs)}`;
    legend = `<p class="hm-legend">${text}${opts.mark ? '; outlined: the best cell' : ''}</p>`;
  }
  // Styles inline: a notebook output has no report stylesheet.
  const style =
    '<style>table.heatmap{border-collapse:collapse;font:12px system-ui,sans-serif}table.heatmap th,table.heatmap td{padding:3px 7px;text-align:right;border:1px solid #fff}' +
    'table.heatmap caption{text-align:left;font-weight:600;padding:4px 0}table.heatmap td.hm-mark{outline:2px solid #111;outline-offset:-2px;font-weight:700}' +
    '.hm-legend{font:12px system-ui,sans-serif;color:#555;margin:4px 0}.hm-swatch{padding:1px 6px}</style>';
  return `${style}<table class="heatmap">${caption}<thead>${head}</thead><tbody>${rows.join('')}</tbody></table>${legend}`;
}
