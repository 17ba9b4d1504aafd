import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataHash, dataRefFor, DataCache, DataMismatchError, loadDataRef } from '../../lib/sweep/data.js';
import { gridSize, MAX_CELLS_WITHOUT_YES, planJobs } from '../../lib/sweep/grid.js';
import { expandAxis, loadSweepSpec, parseSweepSpec } from '../../lib/sweep/spec.js';
import { smaSpec, writeCsvMarket } from './fixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-spec-'));
  writeCsvMarket(join(dir, 'data'), ['AAA', 'BBB']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const syn = { synthetic: { symbols: ['SYNA'] } };

describe('sweep spec', () => {
  it('expands values, lists and inclusive ranges (decimal steps without float noise)', () => {
    expect(expandAxis(5, 'x')).toEqual([5]);
    expect(expandAxis([1, 'a', true], 'x')).toEqual([1, 'a', true]);
    expect(expandAxis({ from: 5, to: 20, step: 5 }, 'x')).toEqual([5, 10, 15, 20]);
    expect(expandAxis({ from: 0.1, to: 0.3, step: 0.1 }, 'x')).toEqual([0.1, 0.2, 0.3]);
    expect(expandAxis({ from: 1, to: 3 }, 'x')).toEqual([1, 2, 3]);
  });

  it('fills every parameter with its default and resolves csv_dir against the file', () => {
    const path = join(dir, 'sweep.yaml');
    writeFileSync(path, 'data: { csv_dir: data }\nstrategy: sma-crossover\nparams: { fast: [5, 10] }\n');
    const s = loadSweepSpec(path);
    expect(s.name).toBe('sweep');
    expect(s.data).toEqual({ kind: 'csv', dir: join(dir, 'data'), symbols: null, adjust: true });
    expect(s.params).toEqual([{ name: 'fast', values: [5, 10] }, { name: 'slow', values: [30] }]);
    expect(s.costs.map((c) => [c.name, c.values])).toEqual([['commission_per_share', [0]], ['commission_percent', [0]], ['commission_minimum', [0]], ['slippage_bps', [0]]]);
    expect(s.metric).toBe('sharpe');
    expect(s.heatmap).toBeNull(); // one varying parameter
  });

  it('refuses an unknown parameter, naming the known ones', () => {
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fsat: [1, 2] } })).toThrow(
      'params.fsat: is not a parameter of sma-crossover; known: fast, slow',
    );
    expect(() => parseSweepSpec({ data: syn, strategy: 'buy-and-hold', params: { fast: 1 } })).toThrow('params.fast: is not a parameter of buy-and-hold; it takes none');
  });

  it('refuses unknown settings, unknown strategies and bad values with their path', () => {
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', costz: {} })).toThrow('costz: is not a known setting');
    expect(() => parseSweepSpec({ data: syn, strategy: 'rsi' })).toThrow('strategy: "rsi" is not a strategy a sweep can run; known: sma-crossover, buy-and-hold, ml-rf');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fast: [5, 0] } })).toThrow('params.fast[1]: 0 is below the minimum 1');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fast: 2.5 } })).toThrow('params.fast: 2.5 must be a whole number');
    expect(() => parseSweepSpec({ data: syn, strategy: 'ml-rf', params: { window: ['rolling', 'sliding'] } })).toThrow('params.window[1]: "sliding" is not one of rolling, expanding');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', costs: { slippage_bps: -1 } })).toThrow('costs.slippage_bps: -1 must be a number >= 0');
    expect(() => parseSweepSpec({ data: { ...syn, csv_dir: 'x' }, strategy: 'sma-crossover' })).toThrow('data: give either csv_dir or synthetic, not both');
    expect(() => parseSweepSpec({ data: {}, strategy: 'sma-crossover' })).toThrow('data: needs csv_dir');
    expect(() => parseSweepSpec({ data: syn, strategy: 'ml-rf', ml: { features: ['rsi_99'] } })).toThrow('ml.features[0]: "rsi_99" is not a feature');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', windows: [{ start: '2020-01-01', end: '2019-01-01' }] })).toThrow('windows[0]: start 2020-01-01 must be before end 2019-01-01');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', metric: 'luck' })).toThrow('metric: "luck" is not allowed; expected one of "sharpe"');
  });

  it('refuses an empty grid: an empty list, an empty range, or no valid cell', () => {
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fast: [] } })).toThrow('params.fast: is an empty list: the grid would be empty');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fast: { from: 10, to: 5 } } })).toThrow('params.fast: is an empty range: to (5) is below from (10)');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', universe: [] })).toThrow('universe: is an empty list');
    expect(() => parseSweepSpec({ data: syn, strategy: 'sma-crossover', windows: [] })).toThrow('windows: is an empty list');
    const spec = parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fast: [30, 40], slow: [10, 20] } });
    const ref = dataRefFor(spec.data);
    expect(() => planJobs(spec, ref, dataHash(ref), ['SYNA'])).toThrow('grid: is empty: every one of its 4 cells is invalid (4 with fast >= slow)');
  });
});

