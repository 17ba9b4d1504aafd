/** lib/report: Plotly figure builders, figure HTML for notebooks, and the self-contained backtest report. */
export {
  equityFigure,
  drawdownFigure,
  yearlyReturnsFigure,
  returnsHistogramFigure,
  rollingFigure,
  candlestickFigure,
  tradeMarkers,
  lineFigure,
  barFigure,
  histogramFigure,
  plotlyDate,
  plotlyText,
  roundSig,
  COLORS,
  DISPLAY_POINTS,
  DISPLAY_CANDLES,
  type PlotlyFigure,
  type PlotlyTrace,
  type TradeMarker,
  type LineSeries,
  type GenericOptions,
  type CurveFigureOptions,
  type CandlestickOptions,
  type DrawdownFigureOptions,
  type HistogramLines,
  type RollingLine,
} from './figures.js';
export { lttb, displayIndices, ohlcBlocks, type OhlcBlocks } from './downsample.js';
export { monthlyReturnsTableHtml, heatmapTableHtml, divergingColor, rangeColor, type HeatmapTableOptions } from './table-heatmap.js';
export { figureHtml, plotlyScriptTag, PLOT_CONFIG, type FigureHtmlOptions } from './figure-html.js';
export { metricRows, metricsTableHtml, type MetricRow } from './metrics-table.js';
export { renderReport, chartDiv, type ReportPanel, type ReportSection, type ReportSignal, backtestReportHtml, backtestReportInput, backtestMetricsInput, type ReportInput, type ReportPosition, type BacktestLike, type BacktestReportInput } from './render.js';
export { writeReport } from './write.js';
export { escapeHtml, jsonForScript } from './html.js';
export { plotlyBundlePath, plotlyBundleSource, plotlyVersion } from './plotly-bundle.js';
export { fmtMoney, fmtPct, fmtNum, fmtInt, fmtDecimalString, fmtPrice } from './format.js';
