/**
 * The Broker contract over Alpaca's v2 REST API (@alpacahq/alpaca-trade-api 4.x). Paper endpoint unless
 * `live` is set. Transport failures (429, 5xx, network errors, timeouts) are retried here with exponential
 * backoff; a submit whose outcome is unknown (timeout, 5xx, dropped connection) first looks the order up by
 * its client order id before sending it again, and a 422 "client_order_id must be unique" also resolves to
 * the existing order, so a retry never creates a second order.
 *
 * As the live service behaves: prices go out on valid ticks (whole cents at or above $1, 4 decimals below);
 * one protective leg is `order_class: oto`, both are `bracket`; open legs hold shares, so an exit that the
 * broker refuses for "insufficient qty" first cancels the legs (a full exit) or shrinks them (a partial
 * one) and is sent once more; Retry-After is honoured up to a cap: a short one is waited out here, a longer
 * one fails the call at once (retryable) and no call goes out before it has passed, so the caller's loop
 * carries on instead of sleeping; replaced orders name their replacement, done_for_day orders stay open
 * (they may fill on the next session), and a status this code does not know is kept as `unknown`.
 */
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import { z } from 'zod';
import { Decimal, dec, ZERO } from '../../core/money.js';
import type { AccountSnapshot, Fill, Order, OrderRequest, OrderStatus, PositionSnapshot } from '../../core/orders.js';
import type { Clock } from '../../core/clock.js';
import { AlpacaDataProvider } from './alpaca-bars.js';
import { BrokerError, type Broker, type SubmitResult } from '../broker.js';

export interface AlpacaBrokerOptions {
  readonly keyId: string;
  readonly secret: string;
  /** Trade real money. Default false: the paper endpoint. */
  readonly live?: boolean;
  /** Redirect trading and market-data requests to this origin (a local mock in tests). */
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Longest Retry-After honoured (default 60 s): a longer one is cut to this. */
  readonly retryAfterCapMs?: number;
  /** Wall clock (tests set it). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (what: string, attempt: number, delayMs: number, reason: string) => void;
}

const OPEN: ReadonlySet<OrderStatus> = new Set(['new', 'accepted', 'partially_filled', 'unknown']);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The raw shapes this adapter reads (snake_case wire format), validated at the edge. */
const fillActivity = z.object({
  id: z.string(),
  transaction_time: z.string(),
  price: z.string(),
  qty: z.string(),
  side: z.string(),
  symbol: z.string(),
  order_id: z.string(),
});

interface SdkOrder {
  id?: string;
  clientOrderId?: string;
  symbol?: string;
  side?: string;
  qty?: string | null;
  type?: string;
  timeInForce?: string;
  limitPrice?: string | null;
  stopPrice?: string | null;
  status?: string;
  filledQty?: string;
  filledAvgPrice?: string | null;
  submittedAt?: Date;
  createdAt?: Date;
  updatedAt?: Date;
  replacedBy?: string | null;
  orderClass?: string;
  legs?: SdkOrder[] | null;
}

const STATUS: Record<string, OrderStatus> = {
  new: 'new',
  pending_new: 'new',
  accepted: 'accepted',
  accepted_for_bidding: 'accepted',
  calculated: 'accepted',
  held: 'accepted',
  stopped: 'accepted',
  pending_cancel: 'accepted',
  pending_replace: 'accepted',
  // Done for today, not for good: a GTC order can still fill in the next session.
  done_for_day: 'accepted',
  partially_filled: 'partially_filled',
  filled: 'filled',
  canceled: 'canceled',
  replaced: 'replaced',
  expired: 'expired',
  rejected: 'rejected',
  suspended: 'rejected',
};

/** The smallest price increment Alpaca accepts for US equities: $0.01 at or above $1, $0.0001 below. */
export function toTick(price: Decimal): Decimal {
  return price.toDecimalPlaces(price.gte(1) ? 2 : 4, Decimal.ROUND_HALF_UP);
}

function fromSdkOrder(o: SdkOrder, parentId?: string): Order {
  if (!o.id || !o.symbol || !o.side) throw new BrokerError(`alpaca: order reply without id/symbol/side: ${JSON.stringify(o).slice(0, 200)}`, false);
  const raw = String(o.status ?? '');
  const status: OrderStatus = STATUS[raw] ?? 'unknown';
  const t = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : 0);
  const type = (o.type ?? 'market') as Order['type'];
  return {
    id: o.id,
    clientOrderId: o.clientOrderId ?? '',
    symbol: o.symbol,
    side: o.side === 'sell' ? 'sell' : 'buy',
    qty: dec(o.qty ?? '0'),
    type,
    ...(o.limitPrice ? { limitPrice: dec(o.limitPrice) } : {}),
    ...(o.stopPrice ? { stopPrice: dec(o.stopPrice) } : {}),
    timeInForce: o.timeInForce === 'gtc' ? 'gtc' : 'day',
    status,
    filledQty: dec(o.filledQty ?? '0'),
    avgFillPrice: o.filledAvgPrice ? dec(o.filledAvgPrice) : null,
    submittedAt: t(o.submittedAt ?? o.createdAt),
    updatedAt: t(o.updatedAt),
    ...(parentId ? { parentId } : {}),
    ...(o.replacedBy ? { replacedBy: o.replacedBy } : {}),
    ...(STATUS[raw] !== status || raw === 'done_for_day' ? { rawStatus: raw } : {}),
  };
}

