/** lib/report: Plotly figure builders, figure HTML for notebooks, and the self-contained backtest report. */
export {
  equityFigure,
  drawdownFigure,
  monthlyHeatmapFigure,
  candlestickFigure,
  tradeMarkers,
  lineFigure,
  barFigure,
  histogramFigure,
  heatmapFigure,
  plotlyDate,
  plotlyText,
  roundSig,
  COLORS,
  type PlotlyFigure,
  type PlotlyTrace,
  type TradeMarker,
  type LineSeries,
  type GenericOptions,
  type CurveFigureOptions,
  type CandlestickOptions,
} from './figures.js';
export { figureHtml, plotlyScriptTag, PLOT_CONFIG, type FigureHtmlOptions } from './figure-html.js';
export { renderReport, metricRows, type MetricRow, backtestReportHtml, backtestReportInput, backtestMetricsInput, metricsTableHtml, type ReportInput, type ReportPosition, type BacktestLike, type BacktestReportInput, type ReportSection } from './render.js';
export { writeReport } from './write.js';
export { escapeHtml, jsonForScript } from './html.js';
export { plotlyBundlePath, plotlyBundleSource, plotlyVersion } from './plotly-bundle.js';
export { fmtMoney, fmtPct, fmtNum, fmtInt, fmtDecimalString } from './format.js';
