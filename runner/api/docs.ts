/**
 * /api/openapi.json and the interactive docs at /api/docs: Swagger UI from the installed swagger-ui-dist
 * package, served by the runner (no CDN). "Try it out" sends the bearer token the dashboard stored for this
 * browser tab, or the one entered with Authorize.
 */
import type express from 'express';
import { join } from 'node:path';
import { assetRoute, packageDir, pageHeaders } from './assets.js';
import { openApiDocument } from './openapi.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tstrader runner API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<style>body{margin:0;background:#fafafa}.topbar-note{font:14px/1.4 system-ui,sans-serif;padding:10px 20px;background:#0f172a;color:#e2e8f0}.topbar-note a{color:#93c5fd}</style>
</head>
<body>
<div class="topbar-note">tstrader runner API &middot; <a href="/">dashboard</a> &middot; <a href="/api/openapi.json">openapi.json</a></div>
<div id="swagger"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body>
</html>
`;

const INIT = `(function () {
  var KEY = 'tstrader.token';
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    requestInterceptor: function (req) {
      var t = null;
      try { t = sessionStorage.getItem(KEY); } catch (e) { t = null; }
      if (t && !req.headers.Authorization) req.headers.Authorization = 'Bearer ' + t;
      return req;
    }
  });
})();
`;

export function mountApiDocs(app: express.Express): void {
  app.get('/api/openapi.json', (_req, res) => void res.set('Cache-Control', 'no-cache').json(openApiDocument()));
  app.get('/api/docs', (_req, res) => {
    pageHeaders(res);
    res.send(PAGE);
  });
  const dir = () => packageDir('swagger-ui-dist');
  app.get(
    '/api/docs/assets/:name',
    assetRoute({
      'swagger-ui-bundle.js': { source: () => join(dir(), 'swagger-ui-bundle.js'), type: 'application/javascript; charset=utf-8' },
      'swagger-ui.css': { source: () => join(dir(), 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
      'init.js': { source: { text: () => INIT }, type: 'application/javascript; charset=utf-8' },
    }),
  );
}
