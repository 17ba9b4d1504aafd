import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../lib/core/errors.js';
import { loadCsvFile, parseCsv, parseTimestamp, readCsvFile } from '../../lib/data/csv.js';
import { CsvProvider } from '../../lib/data/csv-provider.js';
import { isMarketOpen } from '../../lib/calendar/nyse.js';
import { zonedToUtc } from '../../lib/core/timezone.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const parse = (text: string, opts = {}) => parseCsv(text, { symbol: 'T', ...opts }, 'T.csv');

const YAHOO = `Date,Open,High,Low,Close,Adj Close,Volume
2020-01-02,10,11,9,10.5,5.25,1000
2020-01-03,10.5,12,10,11,5.5,2000
2020-01-06,11,11.5,10.8,11.2,5.6,1500
`;

const ALPHA = `timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient
2000-06-20,98.5,103.94,98.37,101.25,0.778587640722,4476700,0.0,1.0
2000-06-21,50.5,56.94,50.31,55.63,0.85556208303,4375000,0.0,2.0
2000-06-22,55.75,57.63,53.56,53.75,0.826648606199,8352000,0.0,1.0
`;

describe('CSV layouts', () => {
  it('reads Yahoo layout, adjusting OHLC by adj close / close', () => {
    const { series: s } = parse(YAHOO);
    expect(s.length).toBe(3);
    expect(s.time[0]).toBe(Date.UTC(2020, 0, 2));
    expect(s.interval).toBe('1d');
    expect(s.close[0]).toBe(5.25);
    expect(s.open[0]).toBeCloseTo(5, 12);
    expect(s.high[1]).toBeCloseTo(6, 12);
    const raw = parse(YAHOO, { adjust: false }).series;
    expect(raw.close[0]).toBe(10.5);
    expect(raw.adjusted).toBe(false);
  });

  it('reads Alpha Vantage daily adjusted: unadjusted OHLC, splits visible, volume split-adjusted', () => {
    const { series: s } = parse(ALPHA);
    expect(Array.from(s.splits!)).toEqual([1, 2, 1]);
    // A 2:1 split: the day before has its volume doubled, prices scaled by adjusted_close / close.
    expect(s.volume[0]).toBe(4476700 * 2);
    expect(s.volume[1]).toBe(4375000);
    expect(s.close[0]).toBe(0.778587640722);
    expect(s.open[0]).toBeCloseTo(98.5 * (0.778587640722 / 101.25), 14);
    // Around the split, the adjusted return equals the real holder's return (about +9.9%), not -45%.
    expect(s.close[1] / s.close[0] - 1).toBeCloseTo((55.63 * 2) / 101.25 - 1, 2);
    const raw = parse(ALPHA, { adjust: false }).series;
    expect(raw.close[1] / raw.close[0] - 1).toBeCloseTo(55.63 / 101.25 - 1, 12);
  });

  it('reads backtrader minute files whose rows split date and time', () => {
    const { series: s } = parse(`Date,Open,High,Low,Close,Volume,OpenInterest
2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0
2006-01-02,09:02:00,3600.00,3601.00,3598.00,3599.00,894,0
2006-01-02,09:03:00,3599.00,3600.00,3598.00,3600.00,500,0
`);
    expect(s.interval).toBe('1m');
    expect(s.time[1] - s.time[0]).toBe(60_000);
    expect(s.time[0]).toBe(Date.UTC(2006, 0, 2, 14, 1)); // 09:01 in New York (EST) by default
    expect(s.close[2]).toBe(3600);
    expect(s.volume[0]).toBe(5699);
  });

  it('reads headerless files and reordered / unnamed-date headers', () => {
    const headerless = parse(`2006-01-02,09:01:00,1,2,0.5,1.5,10,0
2006-01-02,09:02:00,1.5,2,1,1.8,20,0
`).series;
    expect(headerless.close[1]).toBe(1.8);
    expect(headerless.volume[1]).toBe(20);
    const reordered = parse(`Date,Open,Close,High,Low,Volume
2019-11-05 09:30:00,3080.8,3080.49,3081.47,3080.3,2209795
2019-11-05 09:31:00,3080.33,3079.36,3080.33,3079.15,1739410
`).series;
    expect(reordered.high[0]).toBe(3081.47);
    expect(reordered.close[0]).toBe(3080.49);
    const unnamed = parse(`,Open,High,Low,Close,Volume
2004-08-19,100,104.06,95.96,100.34,22351900
2004-08-20,101.01,109.08,100.5,108.31,11428600
`).series;
    expect(unnamed.time[1]).toBe(Date.UTC(2004, 7, 20));
    expect(unnamed.close[1]).toBe(108.31);
  });

  it('reverses a wholly descending file (Alpha Vantage API order)', () => {
    const { series: s, issues } = parse(`Date,Open,High,Low,Close,Volume
2020-01-03,2,2,2,2,1
2020-01-02,1,1,1,1,1
`);
    expect(Array.from(s.close)).toEqual([1, 2]);
    expect(issues).toEqual([]);
  });

  it('reads files from disk and through the CSV provider, symbol from the file name', async () => {
    const p = write('ACME.csv', YAHOO);
    expect(readCsvFile(p).symbol).toBe('ACME');
    const s = await new CsvProvider(dir).load({ symbol: 'ACME', start: '2020-01-03' });
    expect(s.length).toBe(2);
    await expect(new CsvProvider(dir).load({ symbol: 'NOPE' })).rejects.toThrow(/unknown symbol "NOPE"/);
  });
});

