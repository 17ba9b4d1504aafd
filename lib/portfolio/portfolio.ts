/**
 * The ledger: applies fills to exact cash and positions and answers what the account is worth.
 *
 * Exactness: cash, quantities, cost basis, realised P&L and fees are decimals. A position keeps its signed
 * cost basis (sum of signed qty x price) rather than an average price, so no division enters the books except
 * when part of a position is closed; the released basis is then rounded once and the same number leaves the
 * basis and enters realised P&L, so `cash + basis == initialCash + realised - fees` holds exactly, always.
 *
 * Speed: the backtest marks the account every bar. Float mirrors of cash and of each quantity are refreshed
 * from the exact values on every fill (never accumulated), so the per-bar float equity has no drift; the exact
 * equity is available from snapshot().
 */
import { Decimal, ZERO, dec, type DecimalLike } from '../core/money.js';
import type { Fill, PositionSnapshot } from '../core/orders.js';
import { ValidationError } from '../core/errors.js';

/** Decimal places kept when part of a cost basis is released on a partial close. */
const BASIS_DP = 12;

export interface ClosedTrade {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly entryTime: number;
  /** Average cost of the closed quantity. */
  readonly entryPrice: Decimal;
  readonly exitTime: number;
  readonly exitPrice: Decimal;
  readonly qty: Decimal;
  /** Realised P&L net of the entry fees attributed to this quantity and the exit fee. */
  readonly pnl: Decimal;
  readonly fees: Decimal;
}

export interface PositionView {
  readonly symbol: string;
  /** Signed quantity: negative for a short. */
  readonly qty: Decimal;
  /** Signed cost basis (qty x average price). */
  readonly basis: Decimal;
  readonly avgPrice: Decimal;
  readonly realized: Decimal;
  readonly fees: Decimal;
  /** Epoch ms of the fill that opened the current position (NaN when flat). */
  readonly openedAt: number;
}

export interface PortfolioSnapshot {
  readonly cash: Decimal;
  readonly equity: Decimal;
  readonly marketValue: Decimal;
  readonly grossExposure: Decimal;
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
  readonly positions: ReadonlyArray<PositionView & { readonly mark: Decimal; readonly marketValue: Decimal; readonly unrealized: Decimal }>;
}

/** What a strategy or the risk gate may read; nothing here mutates. */
export interface PortfolioView {
  readonly initialCash: Decimal;
  readonly cash: Decimal;
  /** Float mirror of cash (exact value converted, never accumulated). */
  readonly cashFloat: number;
  /** Float signed quantity of a symbol (0 when none). */
  qtyFloat(symbol: string): number;
  /** Float signed quantity by slot (see slotOf), the hot-path form. */
  qtyAt(slot: number): number;
  slotOf(symbol: string): number;
  position(symbol: string): PositionView | null;
  /** Cash the symbol has returned so far (realised P&L - its fees - its open cost basis); 0 for an unknown symbol. */
  netCashOf(symbol: string): Decimal;
  positions(): PositionView[];
  openPositionCount(): number;
}

interface Pos {
  symbol: string;
  slot: number;
  qty: Decimal;
  basis: Decimal;
  realized: Decimal;
  fees: Decimal;
  /** Entry fees not yet attributed to a closed trade. */
  entryFees: Decimal;
  openedAt: number;
  /** The entry price while the position was opened by one fill (saves a division per trade); else null. */
  onePrice: Decimal | null;
}

export const PORTFOLIO_SCHEMA_VERSION = 1;

export interface PortfolioJSON {
  readonly schemaVersion: number;
  readonly initialCash: string;
  readonly cash: string;
  readonly realized: string;
  readonly fees: string;
  readonly positions: ReadonlyArray<{
    symbol: string;
    qty: string;
    basis: string;
    realized: string;
    fees: string;
    entryFees: string;
    openedAt: number | null;
  }>;
  readonly trades: ReadonlyArray<{
    symbol: string;
    side: 'long' | 'short';
    entryTime: number;
    entryPrice: string;
    exitTime: number;
    exitPrice: string;
    qty: string;
    pnl: string;
    fees: string;
  }>;
}

