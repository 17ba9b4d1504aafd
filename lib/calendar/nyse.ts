/**
 * US equity market calendar (NYSE rules), computed by rule for any year: no tables to update, no I/O,
 * no wall clock. Regular session 09:30-16:00 America/New_York; early close 13:00 on the day before
 * Independence Day, the day after Thanksgiving and Christmas Eve. Times are converted with the US DST
 * rule of the year (2007+: second Sunday of March to first Sunday of November; before: first Sunday of
 * April to last Sunday of October), so no time-zone database is needed.
 */

const DAY_MS = 86_400_000;

export interface Session {
  /** Trading date, YYYY-MM-DD. */
  readonly date: string;
  /** Session open and close, epoch ms UTC. */
  readonly openMs: number;
  readonly closeMs: number;
  readonly earlyClose: boolean;
}

export interface Holiday {
  readonly date: string;
  readonly name: string;
}

/** One-off closures that no rule predicts (national days of mourning, storms, 9/11). */
const SPECIAL_CLOSURES: Readonly<Record<string, string>> = {
  '2001-09-11': 'September 11 attacks',
  '2001-09-12': 'September 11 attacks',
  '2001-09-13': 'September 11 attacks',
  '2001-09-14': 'September 11 attacks',
  '2004-06-11': 'National Day of Mourning (Reagan)',
  '2007-01-02': 'National Day of Mourning (Ford)',
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'National Day of Mourning (G.H.W. Bush)',
  '2025-01-09': 'National Day of Mourning (Carter)',
};

function ymd(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Day of week (0 Sunday) of a calendar date. */
function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Day of month of the n-th (1-based) given weekday in month m; n = -1 for the last one. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  if (n > 0) {
    const first = weekday(y, m, 1);
    return 1 + ((wd - first + 7) % 7) + (n - 1) * 7;
  }
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const last = weekday(y, m, lastDay);
  return lastDay - ((last - wd + 7) % 7);
}

