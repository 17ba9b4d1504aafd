/** The control facade over a running TradingLoop and its journal. */
import { isoTime } from '../lib/core/bars.js';
import type { Clock } from '../lib/core/clock.js';
import { dec, ZERO } from '../lib/core/money.js';
import { isMarketOpen } from '../lib/calendar/index.js';
import type { Config } from '../lib/config/index.js';
import type { Control, ManualOrder, MetricsView, OrderOutcome, PortfolioView, PositionView, RunnerEvent, StatusView } from './control.js';
import { configView, fillView, logsView, performanceView, riskView, type EnvironmentInfo } from './dashboard-views.js';
import type { TradingLoop } from './loop.js';

export interface ControlInfo {
  readonly mode: 'replay' | 'live';
  readonly strategy: string;
  readonly model: string | null;
  readonly marketHours: boolean;
  readonly startedAtMs: number;
  /** Wall clock for uptime (the loop's clock may be simulated). */
  readonly wallClock: Clock;
  isRunning(): boolean;
  /** The effective configuration (shown masked on the dashboard; also gives the bar interval). */
  readonly config?: Config;
  /** Which secrets and deployment variables are set (never their values). */
  readonly environment?: EnvironmentInfo;
  /** The JSON-lines log file the logger writes (null: console only). */
  readonly logFile?: string | null;
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
    return {
      mode: this.info.mode,
      broker: this.loop.broker.name,
      strategy: this.info.strategy,
      model: this.info.model,
      symbols: this.loop.symbols,
      lastBarTime: this.loop.lastBarTime === null ? null : isoTime(this.loop.lastBarTime),
      cash: last?.cash ?? store.cash().toString(),
      equity: last?.equity ?? store.cash().toString(),
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

  orders(limit = 500) {
    return this.loop.store.orders(limit);
  }

  signals(limit = 500) {
    return this.loop.store.signals(limit);
  }

  metrics(): MetricsView {
    const store = this.loop.store;
    const eq = store.equityHistory().map((p) => Number(p.equity));
    const initial = Number(store.initialCash().toString()) || (eq[0] ?? 0);
    let peak = initial;
    let mdd = 0;
    const rets: number[] = [];
    let prev = initial;
    for (const e of eq) {
      peak = Math.max(peak, e);
      if (peak > 0) mdd = Math.max(mdd, (peak - e) / peak);
      if (prev > 0) rets.push(e / prev - 1);
      prev = e;
    }
    let sharpe: number | null = null;
    if (rets.length > 2) {
      const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
      const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
      sharpe = sd > 0 ? (mean / sd) * Math.sqrt(252) : null;
    }
    const trades = this.loop.portfolio.trades;
    const wins = trades.filter((t) => t.pnl.gt(0)).length;
    const orders = store.orders(1_000_000);
    return {
      equityPoints: eq.length,
      totalReturn: initial > 0 && eq.length > 0 ? eq[eq.length - 1] / initial - 1 : 0,
      maxDrawdown: mdd,
      sharpe,
      orders: orders.length,
      fills: store.fills().length,
      rejectedOrders: orders.filter((o) => o.status === 'rejected').length,
      closedTrades: trades.length,
      winRate: trades.length > 0 ? wins / trades.length : null,
    };
  }

  fills(limit = 500) {
    return this.loop.store.fills(limit).map(fillView);
  }

  performance(maxPoints = 2000) {
    return performanceView(this.loop, this.info.config?.data.interval ?? '1d', maxPoints);
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
    const r = await this.loop.manualOrder({
      symbol: o.symbol,
      side: o.side,
      qty: dec(o.qty),
      type: o.type,
      timeInForce: o.timeInForce,
      ...(o.limitPrice ? { limitPrice: dec(o.limitPrice) } : {}),
      ...(o.stopPrice ? { stopPrice: dec(o.stopPrice) } : {}),
      ...(o.clientOrderId ? { clientOrderId: o.clientOrderId } : {}),
    });
    return r;
  }

  async cancelOrder(id: string): Promise<OrderOutcome> {
    const r = await this.loop.cancel(id);
    return r.ok ? { ok: true, order: r.order, reasons: [] } : { ok: false, status: r.status, error: r.error, reasons: [] };
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
