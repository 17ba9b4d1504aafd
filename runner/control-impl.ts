/** The control facade over a running TradingLoop and its journal. */
import { isoTime, type Interval } from '../lib/core/bars.js';
import type { Clock } from '../lib/core/clock.js';
import { dec, ZERO } from '../lib/core/money.js';
import { isMarketOpen } from '../lib/calendar/index.js';
import type { Config } from '../lib/config/index.js';
import { tradeRecord } from '../lib/engine/backtest.js';
import { computeMetrics, metricsToJSON, periodsPerYearFor } from '../lib/metrics/index.js';
import type { Control, ManualOrder, MetricsView, OrderOutcome, OrderView, PortfolioView, PositionView, RiskView, RunnerEvent, SignalView, StatusView } from './control.js';
import type { LoopResult, TradingLoop } from './loop.js';
import { toOrderView, toRiskView, toSignalView } from './views.js';
import { configView, fillView, logsView, performanceView, riskView, type EnvironmentInfo } from './dashboard-views.js';

export interface ControlInfo {
  readonly mode: 'replay' | 'live';
  readonly strategy: string;
  readonly model: string | null;
  readonly interval: Interval;
  readonly marketHours: boolean;
  readonly startedAtMs: number;
  /** Wall clock for uptime (the loop's clock may be simulated). */
  readonly wallClock: Clock;
  isRunning(): boolean;
  /** The effective configuration (shown masked on the dashboard). */
  readonly config?: Config;
  /** Which secrets and deployment variables are set (never their values). */
  readonly environment?: EnvironmentInfo;
  /** The JSON-lines log file the logger writes (null: console only). */
  readonly logFile?: string | null;
}

function outcome(r: LoopResult): OrderOutcome {
  if (!r.ok) return r;
  const orders = r.orders.map(toOrderView);
  return { ok: true, order: orders[0], orders, reasons: r.rules };
}

export class RunnerControl implements Control {
  constructor(
    private readonly loop: TradingLoop,
    private readonly info: ControlInfo,
  ) {}

  status(): StatusView {
    const store = this.loop.store;
    const k = store.killSwitch();
    const last = store.lastEquity();
    const now = this.info.wallClock.nowMs();
    const pf = this.loop.portfolio;
    const from = this.loop.tradingStartsAt;
    return {
      mode: this.info.mode,
      broker: this.loop.broker.name,
      strategy: this.info.strategy,
      model: this.info.model,
      symbols: this.loop.symbols,
      lastBarTime: this.loop.lastBarTime === null ? null : isoTime(this.loop.lastBarTime),
      tradingFrom: from === null ? null : new Date(from).toISOString(),
      cash: last?.cash ?? pf.cash.toString(),
      equity: last?.equity ?? pf.cash.toString(),
      killSwitch: { active: k.active, kind: k.kind, reason: k.reason, since: k.since === null ? null : new Date(k.since).toISOString() },
      running: this.info.isRunning(),
      marketOpen: this.info.marketHours ? isMarketOpen(now) : null,
      uptimeSeconds: Math.round((now - this.info.startedAtMs) / 1000),
      barsProcessed: this.loop.barsProcessed,
    };
  }

  positions(): PositionView[] {
    const pf = this.loop.portfolio;
    return pf.positions().map((p) => {
      const m = this.loop.marks[this.loop.symbols.indexOf(p.symbol)];
      const mark = m > 0 ? dec(m) : null;
      const mv = mark ? p.qty.times(mark) : null;
      return {
        symbol: p.symbol,
        qty: p.qty.toString(),
        avgPrice: p.avgPrice.toDecimalPlaces(6).toString(),
        mark: mark?.toString() ?? null,
        marketValue: mv?.toString() ?? null,
        unrealized: mv ? mv.minus(p.basis).toString() : null,
      };
    });
  }

