/**
 * One Plotly figure as an HTML fragment, for tslab's display.html in notebooks (and any other page).
 * Load Plotly once per page or notebook: `display.html(plotlyScriptTag())` in the setup cell (or includePlotly
 * on the first chart); the fragments carry only their data.
 */
import { escapeHtml, fnv1a, jsonForScript, scriptSafe } from './html.js';
import { plotlyBundleSource } from './plotly-bundle.js';
import type { PlotlyFigure } from './figures.js';

export interface FigureHtmlOptions {
  /** Inline the Plotly bundle (the finance bundle, about 1.3 MB) before the chart. */
  readonly includePlotly?: boolean;
  /** Element id; by default derived from the figure's content and a per-process counter. */
  readonly id?: string;
  /** CSS height in px (default 420). */
  readonly height?: number;
}

/**
 * Plot options shared by every chart: no Plotly logo, no links to the Plotly cloud, and a slim toolbar that
 * shows only on hover (zoom, pan, reset, download) so it does not sit on the data.
 */
export const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  showLink: false,
  showSendToCloud: false,
  displayModeBar: 'hover',
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toggleSpikelines', 'hoverClosestCartesian', 'hoverCompareCartesian'],
} as const;

let counter = 0;

/** `<script>` holding the Plotly bundle. */
export function plotlyScriptTag(): string {
  return `<script>${scriptSafe(plotlyBundleSource())}</script>`;
}

/** The opening of a self-contained page (reports, sweep reports): head with its styles and Plotly inlined once, up to the title heading. */
export function standalonePageStart(title: string, css: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
${plotlyScriptTag()}
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>`;
}

export function figureHtml(fig: PlotlyFigure, opts: FigureHtmlOptions = {}): string {
  const json = jsonForScript({ data: fig.data, layout: fig.layout });
  const id = opts.id ?? `plot-${fnv1a(json)}-${++counter}`;
  const height = opts.height ?? 420;
  const idJson = jsonForScript(id);
  const script =
    `(function(){var el=document.getElementById(${idJson});var f=${json};` +
    `if(typeof Plotly==='undefined'){el.textContent='Plotly is not loaded: run the cell that displays plotlyScriptTag() first.';return;}` +
    `Plotly.newPlot(el,f.data,f.layout,${jsonForScript(PLOT_CONFIG)});})();`;
  return (
    (opts.includePlotly ? plotlyScriptTag() : '') +
    `<div id="${escapeHtml(id)}" class="tstrader-plot" style="width:100%;height:${Math.round(height)}px"></div>` +
    `<script>${script}</script>`
  );
}