export class Portfolio implements PortfolioView {
  readonly initialCash: Decimal;
  private _cash: Decimal;
  private _cashF: number;
  private _realized = ZERO;
  private _fees = ZERO;
  private readonly bySymbol = new Map<string, Pos>();
  private readonly slots: Pos[] = [];
  private qtyF = new Float64Array(16);
  private open = 0;
  /** Closed trades in order; stays empty when a trade sink was given (long backtests stream them instead). */
  readonly trades: ClosedTrade[] = [];
  private readonly sink: ((t: ClosedTrade) => void) | null;

  /**
   * `onTrade`: receive each closed trade instead of keeping it in `trades` (a 10M-bar backtest converts them to
   * compact records as they close rather than holding every ClosedTrade's decimals).
   */
  constructor(initialCash: DecimalLike, symbols: readonly string[] = [], opts: { readonly onTrade?: (t: ClosedTrade) => void } = {}) {
    this.sink = opts.onTrade ?? null;
    this.initialCash = dec(initialCash);
    if (this.initialCash.isNegative()) throw new ValidationError('portfolio.initial_cash', 'must be >= 0', String(initialCash));
    this._cash = this.initialCash;
    this._cashF = this._cash.toNumber();
    for (const s of symbols) this.slotOf(s);
  }

  get cash(): Decimal {
    return this._cash;
  }
  get cashFloat(): number {
    return this._cashF;
  }
  get realized(): Decimal {
    return this._realized;
  }
  get fees(): Decimal {
    return this._fees;
  }

  /** The slot of a symbol, registering it on first use; slots are dense from 0 in registration order. */
  slotOf(symbol: string): number {
    const p = this.bySymbol.get(symbol);
    if (p) return p.slot;
    const slot = this.slots.length;
    const np: Pos = { symbol, slot, qty: ZERO, basis: ZERO, realized: ZERO, fees: ZERO, entryFees: ZERO, openedAt: NaN, onePrice: null };
    this.bySymbol.set(symbol, np);
    this.slots.push(np);
    if (slot >= this.qtyF.length) {
      const grown = new Float64Array(this.qtyF.length * 2);
      grown.set(this.qtyF);
      this.qtyF = grown;
    }
    return slot;
  }

  qtyAt(slot: number): number {
    return this.qtyF[slot];
  }
  qtyFloat(symbol: string): number {
    const p = this.bySymbol.get(symbol);
    return p ? this.qtyF[p.slot] : 0;
  }
  qty(symbol: string): Decimal {
    return this.bySymbol.get(symbol)?.qty ?? ZERO;
  }
  get slotCount(): number {
    return this.slots.length;
  }
  symbolAt(slot: number): string {
    return this.slots[slot].symbol;
  }
  openPositionCount(): number {
    return this.open;
  }

  netCashOf(symbol: string): Decimal {
    const p = this.bySymbol.get(symbol);
    if (!p) return ZERO;
    return p.realized.minus(p.fees).minus(p.basis);
  }

  position(symbol: string): PositionView | null {
    const p = this.bySymbol.get(symbol);
    return p && !p.qty.isZero() ? view(p) : null;
  }
  positions(): PositionView[] {
    return this.slots.filter((p) => !p.qty.isZero()).map(view);
  }

  /**
   * Float equity marked at `closes[slot]`: the per-bar hot path. Slots beyond `closes.length` or with NaN marks
   * must be flat (they are, until their first bar).
   */
  equityFloat(closes: ArrayLike<number>): number {
    let e = this._cashF;
    const q = this.qtyF;
    for (let i = 0; i < this.slots.length; i++) if (q[i] !== 0) e += q[i] * closes[i];
    return e;
  }

