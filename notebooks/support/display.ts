/**
 * Notebook-only display helpers: they return HTML strings for tslab's `display.html` (imported in the
 * notebook itself, since `tslab` resolves only inside the kernel). Library code never imports this file.
 */

/** Escape text for HTML element content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A number with fixed decimals, a percent, or text as-is; null/NaN show as an en dash. */
export function fmt(v: unknown, digits = 4): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
    return Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toLocaleString('en-US') : v.toFixed(digits);
  }
  return String(v);
}

export const pct = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`;

export interface TableOptions {
  /** Columns to show, in order (default: keys of the first row). */
  readonly columns?: readonly string[];
  readonly caption?: string;
  /** Decimals for numbers (default 4). */
  readonly digits?: number;
  /** Show at most this many rows, with a note saying how many were left out. */
  readonly maxRows?: number;
}

/** An HTML table of records; every cell is escaped. */
export function htmlTable(rows: readonly Record<string, unknown>[], opts: TableOptions = {}): string {
  const cols = opts.columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const shown = opts.maxRows !== undefined ? rows.slice(0, opts.maxRows) : rows;
  const head = cols.map((c) => `<th style="text-align:right;padding:2px 8px">${esc(c)}</th>`).join('');
  const body = shown
    .map((r) => `<tr>${cols.map((c) => `<td style="text-align:right;padding:2px 8px">${esc(fmt(r[c], opts.digits ?? 4))}</td>`).join('')}</tr>`)
    .join('\n');
  const more = rows.length > shown.length ? `<p><em>${rows.length - shown.length} more rows not shown</em></p>` : '';
  const caption = opts.caption ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${esc(opts.caption)}</caption>` : '';
  return `<table style="border-collapse:collapse;font-size:12px">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}