/** An order and its legs (nested replies), legs carrying the parent's id. */
function flatten(o: SdkOrder): Order[] {
  const parent = fromSdkOrder(o);
  return [parent, ...(o.legs ?? []).map((l) => fromSdkOrder(l, parent.id))];
}

interface Classified {
  status: number | null;
  retryable: boolean;
  /** The request may have taken effect (timeout, dropped connection, 5xx). */
  ambiguous: boolean;
  retryAfterMs?: number;
  message: string;
}

function classify(e: unknown): Classified {
  const err = e as { status?: unknown; message?: unknown; retryAfterMs?: unknown; name?: unknown; cause?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (typeof err?.status === 'number') {
    const s = err.status;
    const retryAfterMs = typeof err.retryAfterMs === 'number' ? err.retryAfterMs : undefined;
    if (s === 429) return { status: s, retryable: true, ambiguous: false, retryAfterMs, message };
    if (s >= 500 || s === 408) return { status: s, retryable: true, ambiguous: true, retryAfterMs, message };
    return { status: s, retryable: false, ambiguous: false, message };
  }
  // FetchError (network failure or our timeout): the server may or may not have acted.
  if (err?.name === 'FetchError' || err?.name === 'TypeError' || err?.name === 'AbortError' || err?.name === 'TimeoutError') {
    return { status: null, retryable: true, ambiguous: true, message };
  }
  return { status: null, retryable: false, ambiguous: false, message };
}

async function errorBody(e: unknown): Promise<string> {
  const err = e as { message?: unknown; response?: { clone?: () => { text(): Promise<string> } } };
  try {
    const text = await err.response?.clone?.().text();
    if (text) {
      const j = JSON.parse(text) as { message?: string };
      if (j.message) return j.message;
    }
  } catch {
    /* fall through to the error's own message */
  }
  return typeof err?.message === 'string' ? err.message : String(e);
}

export class AlpacaBroker implements Broker {
  readonly name: string;
  private readonly client: Alpaca;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly retryAfterCapMs: number;
  private readonly now: () => number;
  /** No request before this time (epoch ms): the server asked for a pause (Retry-After). */
  private notBefore = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly cidByOrderId = new Map<string, string>();
  /** Leg id -> parent id: a leg looked up on its own does not say whose leg it is. */
  private readonly parentOf = new Map<string, string>();

  constructor(private readonly opts: AlpacaBrokerOptions) {
    if (!opts.keyId || !opts.secret) throw new BrokerError('alpaca: API key id and secret are required (ALPACA_API_KEY_ID, ALPACA_API_SECRET_KEY)', false);
    this.name = opts.live ? 'alpaca-live' : 'alpaca-paper';
    this.retries = opts.retries ?? 4;
    this.baseDelayMs = opts.baseDelayMs ?? 250;
    this.maxDelayMs = opts.maxDelayMs ?? 8000;
    this.retryAfterCapMs = opts.retryAfterCapMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    const base = opts.baseUrl;
    const fetchApi = base
      ? (input: string | URL | Request, init?: RequestInit) => {
          const u = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
          return fetch(`${base}${u.pathname}${u.search}`, init);
        }
      : undefined;
    this.client = new Alpaca({
      keyId: opts.keyId,
      secret: opts.secret,
      paper: !opts.live,
      timeoutMs: opts.timeoutMs ?? 10_000,
      // Retries are ours: they need to know about client order ids.
      retry: false,
      rateLimit: false,
      ...(fetchApi ? { fetchApi } : {}),
    });
  }

  /** Inside a server-requested pause: fail at once (retryable) instead of calling. */
  private checkPause(what: string): void {
    const wait = this.notBefore - this.now();
    if (wait > 0) throw new BrokerError(`alpaca ${what}: rate-limited: Alpaca asked for a pause; no request before ${new Date(this.notBefore).toISOString()} (${Math.ceil(wait / 1000)} s)`, true, 429);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.checkPause(what);
      try {
        return await fn();
      } catch (e) {
        const c = classify(e);
        if (!c.retryable || attempt >= this.retries) {
          throw new BrokerError(`alpaca ${what}: ${c.status ?? 'network'} ${await errorBody(e)}`, c.retryable, c.status ?? undefined);
        }
        const delay = await this.delayFor(what, c, attempt, e);
        this.opts.onRetry?.(what, attempt + 1, delay, `${c.status ?? 'network'} ${c.message}`);
        await this.sleep(delay);
      }
    }
  }

  /**
   * Backoff, or the server's Retry-After (cut to the cap). A wait longer than maxDelayMs is not slept here:
   * the pause is recorded and the call fails at once (retryable), so the caller's loop carries on.
   */
  private async delayFor(what: string, c: Classified, attempt: number, e: unknown): Promise<number> {
    if (c.retryAfterMs === undefined) return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    const wait = Math.min(c.retryAfterMs, this.retryAfterCapMs);
    if (wait <= this.maxDelayMs) return wait;
    this.notBefore = this.now() + wait;
    const capped = c.retryAfterMs > this.retryAfterCapMs ? ` (Retry-After ${c.retryAfterMs / 1000} s, capped at ${this.retryAfterCapMs / 1000} s)` : ` (Retry-After ${wait / 1000} s)`;
    throw new BrokerError(`alpaca ${what}: ${c.status ?? 'network'} ${await errorBody(e)}${capped}; no request before ${new Date(this.notBefore).toISOString()}`, true, c.status ?? undefined);
  }

  async account(): Promise<AccountSnapshot> {
    const a = await this.call('account', () => this.client.trading.account.getAccount());
    return { cash: dec(a.cash ?? '0'), equity: dec(a.equity ?? '0'), buyingPower: dec(a.buyingPower ?? '0') };
  }

  async positions(): Promise<PositionSnapshot[]> {
    const ps = await this.call('positions', () => this.client.trading.positions.getAllOpenPositions());
    return ps.map((p) => {
      const qty = dec(p.qty ?? '0');
      return { symbol: p.symbol, qty: p.side === 'short' && qty.gt(0) ? qty.neg() : qty, avgPrice: dec(p.avgEntryPrice ?? '0') };
    });
  }

  /** Open orders, bracket legs included (with their parent's id). */
  async openOrders(): Promise<Order[]> {
    const os = await this.call('open orders', () => this.client.trading.orders.getAllOrders({ status: 'open', limit: 500, nested: true }));
    const out: Order[] = [];
    for (const o of os) for (const x of flatten(o as SdkOrder)) if (OPEN.has(x.status)) out.push(this.remember(x));
    return out;
  }

  async order(orderId: string): Promise<Order | null> {
    try {
      const o = await this.call('order', () => this.client.trading.orders.getOrderByOrderID({ orderId }));
      return this.remember(fromSdkOrder(o as SdkOrder));
    } catch (e) {
      if (e instanceof BrokerError && e.status === 404) return null;
      throw e;
    }
  }

  private remember(o: Order): Order {
    if (o.clientOrderId) this.cidByOrderId.set(o.id, o.clientOrderId);
    if (o.parentId) this.parentOf.set(o.id, o.parentId);
    return o;
  }

  async orderByClientId(clientOrderId: string): Promise<Order | null> {
    try {
      const o = await this.call('order lookup', () => this.client.trading.orders.getOrderByClientOrderId({ clientOrderId }));
      return this.remember(fromSdkOrder(o as SdkOrder, this.parentOf.get((o as SdkOrder).id ?? '')));
    } catch (e) {
      if (e instanceof BrokerError && e.status === 404) return null;
      throw e;
    }
  }

  async submit(req: OrderRequest): Promise<SubmitResult> {
    if (!req.clientOrderId) return { ok: false, code: 'invalid', reason: 'clientOrderId is required' };
    const body = {
      symbol: req.symbol,
      qty: req.qty.toString(),
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      clientOrderId: req.clientOrderId,
      ...(req.limitPrice ? { limitPrice: toTick(req.limitPrice).toString() } : {}),
      ...(req.stopPrice ? { stopPrice: toTick(req.stopPrice).toString() } : {}),
      ...(req.bracket && (req.bracket.takeProfit || req.bracket.stopLoss)
        ? {
            orderClass: req.bracket.takeProfit && req.bracket.stopLoss ? 'bracket' : 'oto',
            ...(req.bracket.takeProfit ? { takeProfit: { limitPrice: toTick(req.bracket.takeProfit).toString() } } : {}),
            ...(req.bracket.stopLoss ? { stopLoss: { stopPrice: toTick(req.bracket.stopLoss).toString() } } : {}),
          }
        : {}),
    };
    let freedLegs = false;
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      this.checkPause(`submit ${req.clientOrderId}`);
      if (uncertain) {
        // The previous attempt may have reached Alpaca: never send again before checking.
        const existing = await this.orderByClientId(req.clientOrderId);
        if (existing) return { ok: true, order: existing };
      }
      try {
        const o = await this.client.trading.orders.postOrder({ postOrderRequest: body as never });
        return { ok: true, order: this.remember(fromSdkOrder(o as SdkOrder)) };
      } catch (e) {
        const c = classify(e);
        const msg = await errorBody(e);
        if (c.status === 403 && !freedLegs && /insufficient qty|held/i.test(msg) && (await this.freeHeldShares(req))) {
          freedLegs = true;
          attempt--;
          continue;
        }
        if (c.status === 403) return { ok: false, code: 'insufficient_funds', reason: msg };
        if (c.status === 422 && /client_order_id/i.test(msg)) {
          const existing = await this.orderByClientId(req.clientOrderId);
          if (existing) return { ok: true, order: existing };
          return { ok: false, code: 'duplicate', reason: msg };
        }
        if (c.status === 422 || c.status === 400) return { ok: false, code: 'invalid', reason: msg };
        if (!c.retryable || attempt >= this.retries) {
          if (c.ambiguous) {
            const existing = await this.orderByClientId(req.clientOrderId).catch(() => null);
            if (existing) return { ok: true, order: existing };
          }
          throw new BrokerError(`alpaca submit ${req.clientOrderId}: ${c.status ?? 'network'} ${msg}`, c.retryable, c.status ?? undefined);
        }
        uncertain = uncertain || c.ambiguous;
        const delay = await this.delayFor(`submit ${req.clientOrderId}`, c, attempt, e);
        this.opts.onRetry?.('submit', attempt + 1, delay, `${c.status ?? 'network'} ${msg}`);
        await this.sleep(delay);
      }
    }
  }

  /**
   * An exit refused because open bracket legs hold the shares: cancel the legs when the exit closes the
   * position, else shrink them to what stays held (a replace), so the rest stays protected. Returns true
   * when something was freed (the exit is then sent once more).
   */
  private async freeHeldShares(req: OrderRequest): Promise<boolean> {
    const pos = (await this.positions()).find((p) => p.symbol === req.symbol)?.qty ?? ZERO;
    const legs = (await this.openOrders()).filter((o) => o.parentId && o.symbol === req.symbol && o.side === req.side);
    if (legs.length === 0) return false;
    const left = pos.abs().minus(req.qty);
    for (const l of legs) {
      if (left.lte(0)) await this.cancel(l.id);
      else if (l.qty.gt(left)) {
        const o = await this.call('replace', () => this.client.trading.orders.patchOrderByOrderId({ orderId: l.id, patchOrderRequest: { qty: left.toString() } }));
        this.remember(fromSdkOrder(o as SdkOrder, l.parentId));
      }
    }
    this.opts.onRetry?.('submit', 0, 0, `${req.clientOrderId}: open legs held the shares: ${left.lte(0) ? 'canceled' : `shrunk to ${left.toString()}`}`);
    return true;
  }

  async cancel(orderId: string): Promise<void> {
    try {
      await this.call('cancel', () => this.client.trading.orders.deleteOrderByOrderID({ orderId }));
    } catch (e) {
      // Already filled or canceled: nothing left to cancel.
      if (e instanceof BrokerError && e.status === 422) return;
      throw e;
    }
  }

  async fills(sinceMs: number): Promise<Fill[]> {
    // Pages of 100, oldest first; the next page starts after the last activity id seen (Alpaca's page_token).
    const list: Array<z.infer<typeof fillActivity>> = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const res = await this.call('fills', async () => {
        const raw = await this.client.trading.accountActivities.getAccountActivitiesByActivityTypeRaw({
          activityType: 'FILL',
          after: new Date(sinceMs - 1),
          direction: 'asc',
          pageSize: 100,
          ...(pageToken ? { pageToken } : {}),
        });
        return (await raw.raw.json()) as unknown;
      });
      const got = z.array(fillActivity).parse(res);
      list.push(...got);
      if (got.length < 100) break;
      pageToken = got[got.length - 1].id;
    }
    const out: Fill[] = [];
    for (const a of list) {
      let cid = this.cidByOrderId.get(a.order_id);
      if (cid === undefined) {
        const o = await this.call('order', () => this.client.trading.orders.getOrderByOrderID({ orderId: a.order_id }));
        cid = this.remember(fromSdkOrder(o as SdkOrder)).clientOrderId;
      }
      const time = Date.parse(a.transaction_time);
      if (time < sinceMs) continue;
      out.push({
        id: a.id,
        orderId: a.order_id,
        clientOrderId: cid,
        symbol: a.symbol,
        side: a.side === 'sell' ? 'sell' : 'buy',
        qty: dec(a.qty),
        price: dec(a.price),
        fee: ZERO,
        time,
      });
    }
    return out.sort((x, y) => x.time - y.time);
  }

  /** The underlying SDK client, for the bar source. */
  get sdk(): Alpaca {
    return this.client;
  }

  /** Alpaca's market data (bars) with this broker's credentials and endpoint. */
  dataProvider(clock: Clock): AlpacaDataProvider {
    return new AlpacaDataProvider(this.client, clock);
  }
}
