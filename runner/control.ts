/**
 * The control facade: the one object the HTTP API (and anything else outside the loop) talks to. Every
 * route is a one-liner over it, freqtrade style. Reads come from memory or the journal; writes (manual
 * orders, cancels, kill/resume) go through the loop so they meet the same plan, risk gate and journal.
 * Results are domain outcomes (`Refusal`); runner/api maps them to HTTP status codes in one place. Every
 * time is ISO 8601.
 */
import type { Refusal } from './loop.js';
import type { JournalStatus, RiskDecisionRecord } from './store.js';

export type { Refusal };

export interface StatusView {
  readonly mode: 'replay' | 'live';
  readonly broker: string;
  readonly strategy: string;
  readonly model: string | null;
  readonly symbols: readonly string[];
  readonly lastBarTime: string | null;
  /** Live mode's first start: bars stamped before this only warmed the strategy up (null: every bar is traded). */
  readonly tradingFrom: string | null;
  readonly cash: string;
  readonly equity: string;
  readonly killSwitch: { readonly active: boolean; readonly kind: string | null; readonly reason: string | null; readonly since: string | null };
  readonly running: boolean;
  readonly marketOpen: boolean | null;
  readonly uptimeSeconds: number;
  readonly barsProcessed: number;
}

export interface PositionView {
  readonly symbol: string;
  readonly qty: string;
  readonly avgPrice: string;
  readonly mark: string | null;
  readonly marketValue: string | null;
  readonly unrealized: string | null;
}

export interface PortfolioView {
  readonly cash: string;
  readonly equity: string;
  readonly initialCash: string;
  readonly realized: string;
  readonly unrealized: string;
  readonly fees: string;
  readonly positions: readonly PositionView[];
}

export interface OrderView {
  readonly clientOrderId: string;
  readonly brokerId: string | null;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly type: string;
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  readonly timeInForce: string;
  readonly bracket: { readonly takeProfit: string | null; readonly stopLoss: string | null } | null;
  readonly status: JournalStatus;
  readonly filledQty: string;
  readonly avgFillPrice: string | null;
  readonly barTime: string | null;
  /** Parent order (bracket legs) or the order this one replaced. */
  readonly parentId: string | null;
  /** strategy, manual or bracket. */
  readonly source: string;
  readonly tag: string | null;
  readonly rejectReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SignalView {
  readonly time: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly value: number;
  readonly detail: Readonly<Record<string, unknown>> | null;
}

/** A journaled risk decision as the API shows it (ISO time). */
export type RiskView = Omit<RiskDecisionRecord, 'time'> & { readonly time: string };

/** lib/metrics' numbers (same conventions as the reports: maxDrawdown is negative) plus journal counts. */
export interface MetricsView {
  readonly equityPoints: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly annualVolatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly maxDrawdown: number;
  readonly closedTrades: number;
  readonly winRate: number | null;
  readonly profitFactor: number | string | null;
  readonly totalFees: number | null;
  readonly orders: number;
  readonly fills: number;
  readonly rejectedOrders: number;
  readonly startTime: string | null;
  readonly endTime: string | null;
}

export interface ManualOrder {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly type: 'market' | 'limit' | 'stop' | 'stop_limit';
  readonly limitPrice?: string;
  readonly stopPrice?: string;
  readonly stopLoss?: string;
  readonly takeProfit?: string;
  readonly timeInForce: 'day' | 'gtc';
  readonly clientOrderId?: string;
  /** Accept a smaller quantity when the risk gate shrinks it (default: refuse, naming the largest allowed). */
  readonly allowResize?: boolean;
}

export type OrderOutcome =
  | { readonly ok: true; readonly order: OrderView; readonly orders: readonly OrderView[]; readonly reasons: readonly string[] }
  | { readonly ok: false; readonly refusal: Refusal };

export type RunnerEvent =
  | { readonly type: 'fill'; readonly data: unknown }
  | { readonly type: 'signal'; readonly data: unknown }
  | { readonly type: 'order'; readonly data: unknown }
  | { readonly type: 'risk'; readonly data: unknown }
  | { readonly type: 'status'; readonly data: unknown };

export interface FillView {
  readonly id: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly price: string;
  readonly fee: string;
  /** ISO 8601. */
  readonly time: string;
}

interface CurvePoint {
  readonly time: string;
  readonly value: number;
}

export interface PerformanceView {
  readonly equity: readonly CurvePoint[];
  readonly benchmark: readonly CurvePoint[] | null;
  readonly benchmarkName: string | null;
  readonly drawdown: readonly CurvePoint[];
  /** lib/metrics computeMetrics as JSON (metricsToJSON); null before two equity points. */
  readonly metrics: Record<string, number | string | null> | null;
  readonly benchmarkMetrics: Record<string, number | string | null> | null;
  readonly periodsPerYear: number;
}

export interface RiskOverview {
  readonly limits: {
    readonly maxPositionFraction: number | null;
    readonly maxDailyLoss: number;
    readonly stopLoss: number;
    readonly takeProfit: number;
    readonly maxGrossExposure: number | null;
    readonly maxOpenPositions: number | null;
    readonly allowShort: boolean;
    readonly wholeShares: boolean;
  };
  readonly today: {
    readonly date: string | null;
    readonly dayStartEquity: string | null;
    readonly equity: string;
    readonly pnl: string | null;
    readonly pnlFraction: number | null;
    readonly lossLimit: string | null;
    readonly limitUsed: number | null;
    readonly halted: boolean;
  };
  readonly killSwitch: StatusView['killSwitch'];
  /** Recent refusals, resizes and kill-switch blocks (not plain approvals), newest last. */
  readonly decisions: readonly RiskView[];
}

export interface ConfigView {
  readonly config: Record<string, unknown>;
  readonly environment: Record<string, string>;
}

export interface LogLine {
  readonly time: string | null;
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export interface LogsView {
  readonly file: string | null;
  readonly lines: readonly LogLine[];
}

export interface Control {
  status(): StatusView;
  portfolio(): PortfolioView;
  positions(): readonly PositionView[];
  orders(limit?: number): readonly OrderView[];
  signals(limit?: number): readonly SignalView[];
  /** Every risk decision the gate made (strategy and manual), newest last. */
  decisions(limit?: number): readonly RiskView[];
  metrics(): MetricsView;
  fills(limit?: number): readonly FillView[];
  /** Equity against the benchmark, drawdown and the lib/metrics numbers of the HTML report. */
  performance(maxPoints?: number): PerformanceView;
  /** Limits in force, today's P&L against the daily-loss limit, recent refusals and resizes. */
  risk(limit?: number): RiskOverview;
  /** The effective configuration with secrets masked. */
  config(): ConfigView;
  /** The newest log lines at or above `level`. */
  logs(opts?: { limit?: number; level?: string }): LogsView;
  /** The log file to download, or null when the runner logs to the console only. */
  logFile(): string | null;
  placeOrder(o: ManualOrder): Promise<OrderOutcome>;
  /** Cancel by broker order id or client order id. */
  cancelOrder(id: string): Promise<OrderOutcome>;
  kill(reason: string): StatusView;
  resume(): StatusView;
  /** Subscribe to fills, signals, orders, risk decisions and status changes; returns the unsubscribe function. */
  subscribe(listener: (e: RunnerEvent) => void): () => void;
}