  portfolio(): PortfolioView {
    const pf = this.loop.portfolio;
    const positions = this.positions();
    const unrealized = positions.reduce((a, p) => a.plus(p.unrealized ?? 0), ZERO);
    const mv = positions.reduce((a, p) => a.plus(p.marketValue ?? 0), ZERO);
    return {
      cash: pf.cash.toString(),
      equity: pf.cash.plus(mv).toString(),
      initialCash: pf.initialCash.toString(),
      realized: pf.realized.toString(),
      unrealized: unrealized.toString(),
      fees: pf.fees.toString(),
      positions,
    };
  }

  orders(limit = 500): OrderView[] {
    return this.loop.store.orders(limit).map(toOrderView);
  }

  signals(limit = 500): SignalView[] {
    return this.loop.store.signals(limit).map(toSignalView);
  }

  decisions(limit = 500): RiskView[] {
    return this.loop.store.riskDecisions(limit).map(toRiskView);
  }

  /** lib/metrics over the journal's equity curve and the portfolio's closed trades: the report's numbers. */
  metrics(): MetricsView {
    const store = this.loop.store;
    const hist = store.equityHistory();
    const curve = { time: Float64Array.from(hist, (p) => p.time), equity: Float64Array.from(hist, (p) => Number(p.equity)) };
    const trades = this.loop.portfolio.trades.map(tradeRecord);
    const m = computeMetrics({ equity: curve, trades, periodsPerYear: periodsPerYearFor(this.info.interval) });
    const j = metricsToJSON(m);
    const orders = store.orders(1_000_000);
    return {
      equityPoints: m.bars,
      totalReturn: m.totalReturn,
      cagr: m.cagr,
      annualVolatility: m.annualVolatility,
      sharpe: m.sharpe,
      sortino: m.sortino,
      maxDrawdown: m.maxDrawdown,
      closedTrades: m.numTrades,
      winRate: m.winRate,
      profitFactor: j.profitFactor ?? null,
      totalFees: m.totalFees,
      orders: orders.length,
      fills: store.fillCount(),
      rejectedOrders: orders.filter((o) => o.status === 'rejected').length,
      startTime: m.startTime === null ? null : isoTime(m.startTime),
      endTime: m.endTime === null ? null : isoTime(m.endTime),
    };
  }

  fills(limit = 500) {
    return this.loop.store.fills(limit).map(fillView);
  }

  performance(maxPoints = 2000) {
    return performanceView(this.loop, this.info.interval, maxPoints);
  }

  risk(limit = 200) {
    return riskView(this.loop, this.status().killSwitch, limit);
  }

  config() {
    return configView(this.info.config ?? null, this.info.environment ?? {});
  }

  logs(opts: { limit?: number; level?: string } = {}) {
    return logsView(this.logFile(), opts.limit ?? 200, opts.level ?? 'trace');
  }

  logFile(): string | null {
    return this.info.logFile ?? null;
  }

  async placeOrder(o: ManualOrder): Promise<OrderOutcome> {
    const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
    const opt = <K extends string>(k: K, v: number | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, number>));
    return outcome(
      await this.loop.manualOrder({
        symbol: o.symbol,
        side: o.side,
        qty: Number(o.qty),
        type: o.type,
        timeInForce: o.timeInForce,
        ...opt('limitPrice', num(o.limitPrice)),
        ...opt('stopPrice', num(o.stopPrice)),
        ...opt('stopLoss', num(o.stopLoss)),
        ...opt('takeProfit', num(o.takeProfit)),
        ...(o.clientOrderId ? { clientOrderId: o.clientOrderId } : {}),
        ...(o.allowResize ? { allowResize: true } : {}),
      }),
    );
  }

  async cancelOrder(id: string): Promise<OrderOutcome> {
    return outcome(await this.loop.cancel(id));
  }

  kill(reason: string): StatusView {
    // Engage at once (durable), then cancel open orders in the loop's turn.
    this.loop.setKill(true, reason);
    void this.loop.kill(reason).catch(() => undefined);
    return this.status();
  }

  resume(): StatusView {
    this.loop.setKill(false, null);
    return this.status();
  }

  subscribe(listener: (e: RunnerEvent) => void): () => void {
    const h = (e: RunnerEvent) => listener(e);
    this.loop.events.on('event', h);
    return () => this.loop.events.off('event', h);
  }
}
