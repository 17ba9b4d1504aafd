/**
 * The report's trade markers, packed. A price chart keeps every entry and exit marker at any length, so a
 * long intraday run with 200,000 trades has 400,000 of them: as JSON points (date string, price, hover data)
 * that is ~90 bytes a trade, 18 MB; packed it is ~9 bytes (12 in base64). Per symbol and side (long, short),
 * one record per trade of six integers, each the difference from a value the page already has, as LEB128
 * varints (zigzag for signed):
 *   entry time  - the previous trade's exit time, and exit time - entry time, in units of the greatest common
 *                 divisor of all times (a minute file: 60,000 ms): exact;
 *   entry price - the previous exit price, and exit price - entry price, in units of 10^-decimals, the
 *                 decimals the hover prints (figures.ts priceDigits: at most 1/1000 of the lowest price, so
 *                 sub-pixel), so the hover shows the packed value and nothing is rounded twice;
 *   quantity    - the previous one (all-in sizes drift slowly, fixed sizes repeat): whole shares, or a
 *                 float64 (little-endian) each when any quantity is fractional;
 *   P&L         - what the packed prices and quantity give, in cents: the fees and the prices' rounding.
 * The bytes are base64 in the report's JSON block and unpacked in the page by MARKER_UNPACK_JS.
 */
import type { ClosedTrade } from '../metrics/types.js';

/** The four marker groups the page draws (one trace each), in the order unpackMarkers returns them. */
export const MARKER_GROUPS = [
  { kind: 'entry', side: 'long' },
  { kind: 'entry', side: 'short' },
  { kind: 'exit', side: 'long' },
  { kind: 'exit', side: 'short' },
] as const;

export interface PackedMarkers {
  /** Markers in each of MARKER_GROUPS (a trade has one entry and one exit). */
  readonly counts: readonly number[];
  /** Times are multiples of this many ms. */
  readonly timeUnit: number;
  /** Prices are integers / 10^priceDecimals. */
  readonly priceDecimals: number;
  /** Quantities are whole numbers (varints); else float64. */
  readonly qtyWhole: boolean;
  /** The records, long trades then short ones, base64. */
  readonly data: string;
}

class Bytes {
  buf = new Uint8Array(1024);
  n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  /** An unsigned integer below 2^53, 7 bits a byte (arithmetic, not bit operators: those are 32-bit). */
  uint(x: number): void {
    this.room(8);
    let v = x;
    while (v >= 128) {
      this.buf[this.n++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }
  /** A signed integer, zigzag: 0, -1, 1, -2... -> 0, 1, 2, 3... */
  int(x: number): void {
    this.uint(x >= 0 ? 2 * x : -2 * x - 1);
  }
  f64(x: number): void {
    this.room(8);
    new DataView(this.buf.buffer).setFloat64(this.n, x, true);
    this.n += 8;
  }
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y > 0) [x, y] = [y, x % y];
  return x;
}

/** P&L in cents as the packed prices (integers in 10^-decimals units) and quantity give it; the page computes the same. */
function impliedCents(entry: number, exit: number, qty: number, long: boolean, scale: number): number {
  return Math.round(((long ? exit - entry : entry - exit) * qty * 100) / scale);
}

/**
 * Packs the markers of `trades` (one symbol's), prices to `decimals` places: the digits the hover prints,
 * so it shows exactly the packed value (figures.ts priceDigits). Times must be whole milliseconds.
 */
export function packTradeMarkers(trades: readonly ClosedTrade[], decimals: number): PackedMarkers {
  const sides = [trades.filter((t) => t.side === 'long'), trades.filter((t) => t.side === 'short')];
  let unit = 0;
  let qtyWhole = true;
  for (const t of trades) {
    unit = gcd(gcd(unit, t.entryTime), t.exitTime);
    const q = Number(t.qty);
    if (!(Number.isSafeInteger(q) && q >= 0)) qtyWhole = false;
  }
  if (!(unit >= 1 && Number.isSafeInteger(unit))) unit = 1;
  const scale = 10 ** decimals;
  // toFixed, not Math.round(price * scale): the hover formats with toFixed, and 95.005 * 100 is 9500.5
  const price = (p: string) => Math.round(Number(Number(p).toFixed(decimals)) * scale);
  const out = new Bytes();
  sides.forEach((list, k) => {
    let t0 = 0;
    let p0 = 0;
    let q0 = 0;
    for (const t of list) {
      const et = t.entryTime / unit;
      const xt = t.exitTime / unit;
      const ep = price(t.entryPrice);
      const xp = price(t.exitPrice);
      const q = Number(t.qty);
      out.int(et - t0);
      out.int(xt - et);
      out.int(ep - p0);
      out.int(xp - ep);
      if (qtyWhole) out.int(q - q0);
      else out.f64(q);
      out.int(Math.round(Number(t.pnl) * 100) - impliedCents(ep, xp, q, k === 0, scale));
      t0 = xt;
      p0 = xp;
      q0 = q;
    }
  });
  return {
    counts: [sides[0].length, sides[1].length, sides[0].length, sides[1].length],
    timeUnit: unit,
    priceDecimals: decimals,
    qtyWhole,
    data: Buffer.from(out.buf.buffer, 0, out.n).toString('base64'),
  };
}

/**
 * In-page unpacker (ES5, a string so no bundler helper leaks in): `unpackMarkers(p)` returns, per group of
 * MARKER_GROUPS, {t: epoch ms, y: price, q: quantity, pnl: P&L (exits) or null}, each an array.
 */
export const MARKER_UNPACK_JS = `function unpackMarkers(p){
var s=atob(p.data),b=new Uint8Array(s.length),i;for(i=0;i<s.length;i++)b[i]=s.charCodeAt(i);
var dv=new DataView(b.buffer),pos=0,scale=Math.pow(10,p.priceDecimals),u0=p.timeUnit,g=[],k;
function u(){var x=0,m=1,c;do{c=b[pos++];x+=(c&127)*m;m*=128;}while(c&128);return x;}
function z(){var v=u();return v%2?-(v+1)/2:v/2;}
for(k=0;k<4;k++)g.push({t:[],y:[],q:[],pnl:k<2?null:[]});
for(k=0;k<2;k++){var en=g[k],ex=g[k+2],t0=0,p0=0,q0=0,et,ep,q;
for(i=0;i<p.counts[k];i++){et=t0+z();t0=et+z();ep=p0+z();p0=ep+z();
if(p.qtyWhole){q=q0+z();q0=q;}else{q=dv.getFloat64(pos,true);pos+=8;}
en.t.push(et*u0);ex.t.push(t0*u0);en.y.push(ep/scale);ex.y.push(p0/scale);en.q.push(q);ex.q.push(q);
ex.pnl.push((z()+Math.round(((k===0?p0-ep:ep-p0)*q*100)/scale))/100);}}
return g;}`;