describe('grid and job ids', () => {
  it('enumerates universes x windows x costs x params, last parameter fastest, skipping invalid cells', () => {
    const spec = parseSweepSpec({
      data: { csv_dir: join(dir, 'data') },
      strategy: 'sma-crossover',
      params: { fast: [5, 20], slow: [10, 30] },
      universe: 'each',
      costs: { slippage_bps: [0, 5] },
    });
    const ref = dataRefFor(spec.data);
    const plan = planJobs(spec, ref, dataHash(ref), ['AAA', 'BBB']);
    expect(plan.size).toBe(2 * 2 * 2 * 2);
    expect(plan.skipped.get('fast >= slow')).toBe(4); // (20, 10) in each of 2 universes x 2 costs
    expect(plan.jobs).toHaveLength(12);
    expect(plan.jobs.slice(0, 4).map((j) => [j.symbols.join(), j.costs.slippage_bps, j.params.fast, j.params.slow])).toEqual([
      ['AAA', 0, 5, 10],
      ['AAA', 0, 5, 30],
      ['AAA', 0, 20, 30],
      ['AAA', 5, 5, 10],
    ]);
    expect(plan.jobs.map((j) => j.cell)).toEqual([...Array(12).keys()]);
    expect(new Set(plan.jobs.map((j) => j.id)).size).toBe(12);
  });

  it('job ids hash (data, settings, cell): stable when the grid grows, new when data or settings change', () => {
    const a = smaSpec(join(dir, 'data'));
    const ref = dataRefFor(a.data);
    const h = dataHash(ref);
    const ja = planJobs(a, ref, h, ['AAA', 'BBB']).jobs;
    expect(ja[0].id).toMatch(/^[0-9a-f]{16}$/);
    const wider = planJobs(smaSpec(join(dir, 'data'), { params: { fast: [2, 3, 5, 8], slow: [10, 20, 30] } }), ref, h, ['AAA', 'BBB']).jobs;
    const idOf = (jobs: typeof ja, f: number, s: number) => jobs.find((j) => j.params.fast === f && j.params.slow === s)!.id;
    expect(idOf(wider, 5, 20)).toBe(idOf(ja, 5, 20));
    expect(planJobs(a, ref, 'f'.repeat(64), ['AAA', 'BBB']).jobs[0].id).not.toBe(ja[0].id);
    const cash = planJobs(smaSpec(join(dir, 'data'), { execution: { cash: 5000 } }), ref, h, ['AAA', 'BBB']).jobs;
    expect(cash[0].id).not.toBe(ja[0].id);
  });

  it('counts the grid before building it and refuses over 1,000,000 cells without yes', () => {
    const big = parseSweepSpec({ data: syn, strategy: 'sma-crossover', params: { fast: { from: 1, to: 1001 }, slow: { from: 2, to: 1001 } } });
    expect(gridSize(big, 1)).toBe(1001 * 1000);
    const ref = dataRefFor(big.data);
    const t0 = performance.now();
    expect(() => planJobs(big, ref, dataHash(ref), ['SYNA'])).toThrow(`grid: has 1,001,000 cells, over 1,000,000: pass --yes to run it anyway`);
    expect(performance.now() - t0).toBeLessThan(1000); // refused before enumerating a million cells
    expect(MAX_CELLS_WITHOUT_YES).toBe(1_000_000);
  });
});

