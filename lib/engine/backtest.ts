/**
 * The backtest driver: a loop over the merged timeline around the engine's step, with a SimClock and the
 * synchronous simulator. Per bar it touches only floats and typed arrays (no decimals, no allocation);
 * decimals appear only when orders fill. Equity per bar is cash + sum(qty x close) computed fresh from the
 * exact ledger's float mirrors, so it cannot drift; the exact final equity comes from the ledger.
 */
import { isoDate, type BarSeries } from '../core/bars.js';
import { SimClock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import { dec, type Decimal, type DecimalLike } from '../core/money.js';
import type { Fill } from '../core/orders.js';
import { SimExecution, type FillAt } from '../broker/sim/execution.js';
import type { Commission, CommissionSpec } from '../broker/sim/costs.js';
import { Portfolio, type ClosedTrade } from '../portfolio/portfolio.js';
import { RiskGate } from '../risk/gate.js';
import type { RiskLimits } from '../risk/limits.js';
import type { SizingSpec } from '../risk/sizing.js';
import type { Strategy, StrategyContext } from '../strategy/types.js';
import { Engine, type JournalEntry } from './engine.js';
import { mergedTimes } from './timeline.js';
import { FillLog } from './fill-log.js';
import type { ClosedTrade as MetricsTrade, EquityCurve } from '../metrics/types.js';

export interface BacktestOptions {
  readonly series: readonly BarSeries[];
  readonly strategy: Strategy;
  readonly initialCash?: DecimalLike;
  readonly fillAt?: FillAt;
  readonly commission?: CommissionSpec | Commission;
  readonly slippageBps?: number;
  /** Risk limits (defaults: lib/risk DEFAULT_LIMITS, i.e. 10 % per position with 5 %/10 % brackets). */
  readonly limits?: Partial<RiskLimits>;
  readonly sizing?: SizingSpec;
}

/** A closed trade with exact values as decimal strings: the form lib/metrics and the reports read. */
export type TradeRecord = MetricsTrade;

export type Curve = EquityCurve;

export interface OpenPosition {
  readonly symbol: string;
  readonly qty: string;
  readonly avgPrice: string;
  readonly lastPrice: string;
  readonly marketValue: string;
  readonly unrealized: string;
  readonly entryTime: number;
}

export interface RejectedOrder {
  readonly time: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly status: string;
  readonly reason: string;
}

export interface BacktestResult {
  readonly strategy: string;
  readonly symbols: readonly string[];
  readonly initialCash: string;
  /** Exact: cash + sum(qty x last close). */
  readonly finalEquity: string;
  readonly finalCash: string;
  readonly equity: Curve;
  /** Equal-weight buy-and-hold of the same symbols (each bought at its first close with 1/n of the cash). */
  readonly benchmark: Curve;
  /** Gross exposure / equity per bar. */
  readonly exposure: Float64Array;
  readonly trades: readonly TradeRecord[];
  readonly openPositions: readonly OpenPosition[];
  readonly fills: readonly Fill[];
  /** Sum of |fill notional|. */
  readonly tradedNotional: number;
  /** Traded notional / mean equity. */
  readonly turnover: number;
  readonly fees: string;
  readonly journal: readonly JournalEntry[];
  /** Orders the simulator rejected or expired at fill time (e.g. not enough cash at the fill price). */
  readonly rejectedOrders: readonly RejectedOrder[];
  /** Symbol-bars processed. */
  readonly bars: number;
  readonly start: string;
  readonly end: string;
  /** The ledger at the end (exact cash and positions). Its trades list is empty: closed trades are in `trades`. */
  readonly portfolio: Portfolio;
}

export function runBacktest(o: BacktestOptions): BacktestResult {
  const series = o.series;
  if (series.length === 0) throw new ValidationError('series', 'needs at least one symbol');
  const symbols = series.map((s) => s.symbol);
  const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (dup !== undefined) throw new ValidationError('series', 'has a symbol twice', dup);
  const nS = series.length;
  // Trades become compact string records as they close, and finished orders are dropped: memory stays
  // proportional to the bars (typed arrays) plus one small record per trade and fill.
  const trades: TradeRecord[] = [];
  const portfolio = new Portfolio(o.initialCash ?? 100_000, symbols, { onTrade: (t) => trades.push(tradeRecord(t)) });
  const fillLog = new FillLog();
  const exec = new SimExecution(portfolio, {
    retainHistory: false,
    onFill: (f) => fillLog.push(f),
    fillAt: o.fillAt,
    commission: o.commission,
    slippageBps: o.slippageBps,
    allowShort: o.limits?.allowShort ?? false,
  });
  const gate = new RiskGate(o.limits ?? {});
  const engine = new Engine({ strategy: o.strategy, gate, sizing: o.sizing ?? { method: 'fixed_fraction', fraction: 0.1 }, portfolio });
  o.strategy.init?.(series);

  const times = mergedTimes(series);
  const T = times.length;
  const eqOut = new Float64Array(T);
  const benchOut = new Float64Array(T);
  const expOut = new Float64Array(T);
  const index = new Int32Array(nS).fill(-1);
  const updated = new Uint8Array(nS);
  const marks = new Float64Array(nS);
  const benchShares = new Float64Array(nS);
  const cash0 = Number(portfolio.initialCash.toNumber());
  const benchSlice = cash0 / nS;
  let benchCash = cash0;
  const clock = new SimClock(T > 0 ? times[0] : 0);
  const ctx: StrategyContext = { time: 0, series, index, updated, portfolio };
  const mutable = ctx as { time: number };
  const market = { marks, equity: cash0 };
  const tcol = series.map((s) => s.time);
  const ocol = series.map((s) => s.open);
  const hcol = series.map((s) => s.high);
  const lcol = series.map((s) => s.low);
  const ccol = series.map((s) => s.close);
  const len = series.map((s) => s.length);
  let bars = 0;
  const closeFills = exec.fillAt === 'close';

  for (let k = 0; k < T; k++) {
    const now = times[k];
    clock.advanceTo(now);
    for (let s = 0; s < nS; s++) {
      const j = index[s] + 1;
      if (j < len[s] && tcol[s][j] === now) {
        index[s] = j;
        updated[s] = 1;
        bars++;
        const c = ccol[s][j];
        marks[s] = c;
        if (j === 0) {
          benchShares[s] = benchSlice / c;
          benchCash -= benchSlice;
        }
        // With close fills the simulator must know every close; otherwise only symbols with orders need the bar.
        if (closeFills || exec.hasOpenOrders(s)) exec.onBar(s, now, ocol[s][j], hcol[s][j], lcol[s][j], c);
      } else updated[s] = 0;
    }
    let equity = portfolio.equityFloat(marks);
    gate.onBar(now, equity);
    market.equity = equity;
    mutable.time = now;
    if (engine.step(ctx, market, exec) > 0 && exec.fillAt === 'close') equity = portfolio.equityFloat(marks);
    let gross = 0;
    let bench = benchCash;
    for (let s = 0; s < nS; s++) {
      const q = portfolio.qtyAt(s);
      if (q !== 0) gross += Math.abs(q * marks[s]);
      bench += benchShares[s] * marks[s];
    }
    eqOut[k] = equity;
    benchOut[k] = bench;
    expOut[k] = equity > 0 ? gross / equity : 0;
  }

  const lastMark = (sym: string) => dec(marks[symbols.indexOf(sym)]);
  const snap = portfolio.snapshot(lastMark);
  const notional = fillLog.tradedNotional;
  let fills: Fill[] | null = null;
  let meanEq = 0;
  for (let k = 0; k < T; k++) meanEq += eqOut[k];
  meanEq = T > 0 ? meanEq / T : cash0;

  return {
    strategy: o.strategy.name,
    symbols,
    initialCash: portfolio.initialCash.toString(),
    finalEquity: snap.equity.toString(),
    finalCash: snap.cash.toString(),
    equity: { time: times, equity: eqOut },
    benchmark: { time: times, equity: benchOut },
    exposure: expOut,
    trades,
    openPositions: snap.positions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty.toString(),
      avgPrice: sig17(p.avgPrice),
      lastPrice: p.mark.toString(),
      marketValue: p.marketValue.toString(),
      unrealized: p.unrealized.toString(),
      entryTime: p.openedAt,
    })),
    /** Rebuilt from the compact log on first read (a long run keeps ~40 bytes per fill until then). */
    get fills(): readonly Fill[] {
      return (fills ??= fillLog.toArray());
    },
    tradedNotional: notional,
    turnover: meanEq > 0 ? notional / meanEq : 0,
    fees: portfolio.fees.toString(),
    journal: engine.journal,
    rejectedOrders: exec.lateRejections.map((r) => ({
      time: r.updatedAt,
      symbol: r.symbol,
      side: r.side,
      qty: r.qty.toString(),
      status: r.status,
      reason: r.rejectReason ?? r.status,
    })),
    bars,
    start: T > 0 ? isoDate(times[0]) : '',
    end: T > 0 ? isoDate(times[T - 1]) : '',
    portfolio,
  };
}

export function tradeRecord(t: ClosedTrade): TradeRecord {
  return {
    symbol: t.symbol,
    side: t.side,
    entryTime: t.entryTime,
    entryPrice: sig17(t.entryPrice),
    exitTime: t.exitTime,
    exitPrice: t.exitPrice.toString(),
    qty: t.qty.toString(),
    pnl: t.pnl.toString(),
    fees: t.fees.toString(),
  };
}

/** An average price (a quotient, up to 40 digits) shown to float precision; single-fill prices are already exact. */
function sig17(x: Decimal): string {
  return (x.precision() > 17 ? x.toSignificantDigits(17) : x).toString();
}
