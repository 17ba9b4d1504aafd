/**
 * Checks the notebooks' exported HTML (reports/notebooks/NAME.html) in headless Chromium: every Plotly chart
 * rendered offline and no cell shows an error. The HTML only exists after the notebooks ran, so this suite is
 * excluded from plain `npm test`; `npm run notebooks` runs it afterwards with NOTEBOOK_HTML=1 (and NOTEBOOKS set
 * to the notebooks it ran, when given a subset).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertChartsRendered, inspectPlotlyCharts, launchChromium, openOffline, withoutChromium } from '../helpers/chromium.js';

const ROOT = process.cwd();
const NB_DIR = join(ROOT, 'notebooks');
const OUT_DIR = join(ROOT, 'reports', 'notebooks');
// NOTEBOOKS="notebooks/01-data.ipynb ..." limits the check to the notebooks just executed (default: all).
const only = (process.env.NOTEBOOKS ?? '').split(/\s+/).filter(Boolean).map((p) => p.split('/').pop()!);
const notebooks = (existsSync(NB_DIR) ? readdirSync(NB_DIR).filter((f) => f.endsWith('.ipynb')).sort() : []).filter((f) => only.length === 0 || only.includes(f));

/** The first error-looking output of an executed notebook (same rule as scripts/run-notebooks.py), or null. */
export function firstCellError(nbJson: string): string | null {
  const nb = JSON.parse(nbJson) as { cells: Array<{ cell_type: string; source: string | string[]; outputs?: Array<Record<string, unknown>> }> };
  for (const [i, cell] of nb.cells.entries()) {
    for (const o of cell.outputs ?? []) {
      const text = Array.isArray(o.text) ? o.text.join('') : String(o.text ?? '');
      if (o.output_type === 'error') return `cell ${i + 1}: ${String(o.ename)}: ${String(o.evalue)}`;
      if (o.output_type === 'stream' && o.name === 'stderr' && /Error|error TS|\bat /.test(text)) return `cell ${i + 1}: ${text.trim().slice(0, 500)}`;
    }
  }
  return null;
}

interface PageReport {
  plotCalls: number;
  errorOutputs: string[];
}

/** Runs in the page (a string: the project's TypeScript has no DOM types). */
const INSPECT_PAGE = `(() => {
  // Charts the cells asked for: lib/report's figureHtml containers, or plot calls in cell scripts (not in the
  // inlined plotly bundle itself, which ends by setting window.Plotly).
  const containers = document.querySelectorAll('.tstrader-plot').length;
  const calls = Array.from(document.querySelectorAll('script'))
    .map((s) => s.textContent || '')
    .filter((s) => s.indexOf('window.Plotly = Plotly') < 0)
    .reduce((k, s) => k + (s.match(/Plotly\\.(newPlot|react)\\(/g) || []).length, 0);
  const plotCalls = Math.max(containers, calls);
  const errorOutputs = Array.from(document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], .output_error, .output_stderr'))
    .map((e) => (e.textContent || '').trim())
    .filter((t) => /Error|error TS|\\bat /.test(t))
    .map((t) => t.slice(0, 300));
  return { plotCalls, errorOutputs };
})()`;

let browser: Browser;
const skip = withoutChromium('the notebook HTML checks in headless Chromium');

beforeAll(async () => {
  if (notebooks.length === 0 || skip) return;
  browser = await launchChromium();
});

afterAll(async () => {
  // playwright launches with a fresh temporary profile and removes it on close.
  await browser?.close();
});

describe.skipIf(skip)('exported notebook HTML', () => {
  it('has notebooks to check', () => {
    expect(notebooks.length, `no notebooks/*.ipynb found under ${NB_DIR}`).toBeGreaterThan(0);
  });

  for (const nb of notebooks) {
    const name = nb.replace(/\.ipynb$/, '');
    const html = join(OUT_DIR, `${name}.html`);
    it(`${name}: charts rendered offline, no cell errors`, async () => {
      if (!existsSync(html)) {
        throw new Error(`${resolve(html)} is missing: run \`npm run notebooks\` (it executes the notebooks, exports HTML, then runs this test)`);
      }
      expect(statSync(html).mtimeMs, `${html} is older than notebooks/${nb}: run \`npm run notebooks\` again`).toBeGreaterThanOrEqual(statSync(join(NB_DIR, nb)).mtimeMs);
      const executed = join(OUT_DIR, `${name}.ipynb`);
      if (existsSync(executed)) expect(firstCellError(readFileSync(executed, 'utf8')), `cell error in ${executed}`).toBeNull();

      // Offline: only file:, data: and blob: URLs load. A CDN reference (e.g. a pip nbconvert template's
      // require.js or MathJax) is blocked, which is what a reader without network sees; charts must render regardless.
      const { page, pageErrors, blockedRequests } = await openOffline(browser, pathToFileURL(html).href);
      try {
        const report = await page.evaluate<PageReport>(INSPECT_PAGE);
        expect(report.errorOutputs, `error output in ${name}.html`).toEqual([]);
        expect(report.plotCalls, `${name}.html has no Plotly chart`).toBeGreaterThan(0);
        // Every chart a cell plotted must exist and have drawn a trace.
        const charts = await inspectPlotlyCharts(page, report.plotCalls, 10_000).catch((e: Error) => {
          throw new Error(`${name}.html: fewer than ${report.plotCalls} charts rendered (${e.message.split('\n')[0]})`);
        });
        assertChartsRendered(charts);
        const relevant = pageErrors.filter((m) => !(blockedRequests.length > 0 && /require|define|MathJax/.test(m)));
        expect(relevant, `page errors in ${name}.html (blocked: ${blockedRequests.join(', ') || 'none'})`).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