describe('data by reference', () => {
  it('hashes file contents, not paths; loads once per cache; refuses a changed file', () => {
    const src = join(dir, 'data');
    const copy = join(dir, 'copy');
    writeCsvMarket(copy, ['AAA', 'BBB']);
    const a = dataRefFor({ kind: 'csv', dir: src, symbols: null, adjust: true });
    const b = dataRefFor({ kind: 'csv', dir: copy, symbols: null, adjust: true });
    expect(a.kind === 'csv' && a.files.map((f) => f.symbol)).toEqual(['AAA', 'BBB']);
    expect(dataHash(a)).toBe(dataHash(b)); // same bytes elsewhere: same data
    expect(dataHash(dataRefFor({ kind: 'csv', dir: src, symbols: null, adjust: false }))).not.toBe(dataHash(a));

    const cache = new DataCache();
    const d1 = cache.get(a, dataHash(a));
    expect(cache.get(a, dataHash(a))).toBe(d1);
    expect(cache.loads).toBe(1);
    expect([...d1.series.keys()]).toEqual(['AAA', 'BBB']);

    // the worker's copy of one file differs by one byte: refused, naming the file
    appendFileSync(join(copy, 'BBB.csv'), '\n');
    expect(() => loadDataRef(a, copy)).toThrow(DataMismatchError);
    expect(() => loadDataRef(a, copy)).toThrow(/BBB\.csv has sha256 [0-9a-f]{12}… but the sweep expects [0-9a-f]{12}…: this machine's data differs/);
    expect(() => loadDataRef(a, join(dir, 'nowhere'))).toThrow('data file for AAA not found at');
    expect(() => dataRefFor({ kind: 'csv', dir: src, symbols: ['AAA', 'ZZZ'], adjust: true })).toThrow('data.symbols[1]: "ZZZ" has no file ZZZ.csv');
  });

  it('data.timezone reads zone-less intraday times as exchange-local, as config.yaml does; it is part of the data hash', () => {
    const min = join(dir, 'minutes');
    mkdirSync(min, { recursive: true });
    writeFileSync(join(min, 'MIN.csv'), ['Date,Open,High,Low,Close,Volume', '2024-07-01 09:30:00,1,1,1,1,1', '2024-07-01 09:31:00,1,1,1,1,1'].join('\n') + '\n');
    const ny = parseSweepSpec({ data: { csv_dir: min }, strategy: 'buy-and-hold' }).data;
    const london = parseSweepSpec({ data: { csv_dir: min, timezone: 'Europe/London' }, strategy: 'buy-and-hold' }).data;
    const first = (spec: typeof ny) => new Date(loadDataRef(dataRefFor(spec)).series.get('MIN')!.time[0]).toISOString();
    expect(first(ny)).toBe('2024-07-01T13:30:00.000Z'); // default America/New_York (EDT)
    expect(first(london)).toBe('2024-07-01T08:30:00.000Z'); // BST
    expect(dataHash(dataRefFor(london))).not.toBe(dataHash(dataRefFor(ny)));
    // a sweep without the setting keeps the hash it had before the setting existed
    const ref = dataRefFor(ny);
    expect(ref.kind === 'csv' && 'timezone' in ref).toBe(false);
    expect(() => parseSweepSpec({ data: { csv_dir: min, timezone: 'EST5' }, strategy: 'buy-and-hold' })).toThrow(/data\.timezone: "EST5" is not an IANA time zone/);
    expect(() => parseSweepSpec({ data: { synthetic: { symbols: ['SYNA'] }, timezone: 'UTC' }, strategy: 'buy-and-hold' })).toThrow(/data\.timezone: is for csv_dir files/);
  });
});
