/**
 * computeMetrics: every headline number from an equity curve, its trades and (optionally) a benchmark.
 *
 * Conventions (r = periodic returns of the curve, N = their count, ppy = periodsPerYear, rf = riskFreeRate / ppy):
 *   totalReturn      = end / start - 1
 *   cagr             = (end / start)^(1 / years) - 1, years = (lastTime - firstTime) / 365.25 days (calendar time)
 *   annualVolatility = sampleStd(r) * sqrt(ppy)                       (sample std: divisor N - 1)
 *   sharpe           = mean(r - rf) / sampleStd(r) * sqrt(ppy)
 *   sortino          = mean(r - rf) / DD * sqrt(ppy), DD = sqrt(sum(min(0, r - rf)^2) / N)  (all N periods, target rf)
 *   calmar           = cagr / |maxDrawdown|
 *   maxDrawdown      = min over t of equity[t] / max(equity[0..t]) - 1
 *   exposure         = mean of the per-bar gross exposure given by the engine
 *   skew, kurtosis   = bias-corrected G1, excess G2 of calendar-day returns (bar returns for bars over a day)
 *   valueAtRisk      = 5 % quantile of those returns (linear interpolation); conditionalValueAtRisk = mean at or below it
 *   best/worst       = of calendar-day, -month and -year returns
 * Undefined values are null (zero variance, no downside, no trades, no benchmark); profitFactor is Infinity
 * with wins and no losses. Nothing returns NaN.
 */
import { ValidationError } from '../core/errors.js';
import { alphaBeta } from './benchmark.js';
import { bestWorst, calendarReturns } from './calendar.js';
import { excessKurtosis, skewness, tailRisk } from './return-distribution.js';
import { drawdownStats } from './drawdown.js';
import { periodicReturns, validateCurve, YEAR_MS } from './returns.js';
import { finiteOrNull, isNegligible, mean, sampleStd } from './stats.js';
import { tradeStats } from './trades.js';
import type { Metrics, MetricsInput } from './types.js';

export const DEFAULT_PERIODS_PER_YEAR = 252;

