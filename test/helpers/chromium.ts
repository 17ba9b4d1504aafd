/**
 * Headless Chromium for tests of HTML output (the backtest report, exported notebooks): launch it offline,
 * open a page with every non-local request blocked and recorded, and check that Plotly charts really drew.
 * Uses Debian's /usr/bin/chromium (CHROMIUM_PATH overrides); playwright launches it with a fresh temporary
 * user-data-dir that it deletes on close.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
] as const;

function chromiumAvailable(path: string = CHROMIUM_PATH): boolean {
  return existsSync(path);
}

const INSTALL_HINT = 'apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH)';
let warned = false;

/**
 * For `describe.skipIf(withoutChromium('...'))`: true (skip) when there is no Chromium, after one loud line
 * naming what to install, so `npm test` passes on a fresh machine. Under CI (CI=true, set by .ci/run, which
 * installs Chromium) it returns false instead: the suite runs and fails on the missing browser.
 */
export function withoutChromium(what: string, path: string = CHROMIUM_PATH, env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): boolean {
  if (chromiumAvailable(path)) return false;
  if (env.CI === 'true' || env.CI === '1') return false;
  if (!warned) warn(`SKIPPED ${what}: Chromium not found at ${path}. Install it: ${INSTALL_HINT}. (CI=true makes this a failure.)`);
  warned = true;
  return true;
}

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(`chromium not found at ${CHROMIUM_PATH}: ${INSTALL_HINT}`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

export interface OfflinePage {
  readonly page: Page;
  /** Uncaught exceptions in the page. */
  readonly pageErrors: string[];
  /** console.error messages. */
  readonly consoleErrors: string[];
  /** Every request that was not file:, data:, blob: or about: (all of them aborted). */
  readonly blockedRequests: string[];
}

/** Open a URL (e.g. pathToFileURL(file).href) with the network cut off; requests to it are recorded. */
export async function openOffline(browser: Browser, url: string, opts: { width?: number; height?: number } = {}): Promise<OfflinePage> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const blockedRequests: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (/^(file|data|blob|about):/.test(u)) return route.continue();
    blockedRequests.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, pageErrors, consoleErrors, blockedRequests };
}

/** What a Plotly chart element actually drew. */
export interface ChartInfo {
  readonly id: string;
  readonly hasSvg: boolean;
  /** Scatter/line traces with a drawn path or points. */
  readonly scatterTraces: number;
  /** Candlestick/box traces and their drawn boxes (one path per candle). */
  readonly candleBoxes: number;
  /** Heatmap images (Plotly paints a heatmap's cells into one <image>) and their pixel width. */
  readonly heatmaps: number;
  readonly barTraces: number;
  /** All drawn trace groups of any kind. */
  readonly traces: number;
}

/** Wait until every `.js-plotly-plot` (at least `min`) has its SVG, then describe each one. */
export async function inspectPlotlyCharts(page: Page, min = 1, timeoutMs = 15_000): Promise<ChartInfo[]> {
  const ready = `(function () { var cs = Array.from(document.querySelectorAll('.js-plotly-plot'));
    return cs.length >= ${Math.floor(min)} && cs.every(function (c) { return c.querySelector('.main-svg') !== null; }); })()`;
  await page.waitForFunction(ready, undefined, { timeout: timeoutMs });
  return (await page.evaluate(INSPECT_SCRIPT)) as ChartInfo[];
}

// Runs in the page. A string, not a function: tsx/esbuild would wrap inner functions in a `__name` helper
// that does not exist in the browser.
const INSPECT_SCRIPT = `Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (c) {
  function count(sel) { return c.querySelectorAll(sel).length; }
  var scatter = Array.from(c.querySelectorAll('.scatterlayer .trace')).filter(function (t) {
    return t.querySelector('path.js-line[d]:not([d=""])') !== null || t.querySelector('.point') !== null;
  }).length;
  return {
    id: c.id,
    hasSvg: c.querySelector('.main-svg') !== null,
    scatterTraces: scatter,
    candleBoxes: count('.boxlayer .trace path.box'),
    heatmaps: count('.heatmaplayer .hm image'),
    barTraces: count('.barlayer .trace'),
    traces: count('.scatterlayer .trace, .barlayer .trace, .boxlayer .trace, .heatmaplayer .hm, .ohlclayer .trace'),
  };
})`;

export type ChartExpectation = 'scatter' | 'candlestick' | 'heatmap' | 'bar' | 'any';

/**
 * Throw a message naming the chart unless each chart drew something: every chart needs an SVG and a trace;
 * charts named in `expect` must have the given kind (candlestick: at least `minCandles` boxes).
 */
export function assertChartsRendered(
  charts: readonly ChartInfo[],
  expect: Readonly<Record<string, ChartExpectation>> = {},
  opts: { minCandles?: number } = {},
): void {
  const problems: string[] = [];
  if (charts.length === 0) problems.push('no .js-plotly-plot element');
  for (const c of charts) {
    if (!c.hasSvg) problems.push(`${c.id || '(no id)'}: no .main-svg`);
    if (c.traces === 0) problems.push(`${c.id || '(no id)'}: no drawn trace`);
  }
  for (const [id, kind] of Object.entries(expect)) {
    const c = charts.find((x) => x.id === id);
    if (!c) {
      problems.push(`${id}: chart missing (have ${charts.map((x) => x.id).join(', ')})`);
      continue;
    }
    if (kind === 'scatter' && c.scatterTraces === 0) problems.push(`${id}: no drawn line/marker trace`);
    if (kind === 'candlestick' && c.candleBoxes < (opts.minCandles ?? 1)) problems.push(`${id}: ${c.candleBoxes} candle boxes drawn`);
    if (kind === 'heatmap' && c.heatmaps === 0) problems.push(`${id}: no heatmap cells drawn`);
    if (kind === 'bar' && c.barTraces === 0) problems.push(`${id}: no bars drawn`);
  }
  if (problems.length > 0) throw new Error(`Plotly charts did not render:\n  ${problems.join('\n  ')}`);
}

/** Throw unless the page made no network attempt and raised no error. */
export function assertCleanOffline(p: OfflinePage, ignoreConsole: RegExp | null = null): void {
  const consoleErrors = ignoreConsole ? p.consoleErrors.filter((m) => !ignoreConsole.test(m)) : p.consoleErrors;
  const problems = [
    ...p.blockedRequests.map((u) => `network request attempted: ${u}`),
    ...p.pageErrors.map((e) => `page error: ${e}`),
    ...consoleErrors.map((e) => `console error: ${e}`),
  ];
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
