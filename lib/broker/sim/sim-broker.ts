/**
 * The Broker contract over the simulated fill model: the paper broker. Feed it bars with onBar(); the clock
 * stamps submissions. Everything is synchronous underneath, so results are deterministic.
 */
import type { Bar } from '../../core/bars.js';
import type { Clock } from '../../core/clock.js';
import { ZERO, dec, type Decimal } from '../../core/money.js';
import type { AccountSnapshot, Fill, Order, OrderRequest, PositionSnapshot } from '../../core/orders.js';
import type { Broker, SubmitResult } from '../broker.js';
import type { Portfolio } from '../../portfolio/portfolio.js';
import { SimExecution, type SimOptions } from './execution.js';

export class SimBroker implements Broker {
  readonly name = 'sim';
  readonly execution: SimExecution;
  private readonly marks = new Map<string, Decimal>();

  constructor(
    readonly portfolio: Portfolio,
    private readonly clock: Clock,
    opts: SimOptions = {},
  ) {
    this.execution = new SimExecution(portfolio, opts);
  }

  /** A new bar for a symbol: fills what it triggers and updates the mark used for equity. */
  onBar(symbol: string, bar: Bar): readonly Fill[] {
    this.marks.set(symbol, dec(bar.close));
    return this.execution.onBarOf(symbol, bar);
  }

  async account(): Promise<AccountSnapshot> {
    const snap = this.portfolio.snapshot((s) => this.marks.get(s) ?? this.portfolio.position(s)?.avgPrice ?? ZERO);
    return { cash: snap.cash, equity: snap.equity, buyingPower: snap.cash.gt(0) ? snap.cash : ZERO };
  }
  async positions(): Promise<PositionSnapshot[]> {
    return this.portfolio.positionSnapshots();
  }
  async submit(req: OrderRequest): Promise<SubmitResult> {
    return this.execution.submit(req, this.clock.nowMs());
  }
  async cancel(orderId: string): Promise<void> {
    this.execution.cancel(orderId);
  }
  async openOrders(): Promise<Order[]> {
    return this.execution.openOrders();
  }
  async order(orderId: string): Promise<Order | null> {
    return this.execution.order(orderId);
  }
  async orderByClientId(clientOrderId: string): Promise<Order | null> {
    return this.execution.orderByClientId(clientOrderId);
  }
  async fills(sinceMs: number): Promise<Fill[]> {
    return this.execution.fillsSince(sinceMs);
  }
}
