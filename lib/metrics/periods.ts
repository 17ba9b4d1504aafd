/** Periods per year for annualising, by bar interval: 252 trading days of a 6.5-hour (390-minute) US session. */
import type { Interval } from '../core/bars.js';

const PER_DAY: Readonly<Record<Interval, number>> = {
  '1m': 390,
  '5m': 78,
  '15m': 26,
  '30m': 13,
  // 09:30-16:00 gives 7 hourly bars (the last one half an hour long)
  '1h': 7,
  '1d': 1,
  '1wk': 1, // unused: weeks are handled apart
};

export const TRADING_DAYS_PER_YEAR = 252;

/** 252 for daily bars, 52 for weekly bars (252 / 5 = 50.4 is not used: a year has 52 weeks), 252 x bars/day intraday. */
export function periodsPerYearFor(interval: Interval): number {
  if (interval === '1wk') return 52;
  return TRADING_DAYS_PER_YEAR * PER_DAY[interval];
}
