/**
 * Live mode: on a schedule, ask the data provider for bars newer than the last processed one, keep only
 * bars that are complete (a daily bar after its session's close, an intraday bar after its end), and step
 * the loop over them. Market-hours aware: outside sessions there is nothing new, so the tick is skipped.
 */
import { concatSeries, INTERVAL_MS, sliceByTime, type BarSeries, type Interval } from '../lib/core/bars.js';
import type { Clock } from '../lib/core/clock.js';
import { isMarketOpen, newYorkDate, nextSession, previousSession } from '../lib/calendar/index.js';
import type { DataProvider } from '../lib/data/provider.js';
import type { LoopLogger, TradingLoop } from './loop.js';

/** The end (exclusive, epoch ms) of the bars that are complete at `now`. */
export function completeBefore(now: number, interval: Interval): number {
  if (interval === '1d' || interval === '1wk') {
    // A daily bar is stamped at midnight UTC of its date and is complete once that date's session closed.
    const last = previousSession(now);
    return Date.parse(`${last.date}T00:00:00Z`) + 1;
  }
  return now - INTERVAL_MS[interval] + 1;
}

export interface LiveOptions {
  readonly loop: TradingLoop;
  readonly provider: DataProvider;
  readonly interval: Interval;
  readonly clock: Clock;
  readonly marketHoursOnly: boolean;
  readonly logger: LoopLogger;
}

/** One tick: fetch, append, step. Returns the number of new bar times processed. */
export async function liveTick(o: LiveOptions): Promise<number> {
  const now = o.clock.nowMs();
  const intraday = o.interval !== '1d' && o.interval !== '1wk';
  if (o.marketHoursOnly && intraday && !isMarketOpen(now)) {
    const prev = previousSession(now);
    // Still pick up the session's last bars just after the close.
    if (now - prev.closeMs > 2 * INTERVAL_MS[o.interval]) {
      o.logger.debug({ nextOpen: new Date(nextSession(now).openMs).toISOString() }, 'market closed');
      return 0;
    }
  }
  const loop = o.loop;
  const end = completeBefore(now, o.interval);
  const from = (loop.lastBarTime ?? 0) + 1;
  if (end <= from) return 0;
  const merged: BarSeries[] = [];
  let fresh = false;
  for (const old of loop.currentSeries) {
    const got = await o.provider.load({ symbol: old.symbol, interval: o.interval, start: from, end });
    const add = sliceByTime(got, Math.max(from, old.length > 0 ? old.time[old.length - 1] + 1 : from), end);
    if (add.length > 0) fresh = true;
    merged.push(add.length > 0 ? concatSeries([old, add]) : old);
  }
  if (!fresh) return 0;
  loop.setSeries(merged);
  let n = 0;
  for (const t of loop.timeline()) {
    if (loop.lastBarTime !== null && t <= loop.lastBarTime) continue;
    await loop.step(t);
    n++;
  }
  o.logger.info({ bars: n, lastBar: loop.lastBarTime === null ? null : new Date(loop.lastBarTime).toISOString(), nyDate: newYorkDate(now) }, 'live tick');
  return n;
}
