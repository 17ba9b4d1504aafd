import type express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createApp } from '../../runner/api/app.js';
import { OPERATIONS, openApiDocument, openApiPath } from '../../runner/api/openapi.js';
import { maskSecrets, MASK, parseLogLine, thinIndices } from '../../runner/dashboard-views.js';
import { startDashboardRunner, type DashboardRunner } from '../fixtures/dashboard-runner.js';

let r: DashboardRunner;
beforeAll(async () => {
  r = await startDashboardRunner({ bars: 60 });
});
afterAll(async () => {
  await r?.close();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
}

/** Every (METHOD, path) Express has registered, nested routers included, read from the router stacks. */
function expressRoutes(app: express.Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const l of stack) {
      if (l.route) {
        for (const [m, on] of Object.entries(l.route.methods)) if (on && m !== '_all') out.push(`${m.toUpperCase()} ${prefix}${l.route.path}`);
      } else if (l.handle?.stack) {
        walk(l.handle.stack, prefix + (typeof l.rawPath === 'string' && l.rawPath !== '/' ? l.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.sort();
}

const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>>; components: any };

describe('OpenAPI 3.1 document', () => {
  it('covers every route Express registered, and nothing that is not a route', () => {
    const app = createApp(r.runner.control, { token: 'x' });
    const routes = expressRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(20); // the walk really found the nested /api router
    expect(routes).toContain('DELETE /api/orders/:id');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(routes.map((x) => { const [m, p] = x.split(' '); return `${m} ${openApiPath(p)}`; }).sort()).toEqual(documented);
  });

  it('is OpenAPI 3.1 with bearer security on every /api route but the docs', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        const open = p === '/health' || p === '/' || p.startsWith('/assets/') || p.startsWith('/api/docs') || p === '/api/openapi.json';
        expect(op.security, `${m} ${p}`).toEqual(open ? [] : [{ bearerAuth: [] }]);
        if (!open) expect(op.responses['401'], `${m} ${p}`).toBeDefined();
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
  });

  it('describes request bodies and query parameters with the zod schemas the routes validate with', () => {
    const post = doc.paths['/api/orders'].post.requestBody.content['application/json'].schema;
    expect(post.required).toEqual(['symbol', 'side', 'qty']);
    expect(post.additionalProperties).toBe(false);
    expect(post.properties.side.enum).toEqual(['buy', 'sell']);
    expect(post.properties.type.default).toBe('market');
    const limit = doc.paths['/api/orders'].get.parameters.find((x: any) => x.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', maximum: 10000 } });
    const id = doc.paths['/api/orders/{id}'].delete.parameters[0];
    expect(id).toMatchObject({ name: 'id', in: 'path', required: true });
    const level = doc.paths['/api/logs'].get.parameters.find((x: any) => x.name === 'level');
    expect(level.schema.enum).toContain('warn');
  });

  it('every example request validates against its zod schema, and the zod schema refuses a broken copy', () => {
    let n = 0;
    for (const op of OPERATIONS) {
      for (const [name, ex] of Object.entries(op.bodyExamples ?? {})) {
        const p = (op.body as z.ZodType).safeParse(ex.value);
        expect(p.success, `${op.method} ${op.path} example ${name}: ${JSON.stringify(p.error?.issues)}`).toBe(true);
        expect((op.body as z.ZodType).safeParse({ ...(ex.value as object), no_such_field: 1 }).success).toBe(false);
        n++;
      }
      for (const q of op.queryExamples ?? []) {
        expect(op.query!.safeParse(q).success, `${op.method} ${op.path} ?${new URLSearchParams(q as Record<string, string>)}`).toBe(true);
        n++;
      }
      // the examples are in the document as served
      if (op.bodyExamples) expect(Object.keys(doc.paths[op.path][op.method].requestBody.content['application/json'].examples)).toEqual(Object.keys(op.bodyExamples));
    }
    expect(n).toBeGreaterThanOrEqual(10);
  });

  it('example requests sent to the running API get a documented answer', async () => {
    for (const op of OPERATIONS) {
      if (op.method === 'delete' || op.path.includes('{')) continue;
      const examples: Array<{ path: string; body?: unknown }> = [];
      if (op.bodyExamples) for (const ex of Object.values(op.bodyExamples)) examples.push({ path: op.path, body: ex.value });
      else if (op.queryExamples) for (const q of op.queryExamples) examples.push({ path: `${op.path}?${new URLSearchParams(q as Record<string, string>)}` });
      else if (op.method === 'get' && op.path !== '/api/events') examples.push({ path: op.path });
      for (const ex of examples) {
        const res = await r.api(op.method.toUpperCase(), ex.path, ex.body);
        expect(Object.keys(op.responses), `${op.method} ${ex.path} -> ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`).toContain(String(res.status));
        const reply = op.responses[String(res.status)];
        if (reply.schema) {
          const p = reply.schema.safeParse(res.json);
          expect(p.success, `${op.method} ${ex.path}: response does not match the documented schema: ${JSON.stringify(p.error?.issues?.slice(0, 3))}`).toBe(true);
        }
      }
    }
    await r.api('POST', '/api/resume', {}); // the kill example engaged the switch
  });

  it('serves the document and the Swagger UI page without a token, with its assets from swagger-ui-dist', async () => {
    const j = await fetch(`${r.server.url}/api/openapi.json`);
    expect(j.status).toBe(200);
    expect(((await j.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const page = await fetch(`${r.server.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/api/docs/assets/swagger-ui-bundle.js');
    expect(/https?:\/\//.test(html)).toBe(false);
    const js = await fetch(`${r.server.url}/api/docs/assets/swagger-ui-bundle.js`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(500_000);
    expect((await fetch(`${r.server.url}/api/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('read routes behind the dashboard', () => {
  it('GET /api/fills lists the journal fills with ISO times; a bad limit is a 400 naming the parameter', async () => {
    const fills = (await r.api('GET', '/api/fills?limit=5')).json as Array<{ id: string; time: string }>;
    const journal = r.runner.loop.store.fills(5);
    expect(fills.map((f) => f.id)).toEqual(journal.map((f) => f.id));
    expect(fills[0].time).toBe(new Date(journal[0].time).toISOString().slice(0, 10));
    const bad = await r.api('GET', '/api/fills?limit=-3');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'invalid query parameter', field: 'limit' });
  });

  it('GET /api/performance: the equity curve of the journal, drawdown <= 0, and lib/metrics numbers', async () => {
    const p = (await r.api('GET', '/api/performance')).json;
    const hist = r.runner.loop.store.equityHistory();
    expect(p.equity.length).toBe(hist.length);
    expect(p.equity.at(-1).value).toBeCloseTo(Number(hist.at(-1)!.equity), 6);
    expect(p.metrics.totalReturn).toBeCloseTo(Number(hist.at(-1)!.equity) / Number(hist[0].equity) - 1, 12);
    expect(Math.min(...p.drawdown.map((d: { value: number }) => d.value))).toBeCloseTo(p.metrics.maxDrawdown, 12);
    expect(Math.max(...p.drawdown.map((d: { value: number }) => d.value))).toBe(0);
    // the benchmark starts from the same cash on the same first bar
    expect(p.benchmark[0].time).toBe(p.equity[0].time);
    expect(p.benchmark[0].value).toBeCloseTo(100000, 6);
    expect(p.benchmarkMetrics.totalReturn).toBeCloseTo(p.benchmark.at(-1).value / 100000 - 1, 12);
    expect(p.metrics.benchmarkReturn).toBeCloseTo(p.benchmarkMetrics.totalReturn, 12);
    // thinned curves keep the first and last points and the deepest drawdown; the metrics still use every bar
    const thin = (await r.api('GET', '/api/performance?points=10')).json;
    expect(thin.equity.length).toBe(10);
    expect(thin.equity[0]).toEqual(p.equity[0]);
    expect(thin.equity.at(-1)).toEqual(p.equity.at(-1));
    expect(Math.min(...thin.drawdown.map((d: { value: number }) => d.value))).toBe(p.metrics.maxDrawdown);
    expect(thin.benchmark.map((x: { time: string }) => x.time)).toEqual(thin.equity.map((x: { time: string }) => x.time));
    expect(thin.metrics).toEqual(p.metrics);
    expect((await r.api('GET', '/api/performance?points=1')).status).toBe(400);
    expect(thinIndices(5, 10, 2)).toEqual([0, 1, 2, 3, 4]);
    const t = thinIndices(1000, 50, 777);
    expect(t.length).toBe(50);
    expect(t[0]).toBe(0);
    expect(t.at(-1)).toBe(999);
    expect(t).toContain(777);
    expect(new Set(t).size).toBe(50);
  });

  it('GET /api/risk: a refused manual short is listed with its rule; today\'s P&L is measured from the previous close', async () => {
    const before = (await r.api('GET', '/api/risk')).json.decisions.length;
    const pos = (await r.api('GET', '/api/positions')).json as Array<{ symbol: string; qty: string }>;
    const flat = ['SYNA', 'SYNB', 'SYNC'].find((s) => !pos.some((p) => p.symbol === s))!;
    const refused = await r.api('POST', '/api/orders', { symbol: flat, side: 'sell', qty: 5, client_order_id: 'risk-refused-1' });
    expect(refused.status).toBe(422);
    expect(refused.json.kind).toBe('risk');
    const risk = (await r.api('GET', '/api/risk')).json;
    expect(risk.decisions.length).toBe(before + 1);
    const d = risk.decisions.at(-1);
    expect(d).toMatchObject({ source: 'manual', symbol: flat, outcome: 'refused', requestedQty: -5, approvedQty: 0 });
    expect(d.rules.map((x: { rule: string }) => x.rule)).toContain('short_disabled');
    const hist = r.runner.loop.store.equityHistory();
    const last = hist.at(-1)!;
    const prev = hist.at(-2)!; // daily bars: the day's reference is the previous bar
    expect(risk.today.dayStartEquity).toBe(prev.equity);
    expect(Number(risk.today.pnl)).toBeCloseTo(Number(last.equity) - Number(prev.equity), 6);
    expect(risk.today.lossLimit).toBe((Math.round(Number(prev.equity) * 0.02 * 100) / 100).toString());
    expect(risk.limits).toMatchObject({ maxPositionFraction: 0.05, maxDailyLoss: 0.02, allowShort: false });
  });

  it('GET /api/risk lists what the gate changed (not plain approvals); a capped strategy entry went out at the approved size', async () => {
    // 10 % fixed-fraction sizing against a 5 % position cap: every strategy entry is resized.
    const all = (await r.api('GET', '/api/decisions?limit=10000')).json as Array<{ source: string; outcome: string; approvedQty: number; rules: Array<{ rule: string }>; clientOrderIds: string[] }>;
    const acted = (await r.api('GET', '/api/risk?limit=10000')).json.decisions as typeof all;
    expect(acted).toEqual(all.filter((d) => d.outcome !== 'approved'));
    const resized = acted.filter((d) => d.source !== 'manual' && d.outcome === 'resized');
    expect(resized.length).toBeGreaterThan(0);
    const orders = (await r.api('GET', '/api/orders?limit=10000')).json as Array<{ clientOrderId: string; qty: string }>;
    for (const d of resized) {
      expect(d.rules.map((x) => x.rule)).toContain('max_position_size');
      const o = orders.find((x) => x.clientOrderId === d.clientOrderIds[0]);
      expect(o, d.clientOrderIds[0]).toBeDefined();
      expect(Number(o!.qty)).toBe(Math.abs(d.approvedQty));
    }
  });

  it('GET /api/config: the effective config, secret-looking keys masked, secrets named but never shown', async () => {
    const c = (await r.api('GET', '/api/config')).json;
    expect(c.config.portfolio.max_position_size).toBe(0.05);
    expect(c.config.data.symbols).toEqual(['SYNA', 'SYNB', 'SYNC']);
    expect(c.environment.TSTRADER_API_TOKEN).toBe('set');
    expect(c.environment.ALPACA_API_SECRET_KEY).toBe('not set');
    expect(JSON.stringify(c)).not.toContain(r.token);
    expect(maskSecrets({ broker: { api_key: 'k', secret: 's', live: false }, list: [{ token: 't' }] })).toEqual({ broker: { api_key: MASK, secret: MASK, live: false }, list: [{ token: MASK }] });
  });

  it('GET /api/logs: newest lines of the pino file, filtered by minimum level; the download is the file', async () => {
    const all = (await r.api('GET', '/api/logs?limit=5000&level=trace')).json;
    expect(all.file).toMatch(/runner\.log$/);
    expect(all.lines.some((l: { msg: string }) => l.msg === 'fill')).toBe(true);
    const warn = (await r.api('GET', '/api/logs?level=warn&limit=5000')).json.lines as Array<{ level: string }>;
    expect(warn.every((l) => ['warn', 'error', 'fatal'].includes(l.level))).toBe(true);
    expect(warn.length).toBe(all.lines.filter((l: { level: string }) => ['warn', 'error', 'fatal'].includes(l.level)).length);
    expect((await r.api('GET', '/api/logs?level=loud')).status).toBe(400);
    const dl = await fetch(`${r.server.url}/api/logs/download`, { headers: { Authorization: `Bearer ${r.token}` } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toMatch(/attachment; filename="?runner\.log"?/);
    const text = await dl.text();
    expect(text.trim().split('\n').length).toBeGreaterThanOrEqual(all.lines.length);
    expect((await fetch(`${r.server.url}/api/logs/download`)).status).toBe(401);
    expect(parseLogLine('{"level":40,"time":"2024-01-02T03:04:05.000Z","msg":"x","pid":1,"token":"abc","n":2}')).toEqual({ time: '2024-01-02T03:04:05.000Z', level: 'warn', msg: 'x', fields: { token: MASK, n: 2 } });
  });
});
