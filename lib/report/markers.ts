/**
 * The report's trade markers, packed. A price chart keeps every entry and exit marker at any length, so a
 * long intraday run with 200,000 trades has 400,000 of them: as JSON objects (date string, price, hover data)
 * that is ~90 bytes a trade and 18 MB; packed it is ~12 (16 in base64). Per symbol and marker group (entry long, entry
 * short, exit long, exit short) the columns are delta-coded integers in LEB128 varints (zigzag for signed):
 *   time   in units of the greatest common divisor of all times (a minute file: 60,000 ms), exact;
 *   price  in units of 10^-decimals, the decimals the hover prints (at most 10^-3 of the symbol's lowest
 *          price: sub-pixel on any chart), so the hover shows the packed value and nothing is rounded twice;
 *   qty    whole shares, as the change from the previous marker's; float64 (little-endian) when any is fractional;
 *   P&L    (exits) in cents.
 * The bytes are base64 in the report's JSON block and unpacked in the page by MARKER_UNPACK_JS.
 */
import type { ClosedTrade } from '../metrics/types.js';

/** The four marker groups, in pack order: which trades and which side of them each draws. */
export const MARKER_GROUPS = [
  { kind: 'entry', side: 'long' },
  { kind: 'entry', side: 'short' },
  { kind: 'exit', side: 'long' },
  { kind: 'exit', side: 'short' },
] as const;

export interface PackedMarkers {
  /** Markers in each of MARKER_GROUPS. */
  readonly counts: readonly number[];
  /** Times are multiples of this many ms. */
  readonly timeUnit: number;
  /** Prices are integers / 10^priceDecimals. */
  readonly priceDecimals: number;
  /** Quantities are whole numbers (varints); else float64. */
  readonly qtyWhole: boolean;
  /** The columns, base64. */
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

/**
 * Packs the markers of `trades` (one symbol's), prices to `decimals` places: the digits the hover prints,
 * so it shows exactly the packed value (figures.ts priceDigits). Times must be whole milliseconds.
 */
export function packTradeMarkers(trades: readonly ClosedTrade[], decimals: number): PackedMarkers {
  const groups = MARKER_GROUPS.map((g) => trades.filter((t) => t.side === g.side));
  let unit = 0;
  let qtyWhole = true;
  for (const t of trades) {
    unit = gcd(gcd(unit, t.entryTime), t.exitTime);
    const q = Number(t.qty);
    if (!(Number.isSafeInteger(q) && q >= 0)) qtyWhole = false;
  }
  if (!(unit >= 1 && Number.isSafeInteger(unit))) unit = 1;
  const scale = 10 ** decimals;
  const out = new Bytes();
  MARKER_GROUPS.forEach((g, k) => {
    const entry = g.kind === 'entry';
    let t0 = 0;
    let p0 = 0;
    let q0 = 0;
    for (const t of groups[k]) {
      const ti = (entry ? t.entryTime : t.exitTime) / unit;
      out.int(ti - t0);
      t0 = ti;
      // toFixed, not Math.round(price * scale): the hover formats with toFixed, and 99.995 * 100 is 9999.5
      const pi = Math.round(Number(Number(entry ? t.entryPrice : t.exitPrice).toFixed(decimals)) * scale);
      out.int(pi - p0);
      p0 = pi;
      // all-in sizes drift slowly and fixed sizes repeat: the change from the previous one is short
      const q = Number(t.qty);
      if (qtyWhole) out.int(q - q0);
      else out.f64(q);
      q0 = q;
      if (!entry) out.int(Math.round(Number(t.pnl) * 100));
    }
  });
  return {
    counts: groups.map((g) => g.length),
    timeUnit: unit,
    priceDecimals: decimals,
    qtyWhole,
    data: Buffer.from(out.buf.buffer, 0, out.n).toString('base64'),
  };
}

/**
 * In-page unpacker (ES5, a string so no bundler helper leaks in): `unpackMarkers(p)` returns, per group,
 * {t: epoch ms, y: price, q: quantity, pnl: P&L or null}, each an array.
 */
export const MARKER_UNPACK_JS = `function unpackMarkers(p){
var s=atob(p.data),b=new Uint8Array(s.length),i;for(i=0;i<s.length;i++)b[i]=s.charCodeAt(i);
var dv=new DataView(b.buffer),pos=0,scale=Math.pow(10,p.priceDecimals),out=[];
function u(){var x=0,m=1,c;do{c=b[pos++];x+=(c&127)*m;m*=128;}while(c&128);return x;}
function z(){var v=u();return v%2?-(v+1)/2:v/2;}
for(var g=0;g<p.counts.length;g++){
var n=p.counts[g],exit=g>=2,t=new Array(n),y=new Array(n),q=new Array(n),pnl=exit?new Array(n):null,ti=0,pi=0,qi=0;
for(i=0;i<n;i++){ti+=z();t[i]=ti*p.timeUnit;pi+=z();y[i]=pi/scale;
if(p.qtyWhole){qi+=z();q[i]=qi;}else{q[i]=dv.getFloat64(pos,true);pos+=8;}
if(exit)pnl[i]=z()/100;}
out.push({t:t,y:y,q:q,pnl:pnl});}
return out;}`;
