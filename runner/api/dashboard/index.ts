/**
 * The dashboard at `/`: one HTML page, its script and styles (runner/api/dashboard/static) and Plotly, all
 * served by the runner, so the page makes no request anywhere else. Plotly is the project's one bundle, the
 * finance partial bundle the reports and notebooks inline (lib/report/plotly-bundle.ts: 1.3 MB instead of the
 * full 4.8 MB, which matters on a phone; the page draws only lines and bars). The page holds nothing secret;
 * it asks for the API token and sends it as a bearer header.
 */
import type express from 'express';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plotlyBundlePath } from '../../../lib/report/plotly-bundle.js';
import { assetRoute, pageHeaders } from '../assets.js';

const STATIC = fileURLToPath(new URL('./static/', import.meta.url));

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
      'plotly.min.js': { source: plotlyBundlePath, type: 'application/javascript; charset=utf-8' },
    }),
  );
}
