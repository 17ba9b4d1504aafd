/** Statistics over closed trades. P&L sums are exact (decimal) before becoming floats for the ratios. */
import { Decimal } from '../core/money.js';
import { DAY_MS } from './returns.js';
import type { ClosedTrade } from './types.js';

export interface TradeStats {
  readonly numTrades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / numTrades (a trade with pnl exactly 0 is neither a win nor a loss but counts in numTrades). */
  readonly winRate: number | null;
  /** grossProfit / |grossLoss|; Infinity with wins and no losses; null with neither. */
  readonly profitFactor: number | null;
  /** Mean pnl per trade. */
  readonly expectancy: number | null;
  readonly avgWin: number | null;
  readonly avgLoss: number | null;
  readonly grossProfit: number;
  readonly grossLoss: number;
  readonly netPnl: number;
  readonly totalFees: number;
  /** Mean (exitTime - entryTime) in calendar days. */
  readonly avgHoldingDays: number | null;
}

export function tradeStats(trades: readonly ClosedTrade[]): TradeStats {
  let gp = new Decimal(0);
  let gl = new Decimal(0);
  let fees = new Decimal(0);
  let wins = 0;
  let losses = 0;
  let holdMs = 0;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i];
    const pnl = new Decimal(t.pnl);
    if (pnl.gt(0)) {
      gp = gp.plus(pnl);
      wins++;
    } else if (pnl.lt(0)) {
      gl = gl.plus(pnl);
      losses++;
    }
    fees = fees.plus(t.fees);
    holdMs += t.exitTime - t.entryTime;
  }
  const n = trades.length;
  const grossProfit = gp.toNumber();
  const grossLoss = gl.toNumber();
  const net = gp.plus(gl);
  return {
    numTrades: n,
    wins,
    losses,
    winRate: n > 0 ? wins / n : null,
    profitFactor: losses > 0 ? grossProfit / -grossLoss : wins > 0 ? Infinity : null,
    expectancy: n > 0 ? net.div(n).toNumber() : null,
    avgWin: wins > 0 ? gp.div(wins).toNumber() : null,
    avgLoss: losses > 0 ? gl.div(losses).toNumber() : null,
    grossProfit,
    grossLoss,
    netPnl: net.toNumber(),
    totalFees: fees.toNumber(),
    avgHoldingDays: n > 0 ? holdMs / n / DAY_MS : null,
  };
}
