/** The CSV loader's fast number/date path must give exactly Number() and Date.UTC (it replaced them for speed). */
import { describe, expect, it } from 'vitest';
import { parseCsv, parseTimestamp } from '../../lib/data/csv.js';

function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('CSV fast path', () => {
  it('reads prices exactly as Number() would, for short, long, padded and odd decimal forms', () => {
    const r = rng(12345);
    const forms = (v: number): string[] => [v.toFixed(2), v.toFixed(6), String(v), v.toPrecision(17), `00${v.toFixed(3)}`, v.toExponential(5), ` ${v.toFixed(4)}`, `${Math.round(v)}.`, `.${String(v).replace('.', '')}`];
    const rows: string[] = ['Date,Open,High,Low,Close,Volume'];
    const want: number[] = [];
    let day = Date.UTC(1901, 0, 1);
    for (let i = 0; i < 3000; i++) {
      const v = 1 + r() * 10 ** Math.floor(r() * 9);
      for (const f of forms(v)) {
        const d = new Date(day).toISOString().slice(0, 10);
        day += 86_400_000;
        // open = close = the value; high/low bracket it generously
        rows.push(`${d},${f},${Number(f) * 2},${Number(f) / 2},${f},${Math.floor(r() * 1e6)}`);
        want.push(Number(f));
      }
    }
    const s = parseCsv(rows.join('\n'), { symbol: 'X', adjust: false, policy: { unsorted: 'error', duplicates: 'error', badPrice: 'error', ohlcInconsistent: 'error', zeroVolumeRun: 0, maxGapDays: 0 } }).series;
    expect(s.length).toBe(want.length);
    let diff = 0;
    for (let i = 0; i < want.length; i++) if (!Object.is(s.open[i], want[i]) || !Object.is(s.close[i], want[i])) diff++;
    expect(diff).toBe(0);
    // the dates span leap years and centuries (1900 not leap, 2000 leap)
    expect(s.time[0]).toBe(Date.UTC(1901, 0, 1));
    expect(s.time[s.length - 1]).toBe(Date.UTC(1901, 0, 1) + (want.length - 1) * 86_400_000);
  });

  it('reads dates and date-times exactly as parseTimestamp, and names the row of a bad date', () => {
    const r = rng(99);
    const texts: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = Date.UTC(1800, 0, 1) + Math.floor(r() * 400 * 365.25) * 86_400_000 + Math.floor(r() * 86_400) * 1000;
      const iso = new Date(t).toISOString();
      texts.push(i % 3 === 0 ? iso.slice(0, 10) : i % 3 === 1 ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : `${iso.slice(0, 10)}T${iso.slice(11, 16)}`);
    }
    texts.sort();
    const uniq = [...new Set(texts)];
    const csv = ['Date,Open,High,Low,Close,Volume', ...uniq.map((d) => `${d},1,1,1,1,1`)].join('\n');
    const s = parseCsv(csv, { symbol: 'X', adjust: false, interval: '1m', timezone: 'UTC' }).series;
    expect(Array.from(s.time)).toEqual(uniq.map(parseTimestamp).sort((a, b) => a - b));
    // In an exchange zone the fast path, the quoted-field path and the general parser (YYYYMMDD) convert alike.
    const ny = (text: string) => Array.from(parseCsv(text, { symbol: 'X', adjust: false, interval: '1m', timezone: 'America/New_York' }).series.time);
    const plain = ny(csv);
    expect(ny(['Date,Open,High,Low,Close,Volume', ...uniq.map((d) => `"${d}",1,1,1,1,1`)].join('\n'))).toEqual(plain);
    expect(ny(['Date,Open,High,Low,Close,Volume', ...uniq.map((d) => `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8)},1,1,1,1,1`)].join('\n'))).toEqual(plain);
    // 2021-07-01 09:30 New York (EDT, UTC-4) is 13:30 UTC
    expect(ny('Date,Open,High,Low,Close,Volume\n2021-07-01 09:30:00,1,1,1,1,1\n2021-07-01 09:31:00,1,1,1,1,1')[0]).toBe(Date.UTC(2021, 6, 1, 13, 30));
    expect(() => parseCsv('Date,Open,High,Low,Close,Volume\n2021-01-04,1,1,1,1,1\n2021-02-29,1,1,1,1,1\n', { symbol: 'X' })).toThrow(/:3 \[date\].*2021-02-29/);
  });
});
