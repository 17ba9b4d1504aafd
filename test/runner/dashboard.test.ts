/**
 * The dashboard in a real browser (headless Chromium through playwright-core): no console errors and no
 * request outside the runner; each tab shows what the API returns; a fill reaches the page within a second;
 * kill, resume and cancel work from the page; a wrong token gets a clear message. Screenshots of every tab
 * (laptop and phone) go to test-output/dashboard/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../../lib/metrics/index.js';
import { metricRows } from '../../lib/report/index.js';
import { assertChartsRendered, inspectPlotlyCharts, launchChromium, withoutChromium } from '../helpers/chromium.js';
import { startDashboardRunner, type DashboardRunner } from '../fixtures/dashboard-runner.js';


const OUT = join(process.cwd(), 'test-output', 'dashboard');
const TABS = ['portfolio', 'signals', 'orders', 'performance', 'risk', 'logs'] as const;
const money = (x: string | number | null) => (x === null ? '—' : new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(x)));
const pct = (x: number | null, dp = 2) => (x === null ? '—' : `${(x * 100).toFixed(dp)}%`);

interface Watched {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  /** Requests to anywhere but the runner (aborted). */
  readonly external: string[];
  /** Every URL the page asked the runner for. */
  readonly urls: string[];
}

let r: DashboardRunner;
let browser: Browser;

async function open(opts: { width?: number; height?: number; token?: string | null } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1366, height: opts.height ?? 900 } });
  const page = await context.newPage();
  const w: Watched = { page, consoleErrors: [], pageErrors: [], external: [], urls: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => w.pageErrors.push(e.message));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(`${r.server.url}/`) || /^(data|blob|about):/.test(u)) {
      w.urls.push(u);
      return route.continue();
    }
    w.external.push(u);
    return route.abort();
  });
  await page.goto(`${r.server.url}/`, { waitUntil: 'load' });
  if (opts.token !== null) {
    await page.fill('#login-token', opts.token ?? r.token);
    await page.click('#login-submit');
    await page.waitForSelector('#login', { state: 'hidden' });
    await page.waitForSelector('[data-testid="pf-equity"]');
  }
  return w;
}

async function tab(p: Page, name: (typeof TABS)[number], ready: string): Promise<void> {
  await p.click(`.tabs button[data-tab="${name}"]`);
  await p.waitForSelector(`#tab-${name} ${ready}`);
}

const text = async (p: Page, sel: string) => (await p.textContent(sel))?.trim() ?? '';

