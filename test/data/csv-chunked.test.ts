/**
 * Large CSV files are read in pieces cut at line ends (a V8 string cannot exceed 512 MB). Reading a file in
 * tiny pieces must give exactly what parsing it whole gives: the same columns, issues and error lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../lib/core/errors.js';
import { loadCsvFileChunked, parseCsv, type CsvLoad } from '../../lib/data/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-chunked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function columns(l: CsvLoad): unknown {
  const s = l.series;
  return { n: s.length, interval: s.interval, cols: [s.time, s.open, s.high, s.low, s.close, s.volume].map((c) => Array.from(c)), issues: l.issues };
}

/** A minute file in New York wall time: CRLF endings, blank lines, a quoted row with a multi-byte name, a glitch. */
function minuteFile(rows: number): string {
  const out = ['\uFEFFDate,Open,High,Low,Close,Volume,Note'];
  let t = Date.UTC(2021, 2, 12, 9, 30); // across the March 2021 DST change
  for (let i = 0; i < rows; i++) {
    const d = new Date(t).toISOString();
    const o = (100 + Math.sin(i / 7) * 5).toFixed(4);
    const c = (100 + Math.sin((i + 1) / 7) * 5).toFixed(4);
    const hi = (i === 777 ? Math.min(+o, +c) - 0.05 : Math.max(+o, +c) + 0.1).toFixed(4); // row 777: high below open and close, repaired
    const note = i % 97 === 0 ? '"Zürich, €"' : '';
    out.push(`${d.slice(0, 10)} ${d.slice(11, 19)},${o},${hi},${(Math.min(+o, +c) - 0.1).toFixed(4)},${c},${1000 + i},${note}`);
    if (i % 250 === 0) out.push('');
    t += 60_000;
    if (new Date(t).getUTCHours() === 16) t += 17.5 * 3_600_000; // next session
  }
  return `${out.join('\r\n')}\r\n`;
}

describe('loadCsvFileChunked', () => {
  it('gives the same series and issues in pieces of 100, 1,000 and 65,536 bytes as whole', () => {
    const text = minuteFile(5_000);
    const path = write('AAA.csv', text);
    const whole = parseCsv(text, { symbol: 'AAA' }, path);
    expect(whole.series.length).toBe(5_000);
    expect(whole.issues.some((i) => i.field === 'high')).toBe(true);
    for (const chunk of [100, 1_000, 65_536, 1 << 26]) expect(columns(loadCsvFileChunked(path, {}, chunk))).toEqual(columns(whole));
  });

  it('grows its columns when later pieces hold more rows than the first suggested', () => {
    // long lines first (padded volume fields), then short ones: the first piece underestimates the row count
    const rows = ['Date,Open,High,Low,Close,Volume'];
    for (let i = 0; i < 3_000; i++) rows.push(`${new Date(Date.UTC(1990, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},1,2,0.5,1.5,${i < 200 ? '0'.repeat(400) + '7' : '7'}`);
    const text = rows.join('\n');
    const a = loadCsvFileChunked(write('BBB.csv', text), { adjust: false }, 4_096);
    expect(columns(a)).toEqual(columns(parseCsv(text, { symbol: 'BBB', adjust: false })));
    expect(a.series.length).toBe(3_000);
  });

  it('names the same file line for a bad row in a later piece, and reads a line longer than a piece', () => {
    const good = minuteFile(2_000).split('\r\n');
    good[1500] = good[1500].replace(/^\d{4}-\d{2}-\d{2}/, '2021-13-45');
    const path = write('CCC.csv', good.join('\r\n'));
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as DataError;
      }
      throw new Error('no error');
    };
    const whole = err(() => parseCsv(good.join('\r\n'), { symbol: 'CCC' }, path));
    expect(whole.row).toBe(1501); // good[0] is line 1
    expect(err(() => loadCsvFileChunked(path, {}, 300)).message).toBe(whole.message);

    const long = ['Date,Open,High,Low,Close,Volume', `2020-01-02,1,2,0.5,1.5,${'1'.padStart(5_000, '0')}`, '2020-01-03,1,2,0.5,1.5,9'].join('\n');
    const l = loadCsvFileChunked(write('DDD.csv', long), { adjust: false }, 256);
    expect(Array.from(l.series.volume)).toEqual([1, 9]);
  });

  it('says so for an empty file and for a header without rows', () => {
    expect(() => loadCsvFileChunked(write('E.csv', ''), {}, 64)).toThrow(/E\.csv: file is empty/);
    expect(() => loadCsvFileChunked(write('F.csv', 'Date,Open,High,Low,Close\n\n'), {}, 64)).toThrow(/F\.csv: no data rows/);
  });
});
