/**
 * Orders, fills and positions as every layer sees them: the strategy's intents become OrderRequests,
 * the risk gate approves or resizes them, a Broker (simulated, paper or Alpaca) turns them into Orders
 * and Fills, and the portfolio ledger applies Fills. All money fields are exact decimals.
 */
import type { Decimal } from './money.js';

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type TimeInForce = 'day' | 'gtc';
/**
 * replaced: a live broker replaced the order (its `replacedBy` is the new one). unknown: a live broker
 * reported a status this code does not know (`rawStatus` has it); it is kept and read again, never guessed.
 */
export type OrderStatus = 'new' | 'accepted' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired' | 'replaced' | 'unknown';

export const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['new', 'accepted', 'partially_filled']);

export interface Bracket {
  /** Limit price of the take-profit exit. */
  readonly takeProfit?: Decimal;
  /** Stop price of the stop-loss exit. */
  readonly stopLoss?: Decimal;
  /**
   * The price the levels were computed from (the decision bar's close). When given, the simulator (backtest and
   * paper broker) re-prices both levels at the entry fill by fill / reference, so the stop and the target sit
   * their configured distance from the actual fill price, gap or not. Brokers that need absolute prices up
   * front (Alpaca) use the levels as given, i.e. priced off the decision close.
   */
  readonly reference?: Decimal;
}

export interface OrderRequest {
  /** Caller-chosen unique id: makes submission idempotent across retries and restarts. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Always positive; the side gives the direction. */
  readonly qty: Decimal;
  readonly type: OrderType;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly timeInForce: TimeInForce;
  readonly bracket?: Bracket;
  /** Free text carried to the journal: which strategy or rule made the order, and why. */
  readonly tag?: string;
}

export interface Order extends OrderRequest {
  /** Broker-assigned id. */
  readonly id: string;
  readonly status: OrderStatus;
  readonly filledQty: Decimal;
  readonly avgFillPrice: Decimal | null;
  readonly submittedAt: number;
  readonly updatedAt: number;
  readonly rejectReason?: string;
  /** For bracket children: the parent order's id. */
  readonly parentId?: string;
  /** For a replaced order: the broker id of its replacement. */
  readonly replacedBy?: string;
  /** The broker's own status word when it differs from `status` (e.g. done_for_day, or an unknown one). */
  readonly rawStatus?: string;
}

export interface Fill {
  readonly id: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  /** Epoch ms at which the fill happened (simulated or real). */
  readonly time: number;
}

export interface PositionSnapshot {
  readonly symbol: string;
  /** Signed: negative for a short. */
  readonly qty: Decimal;
  readonly avgPrice: Decimal;
}

export interface AccountSnapshot {
  readonly cash: Decimal;
  readonly equity: Decimal;
  readonly buyingPower: Decimal;
}