/** Easter Sunday (Gregorian, anonymous algorithm): [month, day]. */
export function easter(y: number): [number, number] {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

function shift(y: number, m: number, d: number, days: number): string {
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A fixed-date holiday moved to Friday when it falls on Saturday and to Monday on Sunday. NYSE does not
 * move New Year's Day back into the previous year (rule 7.2), so a Saturday Jan 1 gives no holiday.
 */
function observed(y: number, m: number, d: number, backIntoPreviousYear = true): string | null {
  const wd = weekday(y, m, d);
  if (wd === 6) return !backIntoPreviousYear && m === 1 && d === 1 ? null : shift(y, m, d, -1);
  if (wd === 0) return shift(y, m, d, 1);
  return ymd(y, m, d);
}

const holidayCache = new Map<number, Holiday[]>();

/** NYSE full-day holidays of a year, by rule plus known one-off closures, sorted by date. */
export function holidays(year: number): Holiday[] {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const out: Holiday[] = [];
  const add = (date: string | null, name: string) => {
    if (date !== null && date.startsWith(String(year).padStart(4, '0'))) out.push({ date, name });
  };
  add(observed(year, 1, 1, false), "New Year's Day");
  if (year >= 1998) add(ymd(year, 1, nthWeekday(year, 1, 1, 3)), 'Martin Luther King Jr. Day');
  add(ymd(year, 2, nthWeekday(year, 2, 1, 3)), "Washington's Birthday");
  const [em, ed] = easter(year);
  add(shift(year, em, ed, -2), 'Good Friday');
  add(ymd(year, 5, nthWeekday(year, 5, 1, -1)), 'Memorial Day');
  if (year >= 2022) add(observed(year, 6, 19), 'Juneteenth');
  add(observed(year, 7, 4), 'Independence Day');
  add(ymd(year, 9, nthWeekday(year, 9, 1, 1)), 'Labor Day');
  add(ymd(year, 11, nthWeekday(year, 11, 4, 4)), 'Thanksgiving Day');
  add(observed(year, 12, 25), 'Christmas Day');
  for (const [date, name] of Object.entries(SPECIAL_CLOSURES)) add(date, name);
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  holidayCache.set(year, out);
  return out;
}

/** Early-close (13:00 ET) dates of a year. */
export function earlyCloses(year: number): string[] {
  const out: string[] = [];
  // The day before Independence Day, when July 4 falls Tuesday-Friday (Jul 3 is then a weekday, not a holiday).
  const j4 = weekday(year, 7, 4);
  if (j4 >= 2 && j4 <= 5) out.push(ymd(year, 7, 3));
  // The day after Thanksgiving.
  out.push(shift(year, 11, nthWeekday(year, 11, 4, 4), 1));
  // Christmas Eve, when it is Monday-Thursday (on Friday it is the observed Christmas holiday).
  const ce = weekday(year, 12, 24);
  if (ce >= 1 && ce <= 4) out.push(ymd(year, 12, 24));
  return out;
}

function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`calendar: ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function isHoliday(date: string): boolean {
  const [y] = parseDate(date);
  return holidays(y).some((h) => h.date === date);
}

export function isTradingDay(date: string): boolean {
  const [y, m, d] = parseDate(date);
  const wd = weekday(y, m, d);
  return wd !== 0 && wd !== 6 && !isHoliday(date);
}

/** UTC offset of New York in hours (-4 in daylight saving time, -5 otherwise) at a given local date. */
export function newYorkOffsetHours(date: string): number {
  const [y, m, d] = parseDate(date);
  // DST starts and ends at 02:00 local; sessions never straddle that, so a date-level test is exact here.
  let start: number;
  let end: number;
  if (y >= 2007) {
    start = Date.UTC(y, 2, nthWeekday(y, 3, 0, 2));
    end = Date.UTC(y, 10, nthWeekday(y, 11, 0, 1));
  } else {
    start = Date.UTC(y, 3, nthWeekday(y, 4, 0, 1));
    end = Date.UTC(y, 9, nthWeekday(y, 10, 0, -1));
  }
  const t = Date.UTC(y, m - 1, d);
  return t >= start && t < end ? -4 : -5;
}

/** Epoch ms of a New York wall-clock time on a date. */
export function newYorkTimeToUtc(date: string, hour: number, minute = 0): number {
  const [y, m, d] = parseDate(date);
  return Date.UTC(y, m - 1, d, hour, minute) - newYorkOffsetHours(date) * 3_600_000;
}

/** The New York calendar date of an instant. */
export function newYorkDate(ms: number): string {
  const utcDate = new Date(ms).toISOString().slice(0, 10);
  const off = newYorkOffsetHours(utcDate);
  // Use the offset of the UTC date; near midnight it may differ by a day but then the hour is far from a session.
  return new Date(ms + off * 3_600_000).toISOString().slice(0, 10);
}

/** The regular session on a date, or null when the market is closed all day. */
export function sessionOn(date: string): Session | null {
  if (!isTradingDay(date)) return null;
  const [y] = parseDate(date);
  const early = earlyCloses(y).includes(date);
  return {
    date,
    openMs: newYorkTimeToUtc(date, 9, 30),
    closeMs: newYorkTimeToUtc(date, early ? 13 : 16),
    earlyClose: early,
  };
}

/** True when the regular session is open at this instant (open inclusive, close exclusive). */
export function isMarketOpen(ms: number): boolean {
  const s = sessionOn(newYorkDate(ms));
  return s !== null && ms >= s.openMs && ms < s.closeMs;
}

/** The session in progress at `ms`, or else the next one to open. Searches up to two weeks ahead. */
export function nextSession(ms: number): Session {
  let day = newYorkDate(ms);
  for (let i = 0; i < 15; i++) {
    const s = sessionOn(day);
    if (s && ms < s.closeMs) return s;
    const [y, m, d] = parseDate(day);
    day = shift(y, m, d, 1);
  }
  throw new Error(`calendar: no session within 15 days of ${new Date(ms).toISOString()}`);
}

/** The most recent session that has closed at or before `ms`. */
export function previousSession(ms: number): Session {
  let day = newYorkDate(ms);
  for (let i = 0; i < 15; i++) {
    const s = sessionOn(day);
    if (s && s.closeMs <= ms) return s;
    const [y, m, d] = parseDate(day);
    day = shift(y, m, d, -1);
  }
  throw new Error(`calendar: no session within 15 days before ${new Date(ms).toISOString()}`);
}

/** Milliseconds until the next session opens (0 when the market is open now). */
export function msUntilOpen(ms: number): number {
  const s = nextSession(ms);
  return Math.max(0, s.openMs - ms);
}

/** Trading dates in [start, end] (inclusive, YYYY-MM-DD). */
export function tradingDays(start: string, end: string): string[] {
  const [y, m, d] = parseDate(start);
  parseDate(end);
  const out: string[] = [];
  for (let day = ymd(y, m, d), i = 0; day <= end; i++) {
    if (isTradingDay(day)) out.push(day);
    day = shift(y, m, d, i + 1);
  }
  return out;
}