  /** Apply one fill. Returns the trade it closed (or part-closed), if any. */
  applyFill(fill: Fill): ClosedTrade | null {
    const qty = dec(fill.qty);
    const price = dec(fill.price);
    const fee = dec(fill.fee);
    if (!qty.isPositive() || qty.isZero()) throw new ValidationError('fill.qty', 'must be > 0', qty.toString());
    if (price.isNegative()) throw new ValidationError('fill.price', 'must be >= 0', price.toString());
    if (fee.isNegative()) throw new ValidationError('fill.fee', 'must be >= 0', fee.toString());
    const p = this.bySymbol.get(fill.symbol) ?? this.slots[this.slotOf(fill.symbol)];
    const q = fill.side === 'buy' ? qty : qty.neg();
    const wasOpen = !p.qty.isZero();

    // Fills are where the decimals are: compute each product once and skip zero fees (most backtests).
    const notional = q.times(price);
    const hasFee = !fee.isZero();
    this._cash = hasFee ? this._cash.minus(notional).minus(fee) : this._cash.minus(notional);
    if (hasFee) {
      this._fees = this._fees.plus(fee);
      p.fees = p.fees.plus(fee);
    }

    let trade: ClosedTrade | null = null;
    const sameDirection = p.qty.isZero() || p.qty.isNegative() === q.isNegative();
    if (sameDirection) {
      if (p.qty.isZero()) {
        p.openedAt = fill.time;
        p.onePrice = price;
      } else p.onePrice = null;
      p.qty = p.qty.plus(q);
      p.basis = p.basis.plus(notional);
      if (hasFee) p.entryFees = p.entryFees.plus(fee);
    } else {
      const absPos = p.qty.abs();
      const closeQty = Decimal.min(qty, absPos);
      const openQty = qty.minus(closeQty);
      // Split the fee between the closing and the opening part; the remainder goes to the close so the parts sum exactly.
      const whole = openQty.isZero();
      const openFee = whole || !hasFee ? ZERO : fee.times(openQty).div(qty).toDecimalPlaces(BASIS_DP);
      const closeFee = whole ? fee : fee.minus(openFee);
      const full = closeQty.eq(absPos);
      const released = full ? p.basis : p.basis.times(closeQty).div(absPos).toDecimalPlaces(BASIS_DP);
      const entryFeePart = full || p.entryFees.isZero() ? p.entryFees : p.entryFees.times(closeQty).div(absPos).toDecimalPlaces(BASIS_DP);
      const closeSigned = whole ? q : q.isNegative() ? closeQty.neg() : closeQty;
      const realized = (whole ? notional : closeSigned.times(price)).neg().minus(released);
      this._realized = this._realized.plus(realized);
      p.realized = p.realized.plus(realized);
      const side = p.qty.isPositive() ? 'long' : 'short';
      trade = {
        symbol: p.symbol,
        side,
        entryTime: p.openedAt,
        entryPrice: p.onePrice ?? released.abs().div(closeQty),
        exitTime: fill.time,
        exitPrice: price,
        qty: closeQty,
        pnl: hasFee || !entryFeePart.isZero() ? realized.minus(entryFeePart).minus(closeFee) : realized,
        fees: hasFee || !entryFeePart.isZero() ? entryFeePart.plus(closeFee) : ZERO,
      };
      if (this.sink) this.sink(trade);
      else this.trades.push(trade);
      p.qty = full ? ZERO : p.qty.plus(closeSigned);
      p.basis = full ? ZERO : p.basis.minus(released);
      p.entryFees = full ? ZERO : p.entryFees.minus(entryFeePart);
      if (!openQty.isZero()) {
        const openSigned = q.isNegative() ? openQty.neg() : openQty;
        p.qty = openSigned;
        p.basis = openSigned.times(price);
        p.entryFees = openFee;
        p.openedAt = fill.time;
        p.onePrice = price;
      } else if (full) {
        p.openedAt = NaN;
        p.onePrice = null;
      }
    }
    const isOpen = !p.qty.isZero();
    if (isOpen !== wasOpen) this.open += isOpen ? 1 : -1;
    this._cashF = this._cash.toNumber();
    this.qtyF[p.slot] = p.qty.toNumber();
    return trade;
  }

