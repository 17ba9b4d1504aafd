/**
 * A compact, append-only log of fills for long backtests: typed-array columns plus the exact decimals only
 * where the float does not carry them. A fill at a bar price (full precision, see core fullPrice), a whole
 * quantity and a cents fee round-trip exactly through a float, so a 10M-bar run keeps ~40 bytes per fill
 * instead of a Fill object with three decimals and three id strings (~800 bytes). Fill objects are rebuilt on
 * demand, equal field for field to the ones pushed.
 */
import { Decimal } from '../core/money.js';
import type { Fill, Side } from '../core/orders.js';

export class FillLog {
  private n = 0;
  private time = new Float64Array(64);
  private qty = new Float64Array(64);
  private price = new Float64Array(64);
  private fee = new Float64Array(64);
  private symbolIx = new Int32Array(64);
  private sell = new Uint8Array(64);
  private readonly symbols: string[] = [];
  private readonly symbolOf = new Map<string, number>();
  /**
   * Ids: the simulator's `<prefix>f<n>` / `<prefix>o<n>` keep only n (any other form is kept whole in `odd`);
   * client order ids are kept as they are (they are what a user searches for).
   */
  private fillNo = new Float64Array(64);
  private orderNo = new Float64Array(64);
  private prefix: string | null = null;
  private readonly clientIds: string[] = [];
  private readonly odd = new Map<number, [string, string]>();
  /** Exact [qty, price, fee] strings of fills whose decimals a float cannot carry (e.g. slipped prices). */
  private readonly exact = new Map<number, [string, string, string]>();
  private notional = 0;

  get length(): number {
    return this.n;
  }
  /** Sum of |qty x price| over all fills (floats). */
  get tradedNotional(): number {
    return this.notional;
  }

  push(f: Fill): void {
    if (this.n === this.time.length) this.grow();
    const i = this.n++;
    const q = f.qty.toNumber();
    const p = f.price.toNumber();
    const fee = f.fee.toNumber();
    this.time[i] = f.time;
    this.qty[i] = q;
    this.price[i] = p;
    this.fee[i] = fee;
    this.sell[i] = f.side === 'sell' ? 1 : 0;
    let s = this.symbolOf.get(f.symbol);
    if (s === undefined) {
      s = this.symbols.push(f.symbol) - 1;
      this.symbolOf.set(f.symbol, s);
    }
    this.symbolIx[i] = s;
    this.clientIds.push(f.clientOrderId);
    if (!this.packIds(i, f)) this.odd.set(i, [f.id, f.orderId]);
    if (!roundTrips(f.qty, q) || !roundTrips(f.price, p) || !roundTrips(f.fee, fee)) this.exact.set(i, [f.qty.toString(), f.price.toString(), f.fee.toString()]);
    this.notional += Math.abs(q * p);
  }

  at(i: number): Fill {
    if (!(i >= 0 && i < this.n)) throw new RangeError(`fill ${i} of ${this.n}`);
    const ex = this.exact.get(i);
    const odd = this.odd.get(i);
    return {
      id: odd ? odd[0] : `${this.prefix}f${this.fillNo[i]}`,
      orderId: odd ? odd[1] : `${this.prefix}o${this.orderNo[i]}`,
      clientOrderId: this.clientIds[i],
      symbol: this.symbols[this.symbolIx[i]],
      side: (this.sell[i] ? 'sell' : 'buy') as Side,
      qty: new Decimal(ex ? ex[0] : this.qty[i]),
      price: new Decimal(ex ? ex[1] : this.price[i]),
      fee: new Decimal(ex ? ex[2] : this.fee[i]),
      time: this.time[i],
    };
  }

  toArray(): Fill[] {
    return Array.from({ length: this.n }, (_, i) => this.at(i));
  }

  private packIds(i: number, f: Fill): boolean {
    const fm = /^(.*)f(\d{1,15})$/.exec(f.id);
    if (!fm) return false;
    if (this.prefix === null) this.prefix = fm[1];
    if (fm[1] !== this.prefix || !f.orderId.startsWith(`${this.prefix}o`)) return false;
    const on = f.orderId.slice(this.prefix.length + 1);
    const fn = Number(fm[2]);
    const onN = Number(on);
    if (String(fn) !== fm[2] || String(onN) !== on) return false;
    this.fillNo[i] = fn;
    this.orderNo[i] = onN;
    return true;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.time = g(this.time, (k) => new Float64Array(k));
    this.qty = g(this.qty, (k) => new Float64Array(k));
    this.price = g(this.price, (k) => new Float64Array(k));
    this.fee = g(this.fee, (k) => new Float64Array(k));
    this.symbolIx = g(this.symbolIx, (k) => new Int32Array(k));
    this.sell = g(this.sell, (k) => new Uint8Array(k));
    this.fillNo = g(this.fillNo, (k) => new Float64Array(k));
    this.orderNo = g(this.orderNo, (k) => new Float64Array(k));
  }
}

/** Whether the float's shortest form is exactly this decimal (then the float alone rebuilds it). */
function roundTrips(d: Decimal, f: number): boolean {
  return d.eq(f);
}
