/**
 * The HTTP API: Express 5 routes as one-liners over the control facade. Every /api route needs
 * `Authorization: Bearer <token>`; bodies are validated by zod (400 names the field and the reason, nothing
 * changes); unknown routes are 404 JSON.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import type { Control, OrderOutcome } from '../control.js';
import { mountApiDocs } from './docs.js';
import { mountDashboard } from './dashboard/index.js';
import { killBodySchema, limitQuerySchema, logsQuerySchema, orderBodySchema, performanceQuerySchema, resumeBodySchema } from './schemas.js';

export { orderBodySchema } from './schemas.js';

function badRequest(res: Response, error: z.ZodError, body: unknown, what = 'invalid request body'): void {
  const valueAt = (path: readonly PropertyKey[]) => path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), body);
  const issues = error.issues.map((i) => ({
    field: i.path.join('.') || '(body)',
    // zod says "Invalid input" for a missing field; say what is wrong.
    reason: i.path.length > 0 && valueAt(i.path) === undefined && i.code !== 'custom' ? 'is required' : i.message,
  }));
  res.status(400).json({ error: what, field: issues[0]?.field, reason: issues[0]?.reason, issues });
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendOutcome(res: Response, out: OrderOutcome, created = 201): void {
  if (out.ok) res.status(created).json({ order: out.order, reasons: out.reasons });
  else res.status(out.status).json({ error: out.error, reasons: out.reasons });
}

export interface AppOptions {
  /** The bearer token every /api route requires. */
  readonly token: string;
  /** SSE keep-alive comment interval. */
  readonly heartbeatMs?: number;
}

export function createApp(control: Control, opts: AppOptions): express.Express {
  if (!opts.token) throw new Error('createApp: an API token is required');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => void res.json({ ok: true, uptimeSeconds: control.status().uptimeSeconds }));

  mountDashboard(app);
  mountApiDocs(app);

  const api = express.Router();
  api.use((req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m || !tokenMatches(m[1].trim(), opts.token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token (Authorization: Bearer <TSTRADER_API_TOKEN>)' });
      return;
    }
    next();
  });
  api.use(express.json({ limit: '16kb' }));

  /** Validate the query with `schema` and answer with `fn(query)`; a bad query is a 400 naming the parameter. */
  const withQuery =
    <S extends z.ZodType>(schema: S, fn: (q: z.infer<S>) => unknown) =>
    (req: Request, res: Response) => {
      const p = schema.safeParse(req.query);
      if (!p.success) return badRequest(res, p.error, req.query, 'invalid query parameter');
      res.json(fn(p.data));
    };
  api.get('/status', (_req, res) => void res.json(control.status()));
  api.get('/portfolio', (_req, res) => void res.json(control.portfolio()));
  api.get('/positions', (_req, res) => void res.json(control.positions()));
  api.get('/orders', withQuery(limitQuerySchema, (q) => control.orders(q.limit ?? 500)));
  api.get('/signals', withQuery(limitQuerySchema, (q) => control.signals(q.limit ?? 500)));
  api.get('/metrics', (_req, res) => void res.json(control.metrics()));
  api.get('/fills', withQuery(limitQuerySchema, (q) => control.fills(q.limit ?? 500)));
  api.get('/performance', withQuery(performanceQuerySchema, (q) => control.performance(q.points ?? 2000)));
  api.get('/risk', withQuery(limitQuerySchema, (q) => control.risk(q.limit ?? 200)));
  api.get('/config', (_req, res) => void res.json(control.config()));
  api.get('/logs', withQuery(logsQuerySchema, (q) => control.logs(q)));
  api.get('/logs/download', (_req, res) => {
    const file = control.logFile();
    if (!file || !existsSync(file)) return void res.status(404).json({ error: file ? `no log file yet at ${file}` : 'the runner logs to the console only (logging.dir is not set)' });
    res.download(file, 'runner.log', { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8' } });
  });

  api.post('/orders', async (req, res) => {
    const p = orderBodySchema.safeParse(req.body ?? {});
    if (!p.success) return badRequest(res, p.error, req.body);
    const b = p.data;
    sendOutcome(
      res,
      await control.placeOrder({
        symbol: b.symbol.toUpperCase(),
        side: b.side,
        qty: b.qty,
        type: b.type,
        timeInForce: b.time_in_force,
        ...(b.limit_price !== undefined ? { limitPrice: b.limit_price } : {}),
        ...(b.stop_price !== undefined ? { stopPrice: b.stop_price } : {}),
        ...(b.client_order_id !== undefined ? { clientOrderId: b.client_order_id } : {}),
      }),
    );
  });
  api.delete('/orders/:id', async (req, res) => void sendOutcome(res, await control.cancelOrder(String(req.params.id)), 200));
  api.post('/kill', (req, res) => {
    const p = killBodySchema.safeParse(req.body ?? {});
    if (!p.success) return badRequest(res, p.error, req.body);
    res.json(control.kill(p.data.reason ?? 'manual kill via API'));
  });
  api.post('/resume', (req, res) => {
    const p = resumeBodySchema.safeParse(req.body ?? {});
    if (!p.success) return badRequest(res, p.error, req.body);
    res.json(control.resume());
  });

  api.get('/events', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`event: status\ndata: ${JSON.stringify(control.status())}\n\n`);
    const off = control.subscribe((e) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`));
    const beat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    req.on('close', () => {
      clearInterval(beat);
      off();
    });
  });

  app.use('/api', api);

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}` });
  });
  // Express needs the 4-argument signature to treat this as the error handler.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') return void res.status(400).json({ error: 'invalid request body', field: '(body)', reason: 'is not valid JSON' });
    if (e?.type === 'entity.too.large') return void res.status(413).json({ error: 'request body too large' });
    res.status(typeof e?.status === 'number' && e.status >= 400 ? e.status : 500).json({ error: e?.message ?? 'internal error' });
  });
  return app;
}
