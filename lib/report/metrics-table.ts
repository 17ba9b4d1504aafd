/**
 * The report's metrics as tables: grouped rows (returns, risk-adjusted, drawdown, distribution, best/worst,
 * trades), strategy beside the benchmark, each with its definition. The report, notebooks and the runner's
 * dashboard show the same rows.
 */
import type { Metrics } from '../metrics/types.js';
import { DASH, fmtInt, fmtMoney, fmtNum, fmtPct } from './format.js';
import { escapeHtml } from './html.js';

/** One metric as the report shows it: label, strategy and benchmark cells formatted, its definition. */
export interface MetricRow {
  readonly label: string;
  readonly strategy: string;
  readonly benchmark?: string;
  readonly note?: string;
}

type Group = readonly [string, readonly MetricRow[]];

function metricGroups(m: Metrics, b: Metrics | null, dayUnit: string): Group[] {
  const both = (label: string, f: (x: Metrics) => string, note?: string): MetricRow => ({ label, strategy: f(m), benchmark: b ? f(b) : undefined, note });
  const one = (label: string, v: string, note?: string): MetricRow => ({ label, strategy: v, note });
  return [
    [
      'Returns',
      [
        both('Start equity', (x) => fmtMoney(x.startEquity)),
        both('End equity', (x) => fmtMoney(x.endEquity)),
        both('Total return', (x) => fmtPct(x.totalReturn)),
        both('CAGR', (x) => fmtPct(x.cagr), 'over calendar time (365.25-day years)'),
        one('Exposure', fmtPct(m.exposure), 'mean gross exposure / equity'),
      ],
    ],
    [
      'Risk-adjusted',
      [
        both('Annual volatility', (x) => fmtPct(x.annualVolatility), 'sample std of periodic returns x sqrt(periods/yr)'),
        both('Sharpe ratio', (x) => fmtNum(x.sharpe), 'mean excess / sample std x sqrt(periods/yr)'),
        both('Sortino ratio', (x) => fmtNum(x.sortino), 'downside deviation over all periods, target = risk-free'),
        both('Calmar ratio', (x) => fmtNum(x.calmar), 'CAGR / |max drawdown|'),
        one('Alpha (annual)', fmtPct(m.alpha), 'Jensen alpha vs the benchmark'),
        one('Beta', fmtNum(m.beta), 'cov(r, rb) / var(rb)'),
      ],
    ],
    [
      'Drawdown',
      [
        both('Max drawdown', (x) => fmtPct(x.maxDrawdown)),
        both('Longest drawdown', (x) => `${fmtInt(x.maxDrawdownBars)} bars / ${fmtNum(x.maxDrawdownDays, 0)} days`, 'peak to recovery (or to the end)'),
      ],
    ],
    [
      `Distribution (${dayUnit} returns)`,
      [
        both('Skew', (x) => fmtNum(x.skew), 'bias-corrected (as pandas, scipy bias=False)'),
        both('Kurtosis (excess)', (x) => fmtNum(x.kurtosis), '0 for a normal distribution; bias-corrected'),
        both(`${cap(dayUnit)} VaR (95%)`, (x) => fmtPct(x.valueAtRisk), 'historical: the 5% quantile of returns'),
        both(`${cap(dayUnit)} CVaR (95%)`, (x) => fmtPct(x.conditionalValueAtRisk), 'expected shortfall: mean of returns at or below the VaR'),
      ],
    ],
    [
      'Best and worst',
      [
        both('Best day', (x) => fmtPct(x.bestDay), 'calendar day (UTC)'),
        both('Worst day', (x) => fmtPct(x.worstDay)),
        both('Best month', (x) => fmtPct(x.bestMonth), 'partial months at the ends count'),
        both('Worst month', (x) => fmtPct(x.worstMonth)),
        both('Best year', (x) => fmtPct(x.bestYear), 'partial years at the ends count'),
        both('Worst year', (x) => fmtPct(x.worstYear)),
      ],
    ],
    [
      'Trades',
      [
        one('Trades', fmtInt(m.numTrades)),
        one('Win rate', fmtPct(m.winRate)),
        one('Profit factor', fmtNum(m.profitFactor), 'gross profit / gross loss'),
        one('Expectancy', fmtMoney(m.expectancy), 'mean P&L per trade'),
        one('Average win', fmtMoney(m.avgWin)),
        one('Average loss', fmtMoney(m.avgLoss)),
        one('Net trade P&L', fmtMoney(m.netTradePnl), 'closed trades, after fees'),
        one('Fees', fmtMoney(m.totalFees), 'all fills, as the ledger (and the console) report them'),
        one('Average holding time', m.avgHoldingDays === null ? DASH : `${fmtNum(m.avgHoldingDays, 1)} days`),
        one('Turnover', m.turnover === null ? DASH : `${fmtNum(m.turnover)}x`, 'traded notional / mean equity'),
      ],
    ],
  ];
}

/** The report's metric rows in order, ungrouped (e.g. for a dashboard that shows the same figures). */
export function metricRows(m: Metrics, b: Metrics | null, periodsPerYear = 252): MetricRow[] {
  return metricGroups(m, b, dayUnitFor(periodsPerYear)).flatMap(([, rows]) => rows);
}

export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "daily" for daily or finer bars (returns per calendar day), else "per-bar". */
export function dayUnitFor(periodsPerYear: number): string {
  return periodsPerYear >= 252 ? 'daily' : 'per-bar';
}

function metricsTable(groups: readonly Group[], hasBench: boolean, definitions: boolean): string {
  const head = ['Metric', 'Strategy', ...(hasBench ? ['Benchmark'] : []), ...(definitions ? ['Definition'] : [])];
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = groups
    .map(([group, rows]) => {
      const cells = rows.map((r) => {
        // Without a definitions column the definition is the label's tooltip.
        const label = !definitions && r.note ? `<td title="${escapeHtml(r.note)}" class="def">${escapeHtml(r.label)}</td>` : `<td>${escapeHtml(r.label)}</td>`;
        const values = [r.strategy, ...(hasBench ? [r.benchmark ?? ''] : [])].map((x) => `<td>${escapeHtml(x)}</td>`).join('');
        return `<tr>${label}${values}${definitions ? `<td class="note">${escapeHtml(r.note ?? '')}</td>` : ''}</tr>`;
      });
      return `<tr class="group"><th colspan="${head.length}">${escapeHtml(group)}</th></tr>\n${cells.join('\n')}`;
    })
    .join('\n');
  return `<table class="metrics"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * The report's metrics on their own (for notebooks: tslab display.html), strategy vs an optional benchmark,
 * grouped (returns, risk-adjusted, drawdown, distribution, best/worst, trades), with a definitions column.
 */
export function metricsTableHtml(m: Metrics, benchmark: Metrics | null = null, periodsPerYear = 252): string {
  return metricsTable(metricGroups(m, benchmark, dayUnitFor(periodsPerYear)), benchmark !== null, true);
}

/** The report's layout of the same metrics: two tables side by side, definitions as tooltips on the labels. */
export function metricsPanels(m: Metrics, benchmark: Metrics | null, periodsPerYear: number): string {
  const g = metricGroups(m, benchmark, dayUnitFor(periodsPerYear));
  const hasBench = benchmark !== null;
  return `<div class="grid2 metrics-panels"><div>${metricsTable(g.slice(0, 3), hasBench, false)}</div><div>${metricsTable(g.slice(3), hasBench, false)}</div></div>`;
}
