/** Deterministic number formatting for report tables (no locale dependence). null shows as an en dash. */

export const DASH = '–';

/** 1234567.891 -> "1,234,567.89". */
export function fmtMoney(x: number | null | undefined, dp = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const s = Math.abs(x).toFixed(dp);
  const [int, frac] = s.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = x < 0 && Number(s) !== 0 ? '-' : '';
  return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/** A decimal string such as "-1234.5" grouped without going through floats: "-1,234.5". */
export function fmtDecimalString(s: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (!m) return s;
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

/** 0.1234 -> "12.34%". */
export function fmtPct(x: number | null | undefined, dp = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  return `${noNegativeZero((x * 100).toFixed(dp))}%`;
}

/** "-0.00" (a tiny negative rounded away) reads as a loss that is not there: show "0.00". */
function noNegativeZero(s: string): string {
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

export function fmtNum(x: number | null | undefined, dp = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  return noNegativeZero(x.toFixed(dp));
}

export function fmtInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return fmtMoney(Math.round(x), 0);
}

/**
 * A price for people: to the cent at a dollar or more, 4 decimals below a dollar, 6 below a cent, grouped
 * ("1,234.56"). Adjusted histories and exact fills carry many more digits; tables and hover text show these.
 */
export function fmtPrice(x: string | number | null | undefined): string {
  if (x === null || x === undefined) return DASH;
  const v = typeof x === 'string' ? Number(x) : x;
  if (Number.isNaN(v)) return DASH;
  const a = Math.abs(v);
  return fmtMoney(v, a >= 1 || a === 0 ? 2 : a >= 0.01 ? 4 : 6);
}
