import { describe, expect, it } from 'vitest';
import {
  earlyCloses,
  easter,
  holidays,
  isMarketOpen,
  isTradingDay,
  msUntilOpen,
  nextSession,
  previousSession,
  sessionOn,
  tradingDays,
} from '../../lib/calendar/index.js';

const dates = (y: number) => holidays(y).map((h) => h.date);

describe('NYSE holidays by rule (checked against the published NYSE calendars)', () => {
  it('2024', () => {
    expect(dates(2024)).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27',
      '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
    ]);
    expect(earlyCloses(2024)).toEqual(['2024-07-03', '2024-11-29', '2024-12-24']);
  });
  it('2025 includes the Carter day of mourning', () => {
    expect(dates(2025)).toEqual([
      '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26',
      '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25',
    ]);
    expect(earlyCloses(2025)).toEqual(['2025-07-03', '2025-11-28', '2025-12-24']);
  });
  it('2022: Saturday New Year is not observed, Sunday Juneteenth and Christmas move to Monday', () => {
    expect(dates(2022)).toEqual([
      '2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20',
      '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26',
    ]);
    expect(isTradingDay('2021-12-31')).toBe(true);
    // July 4 on Monday: no early close the Friday before.
    expect(earlyCloses(2022)).toEqual(['2022-11-25']);
  });
  it('2026 and 2027: Saturday holidays move to Friday', () => {
    expect(dates(2026)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25',
      '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25',
    ]);
    expect(earlyCloses(2026)).toEqual(['2026-11-27', '2026-12-24']);
    expect(dates(2027)).toEqual([
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31',
      '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24',
    ]);
  });
  it('Easter dates', () => {
    expect(easter(2024)).toEqual([3, 31]);
    expect(easter(2025)).toEqual([4, 20]);
    expect(easter(2038)).toEqual([4, 25]);
    expect(easter(2008)).toEqual([3, 23]);
  });
  it('no Juneteenth before 2022, no MLK day before 1998', () => {
    expect(dates(2021)).not.toContain('2021-06-18');
    expect(dates(1997).some((d) => d.startsWith('1997-01-2'))).toBe(false);
  });
});

describe('sessions and time zones', () => {
  it('regular session in summer (EDT) and winter (EST)', () => {
    const s = sessionOn('2024-07-10')!;
    expect(new Date(s.openMs).toISOString()).toBe('2024-07-10T13:30:00.000Z');
    expect(new Date(s.closeMs).toISOString()).toBe('2024-07-10T20:00:00.000Z');
    const w = sessionOn('2024-01-10')!;
    expect(new Date(w.openMs).toISOString()).toBe('2024-01-10T14:30:00.000Z');
    expect(new Date(w.closeMs).toISOString()).toBe('2024-01-10T21:00:00.000Z');
  });
  it('DST boundaries: 2024-03-11 is EDT, 2024-03-08 EST; 2024-11-04 EST, 2024-11-01 EDT', () => {
    expect(new Date(sessionOn('2024-03-08')!.openMs).toISOString()).toBe('2024-03-08T14:30:00.000Z');
    expect(new Date(sessionOn('2024-03-11')!.openMs).toISOString()).toBe('2024-03-11T13:30:00.000Z');
    expect(new Date(sessionOn('2024-11-01')!.openMs).toISOString()).toBe('2024-11-01T13:30:00.000Z');
    expect(new Date(sessionOn('2024-11-04')!.openMs).toISOString()).toBe('2024-11-04T14:30:00.000Z');
    // The pre-2007 rule: first Sunday of April.
    expect(new Date(sessionOn('2005-04-01')!.openMs).toISOString()).toBe('2005-04-01T14:30:00.000Z');
    expect(new Date(sessionOn('2005-04-04')!.openMs).toISOString()).toBe('2005-04-04T13:30:00.000Z');
  });
  it('early close at 13:00 ET', () => {
    const s = sessionOn('2024-11-29')!;
    expect(s.earlyClose).toBe(true);
    expect(new Date(s.closeMs).toISOString()).toBe('2024-11-29T18:00:00.000Z');
    expect(isMarketOpen(Date.parse('2024-11-29T17:59:00Z'))).toBe(true);
    expect(isMarketOpen(Date.parse('2024-11-29T18:00:00Z'))).toBe(false);
  });
  it('weekends and holidays are closed', () => {
    expect(sessionOn('2024-07-06')).toBeNull();
    expect(sessionOn('2024-07-04')).toBeNull();
    expect(isMarketOpen(Date.parse('2024-07-04T15:00:00Z'))).toBe(false);
    expect(isMarketOpen(Date.parse('2024-07-05T15:00:00Z'))).toBe(true);
    expect(isMarketOpen(Date.parse('2024-07-05T13:29:59Z'))).toBe(false);
  });
  it('next and previous session across a holiday weekend', () => {
    // Friday after close before Memorial Day 2024 -> Tuesday 2024-05-28.
    const fri = Date.parse('2024-05-24T21:00:00Z');
    expect(nextSession(fri).date).toBe('2024-05-28');
    expect(previousSession(fri).date).toBe('2024-05-24');
    expect(msUntilOpen(fri)).toBe(Date.parse('2024-05-28T13:30:00Z') - fri);
    expect(msUntilOpen(Date.parse('2024-05-28T14:00:00Z'))).toBe(0);
    expect(previousSession(Date.parse('2024-05-28T14:00:00Z')).date).toBe('2024-05-24');
  });
  it('252 trading days in 2024 and 250 in 2025', () => {
    expect(tradingDays('2024-01-01', '2024-12-31')).toHaveLength(252);
    expect(tradingDays('2025-01-01', '2025-12-31')).toHaveLength(250);
  });
});
