import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflatedSharpeFromReturns, probabilityOfBacktestOverfitting, returnMoments } from '../../lib/metrics/overfitting.js';
import { cscvBlocks, overfittingForGroups, trialGroups } from '../../lib/sweep/overfit.js';
import { rangeColor } from '../../lib/report/index.js';
import { bestRow, heatmapGrid, renderSweepReport } from '../../lib/sweep/report.js';
import { ResultStore } from '../../lib/sweep/results.js';
import { runSweep, type SweepOutcome } from '../../lib/sweep/run.js';
import type { ResultRow } from '../../lib/sweep/results.js';
import { assertChartsRendered, assertCleanOffline, inspectPlotlyCharts, launchChromium, openOffline, withoutChromium } from '../helpers/chromium.js';
import { smaSpec, writeCsvMarket } from './fixture.js';

let dir: string;
let run: SweepOutcome;
let store: ResultStore;
const spec = () => smaSpec(join(dir, 'data'), { name: 'report <b>test</b>', universe: 'each', costs: { slippage_bps: [0, 20] } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-report-'));
  writeCsvMarket(join(dir, 'data'), ['AAA', 'BBB'], { start: '2012-01-01', end: '2021-12-31' });
  run = await runSweep({ spec: spec(), out: join(dir, 'out'), workers: 2, progress: 'none', log: () => undefined });
  store = new ResultStore(join(dir, 'out'), spec());
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sweep report: numbers', () => {
  it('heatmap cells are the median over the other axes; best row ignores missing values', () => {
    const rows: ResultRow[] = [
      { cell: 0, a: 1, b: 'x', m: 1 },
      { cell: 1, a: 1, b: 'x', m: 3 },
      { cell: 2, a: 1, b: 'x', m: 8 },
      { cell: 3, a: 2, b: 'x', m: null },
      { cell: 4, a: 2, b: 'y', m: -1 },
      { cell: 5, a: 10, b: 'y', m: 2 },
      { cell: 6, a: 10, b: 'y', m: 4 },
    ];
    expect(heatmapGrid(rows, 'a', 'b', 'm')).toEqual({
      x: [1, 2, 10], // numeric order, not text order
      y: ['x', 'y'],
      z: [
        [3, null, null],
        [null, -1, 3],
      ],
    });
    expect(bestRow(rows, 'm')?.cell).toBe(2);
    expect(bestRow([{ m: null }], 'm')).toBeNull();
  });

  it('an axis with more values than fit is cut into runs of neighbouring values, each square the median over its run', () => {
    // a = 1..10 (10 values) into 3 runs: 1-3, 4-6, 7-10; m = a * 10 + b
    const rows: ResultRow[] = [];
    for (let a = 1; a <= 10; a++) for (const b of [1, 2]) rows.push({ cell: rows.length, a, b, m: a * 10 + b });
    expect(heatmapGrid(rows, 'a', 'b', 'm', 3)).toEqual({
      x: ['1–3', '4–6', '7–10'],
      y: [1, 2],
      z: [
        [21, 51, 86], // medians of {11,21,31}, {41,51,61}, {71,81,91,101}
        [22, 52, 87],
      ],
    });
    expect(heatmapGrid(rows, 'a', 'b', 'm', 10).x).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // fits: untouched
  });

  it('the heatmap table: the longer axis down the rows, colours stretched over the values, the best cell outlined', () => {
    // 12 fast x 3 slow: fast (the longer axis) runs down the rows; sharpe 0.5..0.8, best at fast=7, slow=40
    const rows: ResultRow[] = [];
    for (let fast = 1; fast <= 12; fast++) for (const slow of [20, 40, 60]) rows.push({ cell: rows.length, fast, slow, sharpe: fast === 7 && slow === 40 ? 0.8 : 0.5 + fast / 100 });
    const best = bestRow(rows, 'sharpe')!;
    const s = spec();
    const html = renderSweepReport({
      spec: { ...s, params: [{ name: 'fast', values: [...Array(12).keys()].map((i) => i + 1) }, { name: 'slow', values: [20, 40, 60] }], heatmap: ['fast', 'slow'] },
      jobs: [],
      store: { rows: () => rows, scanReturns: () => undefined, columns: ['cell', 'fast', 'slow', 'sharpe'] },
      dataHash: '0'.repeat(64),
    });
    const panel = html.slice(html.indexOf('<div class="heatmap-panel" data-metric="sharpe"'), html.indexOf('</div>', html.indexOf('data-metric="sharpe"')));
    expect(panel).toContain('<caption>sharpe, median over other axes: columns slow, rows fast</caption>');
    expect([...panel.matchAll(/<thead><tr><th><\/th>(.*?)<\/tr>/g)][0][1]).toBe('<th>20</th><th>40</th><th>60</th>');
    expect([...panel.matchAll(/<tr><th>(\d+)<\/th>/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // min 0.51 is the lightest tint, max 0.80 (the best cell, outlined) the darkest green
    expect(panel).toContain(`<td class="hm" style="background:${rangeColor(0.51, 0.51, 0.8).bg};color:#222222">0.51</td>`);
    expect(panel).toContain(`<td class="hm hm-mark" style="background:#1b7a3e;color:#ffffff" title="best cell: slow=40, fast=7">0.80</td>`);
    expect(best.fast).toBe(7);
    expect(panel).toContain('outlined: the best cell');
  });

  it('CSCV blocks: 16 with >= 20 periods each, fewer for short series, none below 40 periods', () => {
    expect(cscvBlocks(5000)).toBe(16);
    expect(cscvBlocks(319)).toBe(14);
    expect(cscvBlocks(40)).toBe(2);
    expect(cscvBlocks(39)).toBeNull();
  });

  it('overfitting per timeline group = lib/metrics on the stored returns (trials = cells in the group)', () => {
    const groups = trialGroups(run.jobs);
    expect(groups.map((g) => [g.symbols, g.jobs.length])).toEqual([
      ['AAA', 18],
      ['BBB', 18],
    ]);
    const stored = new Map<string, Float32Array>();
    store.scanReturns(new Set(run.jobs.map((j) => j.id)), (id, r) => stored.set(id, r));
    expect(stored.size).toBe(36);
    const o = overfittingForGroups(run.jobs, run.rows, (ids, fn) => store.scanReturns(ids, fn), 252);
    expect(o.groups).toHaveLength(2);
    for (const [k, g] of groups.entries()) {
      const rs = g.jobs.map((j) => stored.get(j.id)!);
      const sharpes = rs.map((r) => returnMoments(r).sharpe);
      const best = sharpes.indexOf(Math.max(...sharpes.filter(Number.isFinite)));
      const dsr = deflatedSharpeFromReturns(rs[best], sharpes.filter(Number.isFinite), { trials: 18 });
      const pbo = probabilityOfBacktestOverfitting(rs, { blocks: 16 });
      const got = o.groups![k];
      expect(got.trials).toBe(18);
      expect(got.deflatedSharpe).toBe(dsr.dsr);
      expect(got.pbo).toBe(pbo.pbo);
      expect(got.splits).toBe(12_870);
      expect(got.bestSharpeAnnual).toBeCloseTo(sharpes[best] * Math.sqrt(252), 12);
      expect(got.bestLabel).toBe(`fast=${g.jobs[best].params.fast} slow=${g.jobs[best].params.slow}`);
    }
    expect(o.logits?.values).toHaveLength(12_870);
    expect(o.reason).toBeNull();
    // over the memory budget: returns are streamed, the DSR is the same, PBO is left out and said so
    const streamed = overfittingForGroups(run.jobs, run.rows, (ids, fn) => store.scanReturns(ids, fn), 252, { budget: 100 });
    streamed.groups!.forEach((g, i) => expect(g.deflatedSharpe).toBeCloseTo(o.groups![i].deflatedSharpe!, 12)); // trials summed in file order
    expect(streamed.groups!.map((g) => g.bestLabel)).toEqual(o.groups!.map((g) => g.bestLabel));
    expect(streamed.groups!.every((g) => g.pbo === null)).toBe(true);
    expect(streamed.reason).toContain('PBO left out for AAA all: 18 trials are too many to hold in memory');
  });

  it('renders deterministically, escapes text, inlines Plotly once, lists rows best first', () => {
    const input = { spec: spec(), jobs: run.jobs, store, dataHash: run.dataHash };
    const html = renderSweepReport(input);
    expect(renderSweepReport(input)).toBe(html);
    expect(html.split('plotly.js (finance - minified) v').length - 1).toBe(1);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('Sweep: report &lt;b&gt;test&lt;/b&gt; (sma-crossover)');
    expect(html).not.toContain('<b>test</b>');
    const best = bestRow(run.rows, 'sharpe')!;
    const firstRow = /<tbody>\n<tr><td data-v="([0-9a-f]{16})"/.exec(html.slice(html.indexOf('id="results"')));
    expect(firstRow?.[1]).toBe(best.job_id);
    expect(html).toContain('<table id="overfitting">');
    expect(renderSweepReport({ ...input, maxRows: 5 })).toContain('Showing the best 5 of 36 cells by sharpe');
  });
});

describe.skipIf(withoutChromium('the sweep report test in headless Chromium'))('sweep report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws the heatmap, the Sharpe distribution and the CSCV logits offline; the table sorts; the heatmap follows the metric', async () => {
    const p = await openOffline(browser, pathToFileURL(run.reportPath!).href);
    try {
      const charts = await inspectPlotlyCharts(p.page, 2);
      assertChartsRendered(charts, { 'chart-sharpe': 'bar', 'chart-pbo': 'bar' });
      const visibleCaption = `Array.from(document.querySelectorAll('.heatmap-panel')).filter(function (d) { return !d.hidden; }).map(function (d) { return d.querySelector('caption').textContent; })`;
      expect(await p.page.evaluate(visibleCaption)).toEqual([expect.stringMatching(/^sharpe, median over other axes/)]);
      const col = (name: string) => `Array.from(document.querySelectorAll('#results tbody tr')).map(function (r) { return r.cells[Array.from(document.querySelectorAll('#results th')).findIndex(function (h) { return h.textContent === '${name}'; })].getAttribute('data-v'); })`;
      const sharpeIdx = `Array.from(document.querySelectorAll('#results th')).findIndex(function (h) { return h.getAttribute('data-col') === 'sharpe'; })`;
      const idx = (await p.page.evaluate(sharpeIdx)) as number;
      const header = p.page.locator('#results th').nth(idx);
      await header.click(); // first click: descending
      let v = ((await p.page.evaluate(col('sharpe'))) as string[]).filter((x) => x !== '').map(Number);
      expect(v).toEqual([...v].sort((a, b) => b - a));
      await header.click(); // second: ascending
      v = ((await p.page.evaluate(col('sharpe'))) as string[]).filter((x) => x !== '').map(Number);
      expect(v).toEqual([...v].sort((a, b) => a - b));
      expect(v).toHaveLength(36);
      await p.page.locator('#results th').nth(1).click(); // the cell column sorts numerically, not as text
      const cells = ((await p.page.evaluate(col('cell'))) as string[]).map(Number);
      expect(cells.slice(0, 12)).toEqual([35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24]);
      await p.page.selectOption('#heatmap-metric', '1');
      expect(await p.page.evaluate(visibleCaption)).toEqual([expect.stringMatching(/^total_return \(%\), median over other axes/)]);
      assertCleanOffline(p);
    } finally {
      await p.page.close();
    }
  });
});