describe.skipIf(withoutChromium('the dashboard tests in headless Chromium'))('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    r = await startDashboardRunner({ bars: 60 });
    // A position, a resting bracket-less limit order to cancel, and a refused order for the Risk tab.
    await r.api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: '20', client_order_id: 'dash-buy-1' });
    await r.step(1);
    const held = ((await r.api('GET', '/api/positions')).json as Array<{ symbol: string }>)[0].symbol;
    // a take-profit far above the market: it only reduces the position, so the gate lets it rest
    const rest = await r.api('POST', '/api/orders', { symbol: held, side: 'sell', qty: '1', type: 'limit', limit_price: '100000', time_in_force: 'gtc', client_order_id: 'dash-rest-1' });
    if (rest.status !== 201) throw new Error(`resting order refused: ${JSON.stringify(rest.json)}`);
    await r.api('POST', '/api/orders', { symbol: 'SYNC', side: 'sell', qty: '1000000', client_order_id: 'dash-short-1' });
    await r.step(2);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await r?.close();
  });

  it('a wrong token gets a clear message, no data, and is not kept', async () => {
    const w = await open({ token: null });
    expect(await w.page.isVisible('#login')).toBe(true);
    await w.page.fill('#login-token', 'not-the-token');
    await w.page.click('#login-submit');
    await w.page.waitForSelector('#login-error:not(:empty)');
    expect(await text(w.page, '#login-error')).toMatch(/refused this token \(HTTP 401\).*TSTRADER_API_TOKEN.*state\/api-token/);
    expect(await w.page.isVisible('#login')).toBe(true);
    expect(await w.page.textContent('#pf-cards')).toBe('');
    expect(await w.page.evaluate('sessionStorage.getItem("tstrader.token")')).toBe(null);
    expect(w.external).toEqual([]);
    await w.page.context().close();
  });

  it('loads with no console error and no request outside the runner; the token stays out of URLs and out of localStorage', async () => {
    const w = await open();
    for (const t of TABS) await w.page.click(`.tabs button[data-tab="${t}"]`);
    await w.page.waitForSelector('#tab-logs [data-testid="logs"]');
    expect(w.external).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.urls.some((u) => u.endsWith('/assets/plotly.min.js'))).toBe(true);
    expect(w.urls.filter((u) => u.includes(r.token))).toEqual([]);
    expect(await w.page.evaluate('sessionStorage.getItem("tstrader.token")')).toBe(r.token);
    expect(await w.page.evaluate('localStorage.length')).toBe(0);
    // kept for the browser session: a reload does not ask again
    await w.page.reload({ waitUntil: 'load' });
    await w.page.waitForSelector('#tab-logs [data-testid="logs"]'); // and it stays on the tab it showed
    expect(await w.page.isVisible('#login')).toBe(false);
    await w.page.waitForSelector('#badge-conn.live');
    await w.page.context().close();
  });

  it('each tab shows the values the API returns (screenshots in test-output/dashboard)', async () => {
    for (const [width, height, prefix] of [[1366, 900, ''], [390, 844, 'phone-']] as const) {
      const w = await open({ width, height });
      const p = w.page;

      const pf = (await r.api('GET', '/api/portfolio')).json;
      expect(await text(p, '[data-testid="pf-equity"]')).toBe(money(pf.equity));
      expect(await text(p, '[data-testid="pf-cash"]')).toBe(money(pf.cash));
      expect(await text(p, '#hdr-equity')).toBe(money(pf.equity));
      const gross = pf.positions.reduce((a: number, x: { marketValue: string }) => a + Math.abs(Number(x.marketValue)), 0);
      expect(await text(p, '[data-testid="pf-exposure"]')).toBe(pct(gross / Number(pf.equity), 1));
      const syms = await p.$$eval('[data-testid="positions"] tbody tr', (rows) => rows.map((x) => x.getAttribute('data-symbol')));
      expect(syms.sort()).toEqual(pf.positions.map((x: { symbol: string }) => x.symbol).sort());
      expect(pf.positions.length).toBeGreaterThan(0);
      const risk = (await r.api('GET', '/api/risk')).json;
      expect(await text(p, '[data-testid="limit-used"]')).toContain(pct(risk.today.limitUsed, 0));
      await p.screenshot({ path: join(OUT, `${prefix}portfolio.png`), fullPage: true });

      const signals = (await r.api('GET', '/api/signals?limit=500')).json as Array<{ value: number }>;
      await tab(p, 'signals', '[data-testid="signals"]');
      expect(await text(p, '[data-testid="sig-count"]')).toBe(String(signals.length));
      expect(await text(p, '[data-testid="sig-buys"]')).toBe(String(signals.filter((s) => s.value > 0).length));
      expect(await p.$$eval('[data-testid="signals"] tbody tr', (rows) => rows.length)).toBe(Math.min(200, signals.length));
      assertChartsRendered(await inspectPlotlyCharts(p, 1), { 'chart-sig-conf': 'bar' });
      await p.screenshot({ path: join(OUT, `${prefix}signals.png`), fullPage: true });

      const orders = (await r.api('GET', '/api/orders?limit=500')).json as Array<{ clientOrderId: string; brokerId: string | null; status: string; parentId?: string | null }>;
      const fills = (await r.api('GET', '/api/fills?limit=200')).json as Array<{ id: string }>;
      await tab(p, 'orders', '[data-testid="fills"]');
      const isOpen = (o: { status: string }) => ['new', 'accepted', 'partially_filled', 'pending_submit', 'unknown'].includes(o.status);
      const parentOf = (o: { parentId?: string | null }) => orders.find((x) => o.parentId && (x.clientOrderId === o.parentId || x.brokerId === o.parentId));
      // bracket legs of an open entry are shown beneath it, not as rows of their own
      const openIds = orders.filter((o) => isOpen(o) && !(parentOf(o) && isOpen(parentOf(o)!))).map((o) => o.clientOrderId);
      expect(openIds).toContain('dash-rest-1');
      expect((await p.$$eval('[data-testid="open-orders"] tbody tr[data-order]', (rows) => rows.map((x) => x.getAttribute('data-order')))).sort()).toEqual(openIds.sort());
      expect(await p.$$eval('[data-testid="fills"] tbody tr', (rows) => rows.map((x) => x.getAttribute('data-fill-id')))).toEqual(fills.map((f) => f.id).reverse());
      await p.screenshot({ path: join(OUT, `${prefix}orders.png`), fullPage: true });

      const perf = (await r.api('GET', '/api/performance')).json;
      await tab(p, 'performance', '[data-testid="metrics"]');
      expect(await text(p, '[data-testid="perf-total-return"]')).toBe(pct(perf.metrics.totalReturn));
      expect(await text(p, '[data-testid="perf-max-dd"]')).toBe(pct(perf.metrics.maxDrawdown));
      expect(await text(p, '[data-metric="sharpe"] td:nth-child(2)')).toBe(perf.metrics.sharpe.toFixed(2));
      expect(await text(p, '[data-metric="endEquity"] td:nth-child(3)')).toBe(money(perf.benchmarkMetrics.endEquity));
      // the same metrics, labels and formatting as the HTML report (lib/report), strategy and benchmark
      const asMetrics = (j: Record<string, number | string | null>) => Object.fromEntries(Object.entries(j).map(([k, v]) => [k, v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v])) as unknown as Metrics;
      const reportRows = metricRows(asMetrics(perf.metrics), asMetrics(perf.benchmarkMetrics)).filter((x) => !['Exposure', 'Turnover'].includes(x.label));
      const shown = await p.$$eval('[data-testid="metrics"] tbody tr', (rows) => rows.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => ((td as { textContent: string | null }).textContent ?? '').trim())));
      expect(shown).toEqual(reportRows.map((x) => [x.label, x.strategy, x.benchmark ?? '']));
      const charts = await inspectPlotlyCharts(p, 2);
      assertChartsRendered(charts.filter((c) => c.id.startsWith('chart-perf')), { 'chart-perf-equity': 'scatter', 'chart-perf-dd': 'scatter' });
      expect(charts.find((c) => c.id === 'chart-perf-equity')?.scatterTraces).toBe(2); // strategy and benchmark
      await p.screenshot({ path: join(OUT, `${prefix}performance.png`), fullPage: true });

      const rk = (await r.api('GET', '/api/risk?limit=200')).json;
      await tab(p, 'risk', '[data-testid="decisions"]');
      expect(await text(p, '[data-testid="kill-state"]')).toBe('Trading');
      expect(await p.textContent('[data-testid="limits"]')).toContain('5.0% of equity');
      expect(await p.$$eval('[data-testid="decisions"] tbody tr', (rows) => rows.length)).toBe(rk.decisions.length);
      expect(await p.textContent('[data-testid="decisions"]')).toContain('short_disabled');
      expect(await p.textContent('#risk-config')).toContain('max_position_size');
      expect(await p.textContent('[data-testid="environment"]')).toContain('TSTRADER_API_TOKEN');
      expect(await p.textContent('body')).not.toContain(r.token);
      await p.screenshot({ path: join(OUT, `${prefix}risk.png`), fullPage: true });

      const logs = (await r.api('GET', '/api/logs?limit=500&level=info')).json;
      await tab(p, 'logs', '[data-testid="logs"]');
      expect(await p.$$eval('[data-testid="logs"] tbody tr', (rows) => rows.length)).toBe(logs.lines.length);
      await p.selectOption('#log-level', 'warn');
      const warn = (await r.api('GET', '/api/logs?limit=500&level=warn')).json;
      await p.waitForSelector('#log-table tbody tr[data-level="info"]', { state: 'detached' });
      expect(await p.$$eval('#log-table tbody tr', (rows) => rows.filter((x) => x.getAttribute('data-level')).length)).toBe(warn.lines.length);
      await p.selectOption('#log-level', 'info');
      await p.waitForSelector('#log-table tbody tr[data-level="info"]');
      await p.screenshot({ path: join(OUT, `${prefix}logs.png`), fullPage: true });

      expect(w.consoleErrors).toEqual([]);
      expect(w.external).toEqual([]);
      await p.context().close();
    }
  });

  it('a fill in the replay appears on the page within one second', async () => {
    const w = await open();
    await tab(w.page, 'orders', '[data-testid="fills"]');
    await w.page.waitForSelector('#badge-conn.live');
    const fillAt = new Map<string, number>();
    const off = r.runner.control.subscribe((e) => {
      if (e.type === 'fill') fillAt.set((e.data as { id: string }).id, Date.now());
    });
    await r.api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: '3', client_order_id: 'dash-live-1' });
    for (let i = 0; i < 5 && fillAt.size === 0; i++) await r.step(1);
    off();
    expect(fillAt.size).toBeGreaterThan(0);
    for (const [id, at] of fillAt) {
      await w.page.waitForSelector(`#ord-fills tr[data-fill-id="${id}"]`, { timeout: Math.max(1, 1000 - (Date.now() - at)) });
      expect(Date.now() - at).toBeLessThan(1000);
    }
    expect(w.consoleErrors).toEqual([]);
    await w.page.context().close();
  });

  it('kill and resume work from the page, each after a confirmation; cancelling the dialog changes nothing', async () => {
    const w = await open();
    const p = w.page;
    await tab(p, 'risk', '#btn-kill');
    await p.click('#btn-kill');
    expect(await p.isVisible('#confirm')).toBe(true);
    await p.click('#confirm-cancel');
    expect((await r.api('GET', '/api/status')).json.killSwitch.active).toBe(false);

    await p.click('#btn-kill');
    await p.fill('#confirm-input', 'checking the dashboard');
    await p.click('#confirm-ok');
    await p.waitForSelector('#btn-resume');
    const killed = (await r.api('GET', '/api/status')).json.killSwitch;
    expect(killed).toMatchObject({ active: true, kind: 'manual', reason: 'checking the dashboard' });
    expect(await text(p, '[data-testid="kill-state"]')).toBe('KILLED (manual)');
    expect(await text(p, '#badge-kill')).toMatch(/kill switch/i);
    await p.screenshot({ path: join(OUT, 'risk-killed.png'), fullPage: true });
    expect((await r.api('POST', '/api/orders', { symbol: 'SYNB', side: 'buy', qty: '1' })).status).toBe(403);

    await p.click('#btn-resume');
    await p.click('#confirm-ok');
    await p.waitForSelector('#btn-kill');
    expect((await r.api('GET', '/api/status')).json.killSwitch.active).toBe(false);
    expect(await text(p, '#badge-kill')).toBe('trading');
    expect(w.consoleErrors).toEqual([]);
    await p.context().close();
  });

  it('the API docs page works offline, and "Try it out" sends the token the dashboard stored for this tab', async () => {
    const w = await open(); // signs in on the dashboard: the token is in this tab's sessionStorage
    const p = w.page;
    await p.goto(`${r.server.url}/api/docs`, { waitUntil: 'load' });
    await p.waitForSelector('#operations-system-getApiStatus');
    expect(await p.$$eval('.opblock', (x) => x.length)).toBe(Object.values((await r.api('GET', '/api/openapi.json')).json.paths as Record<string, object>).reduce((a, ops) => a + Object.keys(ops).length, 0));
    await p.click('#operations-system-getApiStatus .opblock-summary');
    await p.click('#operations-system-getApiStatus button.try-out__btn');
    await p.click('#operations-system-getApiStatus button.execute');
    await p.waitForSelector('#operations-system-getApiStatus .live-responses-table tbody .response-col_status');
    expect(await text(p, '#operations-system-getApiStatus .live-responses-table tbody .response-col_status')).toBe('200');
    expect(w.external).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await p.screenshot({ path: join(OUT, 'api-docs.png') });
    await p.context().close();
  });

  it('the log download button saves the log file', async () => {
    const w = await open();
    await tab(w.page, 'logs', '[data-testid="logs"]');
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#log-download')]);
    expect(download.suggestedFilename()).toBe('runner.log');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(JSON.parse(lines[0]).app).toBe('tstrader-runner');
    expect(w.consoleErrors).toEqual([]);
    await w.page.context().close();
  });

  it('the cancel button cancels an open order after a confirmation', async () => {
    const w = await open();
    const p = w.page;
    const held = ((await r.api('GET', '/api/positions')).json as Array<{ symbol: string }>)[0].symbol;
    const placed = await r.api('POST', '/api/orders', { symbol: held, side: 'sell', qty: '1', type: 'limit', limit_price: '100000', time_in_force: 'gtc', client_order_id: 'dash-cancel-1' });
    expect(placed.status, JSON.stringify(placed.json)).toBe(201);
    await tab(p, 'orders', 'tr[data-order="dash-cancel-1"]');
    await p.click('button[data-cancel="dash-cancel-1"]');
    await p.click('#confirm-ok');
    await p.waitForSelector('tr[data-order="dash-cancel-1"]', { state: 'detached' });
    const o = ((await r.api('GET', '/api/orders')).json as Array<{ clientOrderId: string; status: string }>).find((x) => x.clientOrderId === 'dash-cancel-1');
    expect(o?.status).toBe('canceled');
    expect(w.consoleErrors).toEqual([]);
    await p.context().close();
  });
});
