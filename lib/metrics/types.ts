/**
 * Inputs and outputs of lib/metrics. The engine (lib/engine) produces these shapes; they are structural, so
 * its `Curve`/`TradeRecord` can be passed as they are. Statistics are floats; trade money stays as exact
 * decimal strings until a metric needs it as a number.
 */

/** Equity per bar. `time` is epoch ms (bar start, UTC), strictly increasing; `equity` in account currency. */
export interface EquityCurve {
  readonly time: Float64Array;
  readonly equity: Float64Array;
}

/** One round trip (or the closed part of one), as the portfolio records it. */
export interface ClosedTrade {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Epoch ms of the entry fill. */
  readonly entryTime: number;
  /** Decimal string: average entry price of the closed quantity. */
  readonly entryPrice: string;
  readonly exitTime: number;
  readonly exitPrice: string;
  /** Decimal string, positive. */
  readonly qty: string;
  /** Decimal string: realised P&L net of all fees of this trade. */
  readonly pnl: string;
  /** Decimal string: fees attributed to this trade (already deducted in pnl). */
  readonly fees: string;
}

export interface MetricsInput {
  readonly equity: EquityCurve;
  /** Benchmark equity on the same timestamps (e.g. equal-weight buy-and-hold); enables alpha/beta. */
  readonly benchmark?: EquityCurve;
  readonly trades: readonly ClosedTrade[];
  /** Gross exposure / equity per bar (0 = flat, 1 = fully invested). */
  readonly exposure?: Float64Array;
  /** Traded notional / mean equity over the whole run. */
  readonly turnover?: number;
  /** Periods per year of the equity curve: 252 for daily bars (the default). */
  readonly periodsPerYear?: number;
  /** Annual risk-free rate as a fraction (0.02 = 2 %); default 0. */
  readonly riskFreeRate?: number;
  /**
   * Total fees paid on every fill, as the ledger has it (the engine's `fees`, decimal string): the one source
   * of the fee figure, so the console and the report agree. Default: the sum of the closed trades' fees, which
   * misses the entry fees of positions still open.
   */
  readonly fees?: string | number;
}

/**
 * The headline numbers. Fractions are fractions (0.12 = 12 %), not percent. A metric that has no meaning
 * for the input (no trades, no benchmark, zero variance, too short a curve) is `null`, never NaN.
 */
export interface Metrics {
  /** Initial and final equity (account currency). */
  readonly startEquity: number;
  readonly endEquity: number;
  /** end / start - 1 (fraction). */
  readonly totalReturn: number;
  /** (end / start)^(365.25 days / calendar span) - 1 (fraction/year); null for a span under one day. */
  readonly cagr: number | null;
  /** Sample std of periodic returns x sqrt(periodsPerYear) (fraction/year); null for fewer than 2 returns. */
  readonly annualVolatility: number | null;
  /** mean(r - rf/ppy) / sampleStd(r) x sqrt(ppy); null when std is 0 or fewer than 2 returns. */
  readonly sharpe: number | null;
  /** mean(r - rf/ppy) / downsideDev x sqrt(ppy), downsideDev = sqrt(sum(min(0, r - rf/ppy)^2) / N) over ALL N returns; null when 0. */
  readonly sortino: number | null;
  /** cagr / |maxDrawdown|; null when there is no drawdown or no CAGR. */
  readonly calmar: number | null;
  /**
   * Largest peak-to-trough fall as a negative fraction (-0.25 = 25 % below the running peak); 0 when none.
   * Below -1 only if equity itself went negative (a short squeeze), which the curve then shows.
   */
  readonly maxDrawdown: number;
  /** Longest stretch below a previous peak: bars from the peak to recovery (or to the end if never recovered). */
  readonly maxDrawdownBars: number;
  /** The same stretch in calendar days. */
  readonly maxDrawdownDays: number;
  readonly numTrades: number;
  /** Fraction of trades with pnl > 0; null with no trades. */
  readonly winRate: number | null;
  /** Gross profit / |gross loss|; Infinity with wins and no losses, null with neither. */
  readonly profitFactor: number | null;
  /** Mean pnl per trade (currency); null with no trades. */
  readonly expectancy: number | null;
  /** Mean pnl of winning trades (currency, > 0); null with none. */
  readonly avgWin: number | null;
  /** Mean pnl of losing trades (currency, < 0); null with none. */
  readonly avgLoss: number | null;
  /** Sum of trade pnl (currency). */
  readonly netTradePnl: number;
  /** Fees paid on all fills: `MetricsInput.fees` when given, else the sum of the closed trades' fees (currency). */
  readonly totalFees: number;
  /** Mean holding time of closed trades in days (exit - entry, calendar); null with no trades. */
  readonly avgHoldingDays: number | null;
  /** Mean gross exposure over the bars (fraction); null when not given. */
  readonly exposure: number | null;
  /** Traded notional / mean equity; null when not given. */
  readonly turnover: number | null;
  /** Regression of periodic returns on benchmark returns: beta = cov/var(bench); null without a benchmark or with a flat one. */
  readonly beta: number | null;
  /** Annualised Jensen alpha: (mean(r - rf) - beta x mean(rb - rf)) x ppy (fraction/year); null when beta is. */
  readonly alpha: number | null;
  /** Benchmark total return (fraction); null without a benchmark. */
  readonly benchmarkReturn: number | null;
  /**
   * Distribution of returns, on calendar-day returns (bars finer than a day compounded per UTC day) for daily
   * or finer bars, on the bar returns for coarser bars: bias-corrected skewness and excess kurtosis (pandas /
   * scipy bias=False), historical 95 % value at risk and conditional VaR (expected shortfall) as negative
   * fractions. null when too few returns (3 for skew, 4 for kurtosis, 1 for VaR) or no spread.
   */
  readonly skew: number | null;
  readonly kurtosis: number | null;
  readonly valueAtRisk: number | null;
  readonly conditionalValueAtRisk: number | null;
  /** Best and worst calendar day (null for bars coarser than a day), month and year (partial periods at the ends count). */
  readonly bestDay: number | null;
  readonly worstDay: number | null;
  readonly bestMonth: number | null;
  readonly worstMonth: number | null;
  readonly bestYear: number | null;
  readonly worstYear: number | null;
  /** Number of bars and calendar span of the curve. */
  readonly bars: number;
  readonly startTime: number | null;
  readonly endTime: number | null;
}