export function computeMetrics(input: MetricsInput): Metrics {
  const ppy = input.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  if (!(ppy > 0) || !Number.isFinite(ppy)) throw new ValidationError('periodsPerYear', 'must be a positive number (252 for daily bars)', ppy);
  const rfYear = input.riskFreeRate ?? 0;
  if (!Number.isFinite(rfYear)) throw new ValidationError('riskFreeRate', 'must be a finite annual rate such as 0.02', rfYear);
  const curve = input.equity;
  validateCurve(curve, 'equity');
  if (input.benchmark) validateCurve(input.benchmark, 'benchmark');
  const n = curve.equity.length;
  const start = n > 0 ? curve.equity[0] : 0;
  const end = n > 0 ? curve.equity[n - 1] : 0;
  if (n > 0 && !(start > 0)) throw new ValidationError('equity[0]', 'must be positive: returns are relative to the starting equity', start);

  const totalReturn = n > 0 ? end / start - 1 : 0;
  const spanMs = n > 1 ? curve.time[n - 1] - curve.time[0] : 0;
  const years = spanMs / YEAR_MS;
  // Under a day of calendar time an annualised growth rate is meaningless (and explodes).
  const cagr = spanMs >= 86_400_000 ? (end > 0 ? Math.pow(end / start, 1 / years) - 1 : -1) : null;

  const r = periodicReturns(curve.equity);
  const rf = rfYear / ppy;
  const sd = sampleStd(r);
  const mExcess = mean(r) - rf;
  const flat = sd === null || isNegligible(sd, mean(r));
  const annualVolatility = sd === null ? null : flat ? 0 : sd * Math.sqrt(ppy);
  const sharpe = flat ? null : (mExcess / (sd as number)) * Math.sqrt(ppy);
  let down = 0;
  for (let i = 0; i < r.length; i++) {
    const d = r[i] - rf;
    if (d < 0) down += d * d;
  }
  const dd = r.length > 0 ? Math.sqrt(down / r.length) : 0;
  const sortino = r.length >= 2 && !isNegligible(dd, mean(r)) ? (mExcess / dd) * Math.sqrt(ppy) : null;

  const ddStats = drawdownStats(curve);
  const calmar = cagr !== null && ddStats.maxDrawdown < 0 ? cagr / -ddStats.maxDrawdown : null;

  const ts = tradeStats(input.trades);
  const ab = input.benchmark && n > 1 ? alphaBeta(curve, input.benchmark, ppy, rfYear) : null;

  let exposure: number | null = null;
  if (input.exposure) {
    if (input.exposure.length !== n) {
      throw new ValidationError('exposure', `has length ${input.exposure.length} but the equity curve has ${n} bars; they must match`);
    }
    exposure = n > 0 ? mean(input.exposure) : null;
  }

  // Day statistics need bars of a day or finer; weekly bars have no "best day".
  const daily = n > 1 && ppy >= 252 ? calendarReturns(curve, 'day').value : null;
  const dist = daily ?? r;
  const tail = tailRisk(dist, 0.95);
  const day = daily ? bestWorst(daily) : { best: null, worst: null };
  const month = bestWorst(calendarReturns(curve, 'month').value);
  const year = bestWorst(calendarReturns(curve, 'year').value);
  const totalFees = input.fees === undefined ? ts.totalFees : Number(input.fees);
  if (!Number.isFinite(totalFees)) throw new ValidationError('fees', 'must be a finite amount (decimal string or number)', input.fees);

  return {
    startEquity: start,
    endEquity: end,
    totalReturn,
    cagr: cagr === null ? null : finiteOrNull(cagr),
    annualVolatility,
    sharpe: sharpe === null ? null : finiteOrNull(sharpe),
    sortino: sortino === null ? null : finiteOrNull(sortino),
    calmar: calmar === null ? null : finiteOrNull(calmar),
    maxDrawdown: ddStats.maxDrawdown,
    maxDrawdownBars: ddStats.longestBars,
    maxDrawdownDays: ddStats.longestDays,
    numTrades: ts.numTrades,
    winRate: ts.winRate,
    profitFactor: ts.profitFactor,
    expectancy: ts.expectancy,
    avgWin: ts.avgWin,
    avgLoss: ts.avgLoss,
    netTradePnl: ts.netPnl,
    totalFees,
    avgHoldingDays: ts.avgHoldingDays,
    exposure: exposure === null ? null : finiteOrNull(exposure),
    turnover: input.turnover === undefined ? null : finiteOrNull(input.turnover),
    beta: ab && ab.beta !== null ? finiteOrNull(ab.beta) : null,
    alpha: ab && ab.alpha !== null ? finiteOrNull(ab.alpha) : null,
    benchmarkReturn: ab ? ab.benchmarkReturn : null,
    skew: skewness(dist),
    kurtosis: excessKurtosis(dist),
    valueAtRisk: tail ? tail.valueAtRisk : null,
    conditionalValueAtRisk: tail ? tail.conditionalValueAtRisk : null,
    bestDay: n > 1 ? day.best : null,
    worstDay: n > 1 ? day.worst : null,
    bestMonth: n > 1 ? month.best : null,
    worstMonth: n > 1 ? month.worst : null,
    bestYear: n > 1 ? year.best : null,
    worstYear: n > 1 ? year.worst : null,
    bars: n,
    startTime: n > 0 ? curve.time[0] : null,
    endTime: n > 0 ? curve.time[n - 1] : null,
  };
}

/**
 * Metrics as plain JSON: JSON.stringify would turn Infinity into null, so a profit factor with no losing
 * trades is written as the string "Infinity".
 */
export function metricsToJSON(m: Metrics): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const [k, v] of Object.entries(m) as Array<[string, number | null]>) {
    out[k] = v === null ? null : Number.isFinite(v) ? v : v > 0 ? 'Infinity' : '-Infinity';
  }
  return out;
}
