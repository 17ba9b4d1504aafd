/**
 * The dashboard at `/`: one HTML page, its script and styles (runner/api/dashboard/static) and Plotly, all
 * served by the runner, so the page makes no request anywhere else. The page draws only lines and bars, so it
 * gets Plotly's basic bundle (plotly.js-basic-dist-min, 1.2 MB instead of 4.8 MB: it matters on a phone), or
 * the full plotly.js-dist-min the reports use when the basic one is not installed. The page holds nothing
 * secret; it asks for the API token and sends it as a bearer header.
 */
import type express from 'express';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plotlyBundlePath } from '../../../lib/report/plotly-bundle.js';
import { join } from 'node:path';
import { assetRoute, packageDir, pageHeaders } from '../assets.js';

const STATIC = fileURLToPath(new URL('./static/', import.meta.url));

function plotlyForDashboard(): string {
  try {
    return join(packageDir('plotly.js-basic-dist-min'), 'plotly-basic.min.js');
  } catch {
    return plotlyBundlePath();
  }
}

export function mountDashboard(app: express.Express): void {
  let page: string | null = null;
  app.get('/', (_req, res) => {
    page ??= readFileSync(`${STATIC}index.html`, 'utf8');
    pageHeaders(res);
    res.send(page);
  });
  app.get(
    '/assets/:name',
    assetRoute({
      'dashboard.js': { source: `${STATIC}dashboard.js`, type: 'application/javascript; charset=utf-8' },
      'dashboard.css': { source: `${STATIC}dashboard.css`, type: 'text/css; charset=utf-8' },
      'plotly.min.js': { source: plotlyForDashboard, type: 'application/javascript; charset=utf-8' },
    }),
  );
}
