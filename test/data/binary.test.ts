import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSeries, encodeSeries, loadCsvCached, loadCsvFile, syntheticMarket } from '../../lib/data/index.js';
import { fileURLToPath } from 'node:url';

const AAPL = fileURLToPath(new URL('../fixtures/AAPL-pooksoft.csv', import.meta.url));
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tsb-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('binary bar files', () => {
  it('round-trip every column bit for bit, with and without the optional columns', () => {
    const adj = loadCsvFile(AAPL).series; // has adjClose, dividends, splits
    const [syn] = syntheticMarket({ symbols: ['S'], start: '2020-01-01', end: '2020-06-30', seed: 3 });
    for (const s of [adj, syn]) {
      const back = decodeSeries(encodeSeries(s, { note: 'x' }));
      expect(back.meta).toEqual({ note: 'x' });
      expect({ ...back.series }).toEqual({ ...s });
    }
    // an odd Buffer offset is copied, not misread
    const buf = encodeSeries(adj);
    const shifted = Buffer.concat([Buffer.alloc(3), buf]).subarray(3);
    expect(Array.from(decodeSeries(shifted).series.close)).toEqual(Array.from(adj.close));
    expect(() => decodeSeries(buf.subarray(0, buf.length - 8), 'f.tsb')).toThrow(/f\.tsb.*truncated/);
    expect(() => decodeSeries(Buffer.from('nope, a csv'), 'f.tsb')).toThrow(/bad magic/);
  });

  it('loadCsvCached serves the binary copy and re-parses when the CSV or the options change', () => {
    const csv = join(dir, 'T.csv');
    const cache = join(dir, 'cache');
    writeFileSync(csv, 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,10,11,9,10,5,100\n2020-01-03,10,11,9,10.5,5.25,0\n');
    const a = loadCsvCached(csv, cache);
    expect(a.fromCache).toBe(false);
    const b = loadCsvCached(csv, cache);
    expect(b.fromCache).toBe(true);
    expect(Array.from(b.series.close)).toEqual([5, 5.25]);
    expect(b.issues).toEqual(a.issues);
    const raw = loadCsvCached(csv, cache, { adjust: false });
    expect(raw.fromCache).toBe(false);
    expect(Array.from(raw.series.close)).toEqual([10, 10.5]);
    writeFileSync(csv, 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,10,11,9,10,5,100\n2020-01-03,10,11,9,10.5,5.25,0\n2020-01-06,10,12,9,12,6,7\n');
    utimesSync(csv, new Date(), new Date(Date.now() + 5000));
    const c = loadCsvCached(csv, cache);
    expect(c.fromCache).toBe(false);
    expect(c.series.length).toBe(3);
    // a torn cache file is rebuilt, not trusted
    for (const f of readdirSync(cache)) writeFileSync(join(cache, f), 'TSB1garbage');
    const d = loadCsvCached(csv, cache);
    expect(d.fromCache).toBe(false);
    expect(d.series.length).toBe(3);
  });
});