describe('CSV validation names file, row and field', () => {
  const err = (text: string, opts = {}): DataError => {
    try {
      parse(text, opts);
    } catch (e) {
      return e as DataError;
    }
    throw new Error('expected an error');
  };

  it('rejects unparseable dates and short rows with the line number', () => {
    expect(err('Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n2020-13-40,1,1,1,1,1\n').message).toBe('T.csv:3 [date]: cannot read "2020-13-40" as a date');
    expect(err('Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1\n').message).toBe('T.csv:2: expected 6 fields, found 4');
  });

  it('rejects NaN and non-positive prices, or drops them by policy', () => {
    const text = 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n2020-01-03,1,1,1,abc,1\n2020-01-06,1,1,1,-1,1\n';
    expect(err(text).message).toBe('T.csv:3 [close]: close is missing or not a number');
    const policy = { unsorted: 'sort', duplicates: 'error', badPrice: 'drop', ohlcInconsistent: 'repair', zeroVolumeRun: 0, maxGapDays: 0 } as const;
    const r = parse(text, { policy });
    expect(r.series.length).toBe(1);
    expect(r.issues.map((i) => [i.row, i.field, i.severity])).toEqual([
      [3, 'close', 'dropped'],
      [4, 'close', 'dropped'],
    ]);
  });

  it('rejects high below low and duplicate timestamps', () => {
    expect(err('Date,Open,High,Low,Close,Volume\n2020-01-02,5,4,6,5,1\n').message).toBe('T.csv:2 [high]: high 4 is below low 6');
    expect(err('Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n2020-01-02,1,1,1,1,1\n').message).toMatch(/^T\.csv:3 \[date\]: duplicate timestamp 2020-01-02T00:00:00.000Z \(also on line 2\)/);
  });

  it('repairs a high/low that does not bracket open/close (real SPY 2015-03-05 glitch) and lists it', () => {
    const r = parse('Date,Open,High,Low,Close,Adj Close,Volume\n2015-03-05,209.419998,210.800003,209.850006,210.460007,198.019653,76873000\n', { adjust: false });
    expect(r.series.low[0]).toBe(209.419998);
    expect(r.issues[0]).toMatchObject({ row: 2, field: 'low', severity: 'repaired' });
    expect(err('Date,Open,High,Low,Close,Volume\n2015-03-05,209.419998,210.800003,209.850006,210.460007,1\n', {
      policy: { unsorted: 'sort', duplicates: 'error', badPrice: 'error', ohlcInconsistent: 'error', zeroVolumeRun: 5, maxGapDays: 5 },
    }).message).toMatch(/^T\.csv:2 \[low\]: high\/low/);
  });

  it('sorts out-of-order rows and reports them; warns on zero-volume runs and gaps', () => {
    const rows = ['2020-01-02', '2020-01-06', '2020-01-03', '2020-01-07', '2020-01-08', '2020-01-09', '2020-01-10', '2020-01-31'];
    const text = 'Date,Open,High,Low,Close,Volume\n' + rows.map((d, i) => `${d},1,1,1,1,${i >= 1 && i <= 6 ? 0 : 5}`).join('\n');
    const r = parse(text);
    expect(Array.from(r.series.time, (t) => new Date(t).toISOString().slice(0, 10))).toEqual([...rows].sort());
    expect(r.issues.map((i) => `${i.severity}:${i.field}`)).toEqual(['repaired:date', 'warning:volume', 'warning:date']);
    expect(r.issues[2].problem).toBe('gap of 21 days since the previous bar');
    expect(err(text, { policy: { unsorted: 'error', duplicates: 'error', badPrice: 'error', ohlcInconsistent: 'repair', zeroVolumeRun: 5, maxGapDays: 5 } }).message).toMatch(/^T\.csv:4 \[date\]: timestamp 2020-01-03/);
  });

  it('names the missing columns of an unknown layout, and the file of an unreadable path', () => {
    expect(err('When,Price\n2020-01-02,1\n').message).toMatch(/^T\.csv:1 \[date\]: header "When,Price" has no date, open, high, low, close column/);
    expect(() => loadCsvFile(join(dir, 'missing.csv'))).toThrow(/missing\.csv: cannot read file/);
  });

  it('reads zone-less intraday times in the exchange zone, across both DST changes', () => {
    // 09:30 and 15:59 New York on the Friday before and the Monday after each 2024 change.
    const days = ['2024-03-08', '2024-03-11', '2024-11-01', '2024-11-04'];
    const rows = days.flatMap((d) => [`${d} 09:30:00,10,11,9,10,100`, `${d} 15:59:00,10,11,9,10,100`]);
    const csv = ['Date,Open,High,Low,Close,Volume', ...rows].join('\n');
    const ny = parse(csv, { adjust: false }).series;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    expect(Array.from(ny.time, iso)).toEqual([
      '2024-03-08T14:30', '2024-03-08T20:59', // EST, UTC-5
      '2024-03-11T13:30', '2024-03-11T19:59', // EDT, UTC-4
      '2024-11-01T13:30', '2024-11-01T19:59', // EDT
      '2024-11-04T14:30', '2024-11-04T20:59', // EST
    ]);
    // the NYSE calendar (its own DST rules) agrees every bar is inside the regular session
    for (const t of ny.time) expect(isMarketOpen(t), iso(t)).toBe(true);
    // the zone comes from the option (config data.timezone); UTC keeps the wall time
    const utc = parse(csv, { adjust: false, timezone: 'UTC' }).series;
    expect(iso(utc.time[0])).toBe('2024-03-08T09:30');
    expect(isMarketOpen(utc.time[0])).toBe(false);
    const london = parse(csv, { adjust: false, timezone: 'Europe/London' }).series;
    expect(iso(london.time[0])).toBe('2024-03-08T09:30'); // GMT in March before the UK change
    expect(iso(london.time[6])).toBe('2024-11-04T09:30');
    expect(iso(london.time[4])).toBe('2024-11-01T09:30'); // GMT again after 27 October
  });

  it('keeps explicit zones as written and daily dates at midnight UTC', () => {
    const zoned = parse('Date,Open,High,Low,Close,Volume\n2024-03-11T13:30:00Z,1,1,1,1,1\n2024-03-11T13:31:00Z,1,1,1,1,1\n').series;
    expect(zoned.time[0]).toBe(Date.UTC(2024, 2, 11, 13, 30));
    const daily = parse('Date,Open,High,Low,Close,Volume\n2024-03-08,1,1,1,1,1\n2024-03-11,1,1,1,1,1\n').series;
    expect(Array.from(daily.time)).toEqual([Date.UTC(2024, 2, 8), Date.UTC(2024, 2, 11)]);
  });

  it('zonedToUtc: offsets from the tz database, DST gap and overlap resolved to the earlier offset', () => {
    expect(zonedToUtc(Date.UTC(2024, 0, 2, 9, 30), 'America/New_York')).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(zonedToUtc(Date.UTC(2024, 6, 2, 9, 30), 'America/New_York')).toBe(Date.UTC(2024, 6, 2, 13, 30));
    // 02:30 on 10 March 2024 does not exist in New York: read with EST, i.e. 03:30 EDT
    expect(zonedToUtc(Date.UTC(2024, 2, 10, 2, 30), 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 7, 30));
    // 01:30 on 3 November 2024 happens twice: the first (EDT) one
    expect(zonedToUtc(Date.UTC(2024, 10, 3, 1, 30), 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(zonedToUtc(Date.UTC(2024, 0, 2, 9, 0), 'Asia/Tokyo')).toBe(Date.UTC(2024, 0, 2, 0, 0));
    expect(zonedToUtc(Date.UTC(2024, 0, 2, 9, 0), 'UTC')).toBe(Date.UTC(2024, 0, 2, 9, 0));
  });

  it('parses timestamps strictly', () => {
    expect(parseTimestamp('2020-02-29')).toBe(Date.UTC(2020, 1, 29));
    expect(parseTimestamp('2021-02-29')).toBeNaN();
    expect(parseTimestamp('20200102')).toBe(Date.UTC(2020, 0, 2));
    expect(parseTimestamp('2020-01-02T09:30:00')).toBe(Date.UTC(2020, 0, 2, 9, 30));
  });
});
