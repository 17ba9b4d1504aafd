/**
 * The one broker contract: simulated (backtest), paper (the simulator fed by live or replayed bars) and
 * Alpaca all implement it. Expected outcomes (a rejection) are results; transport failures throw
 * BrokerError, which says whether a retry is safe. Retrying a submit with the same clientOrderId never
 * creates a second order.
 */
import type { AccountSnapshot, Fill, Order, OrderRequest, PositionSnapshot } from '../core/orders.js';

export type SubmitResult =
  | { readonly ok: true; readonly order: Order }
  | { readonly ok: false; readonly reason: string; readonly code: 'rejected' | 'insufficient_funds' | 'invalid' | 'duplicate' };

export interface Broker {
  readonly name: string;
  account(): Promise<AccountSnapshot>;
  positions(): Promise<PositionSnapshot[]>;
  submit(req: OrderRequest): Promise<SubmitResult>;
  cancel(orderId: string): Promise<void>;
  openOrders(): Promise<Order[]>;
  /** The order with this client order id, if the broker has it (used to de-duplicate after a crash). */
  orderByClientId(clientOrderId: string): Promise<Order | null>;
  /** The order with this broker order id (to follow a replaced order to its replacement). */
  order(orderId: string): Promise<Order | null>;
  /** Fills at or after `sinceMs`, oldest first. */
  fills(sinceMs: number): Promise<Fill[]>;
}

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}