  /** Exact valuation at the given marks (symbol -> price); every open position needs a mark. */
  snapshot(marks: Readonly<Record<string, DecimalLike>> | ((symbol: string) => DecimalLike | undefined)): PortfolioSnapshot {
    const markOf = typeof marks === 'function' ? marks : (s: string) => marks[s];
    let mv = ZERO;
    let gross = ZERO;
    let unrealized = ZERO;
    const positions = [];
    for (const p of this.slots) {
      if (p.qty.isZero()) continue;
      const m = markOf(p.symbol);
      if (m === undefined) throw new ValidationError(`marks.${p.symbol}`, 'is missing: every open position needs a price');
      const mark = dec(m);
      const value = p.qty.times(mark);
      const u = value.minus(p.basis);
      mv = mv.plus(value);
      gross = gross.plus(value.abs());
      unrealized = unrealized.plus(u);
      positions.push({ ...view(p), mark, marketValue: value, unrealized: u });
    }
    return { cash: this._cash, equity: this._cash.plus(mv), marketValue: mv, grossExposure: gross, realized: this._realized, unrealized, fees: this._fees, positions };
  }

  /** The broker-contract form of the open positions. */
  positionSnapshots(): PositionSnapshot[] {
    return this.positions().map((p) => ({ symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice }));
  }

  toJSON(): PortfolioJSON {
    return {
      schemaVersion: PORTFOLIO_SCHEMA_VERSION,
      initialCash: this.initialCash.toString(),
      cash: this._cash.toString(),
      realized: this._realized.toString(),
      fees: this._fees.toString(),
      positions: this.slots.map((p) => ({
        symbol: p.symbol,
        qty: p.qty.toString(),
        basis: p.basis.toString(),
        realized: p.realized.toString(),
        fees: p.fees.toString(),
        entryFees: p.entryFees.toString(),
        openedAt: Number.isNaN(p.openedAt) ? null : p.openedAt,
      })),
      trades: this.trades.map(tradeToJSON),
    };
  }

  static fromJSON(json: PortfolioJSON): Portfolio {
    if (json.schemaVersion !== PORTFOLIO_SCHEMA_VERSION) {
      throw new ValidationError('portfolio.schemaVersion', `is not supported (this build reads ${PORTFOLIO_SCHEMA_VERSION})`, json.schemaVersion);
    }
    const pf = new Portfolio(json.initialCash);
    pf._cash = dec(json.cash);
    pf._cashF = pf._cash.toNumber();
    pf._realized = dec(json.realized);
    pf._fees = dec(json.fees);
    for (const j of json.positions) {
      const p = pf.slots[pf.slotOf(j.symbol)];
      p.qty = dec(j.qty);
      p.basis = dec(j.basis);
      p.realized = dec(j.realized);
      p.fees = dec(j.fees);
      p.entryFees = dec(j.entryFees);
      p.openedAt = j.openedAt ?? NaN;
      p.onePrice = null;
      pf.qtyF[p.slot] = p.qty.toNumber();
      if (!p.qty.isZero()) pf.open++;
    }
    for (const t of json.trades) {
      pf.trades.push({ ...t, entryPrice: dec(t.entryPrice), exitPrice: dec(t.exitPrice), qty: dec(t.qty), pnl: dec(t.pnl), fees: dec(t.fees) });
    }
    return pf;
  }
}

function view(p: Pos): PositionView {
  return {
    symbol: p.symbol,
    qty: p.qty,
    basis: p.basis,
    avgPrice: p.qty.isZero() ? ZERO : p.basis.div(p.qty),
    realized: p.realized,
    fees: p.fees,
    openedAt: p.openedAt,
  };
}

export function tradeToJSON(t: ClosedTrade): PortfolioJSON['trades'][number] {
  return {
    symbol: t.symbol,
    side: t.side,
    entryTime: t.entryTime,
    entryPrice: t.entryPrice.toString(),
    exitTime: t.exitTime,
    exitPrice: t.exitPrice.toString(),
    qty: t.qty.toString(),
    pnl: t.pnl.toString(),
    fees: t.fees.toString(),
  };
}
