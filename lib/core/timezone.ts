/**
 * Wall-clock time in an IANA zone -> UTC, for timestamps written without a zone (exchange-local CSV rows).
 * Offsets come from the platform's tz database (Intl), cached per zone and hour: they change only at DST
 * transitions, and a minute file has a hundred thousand rows.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
const HOUR = 3_600_000;

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `utcMs`, in ms (New York in winter: -5 h). */
function zoneOffsetMs(tz: string, utcMs: number): number {
  let cache = offsets.get(tz);
  if (!cache) offsets.set(tz, (cache = new Map()));
  const hour = Math.floor(utcMs / HOUR);
  const hit = cache.get(hour);
  if (hit !== undefined) return hit;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(hour * HOUR))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - hour * HOUR;
  cache.set(hour, off);
  return off;
}

/**
 * The UTC instant of wall-clock time `wallMs` (a Date.UTC(...) of the local fields) in `tz`. In the hour a
 * DST change skips, the time is read with the offset before the change (02:30 -> 03:30 daylight time); in the
 * hour it repeats, the first (daylight) occurrence is taken.
 */
export function zonedToUtc(wallMs: number, tz: string): number {
  if (tz === 'UTC') return wallMs;
  const guess = wallMs - zoneOffsetMs(tz, wallMs);
  const off = zoneOffsetMs(tz, guess);
  const utc = wallMs - off;
  if (off === zoneOffsetMs(tz, utc)) return utc;
  // In a DST gap or overlap: take the earlier offset's reading.
  const before = zoneOffsetMs(tz, guess - 2 * HOUR);
  return wallMs - before;
}
