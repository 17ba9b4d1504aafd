/**
 * The HTTP API: Express 5 routes as one-liners over the control facade. Every /api route needs
 * `Authorization: Bearer <token>` (repeated failures from one address are answered 429 for a while); bodies
 * must be JSON (else 415) and are validated by zod (400 names the field and the reason, nothing changes);
 * domain refusals map to status codes in one place (`STATUS_OF`); unknown routes are 404 JSON.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import type { Control, OrderOutcome, Refusal } from '../control.js';
import { mountApiDocs } from './docs.js';
import { mountDashboard } from './dashboard/index.js';
import { killBodySchema, limitQuerySchema, logsQuerySchema, orderBodySchema, performanceQuerySchema, resumeBodySchema } from './schemas.js';

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

/** The one mapping from domain refusals to HTTP status codes. */
const STATUS_OF: Readonly<Record<Refusal['kind'], number>> = {
  invalid: 422,
  risk: 422,
  broker_rejected: 422,
  kill_switch: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

function sendOutcome(res: Response, out: OrderOutcome, created = 201): void {
  if (out.ok) return void res.status(created).json({ order: out.order, orders: out.orders, reasons: out.reasons });
  const r = out.refusal;
  res.status(STATUS_OF[r.kind]).json({ error: r.message, kind: r.kind, ...(r.kind === 'risk' ? { max_qty: r.maxQty, reasons: r.rules } : { reasons: [] }) });
}

export interface AppOptions {
  /** The bearer token every /api route requires. */
  readonly token: string;
  /** SSE keep-alive comment interval. */
  readonly heartbeatMs?: number;
  /** Failed authentications allowed per address per window before it is answered 429 (default 20 a minute). */
  readonly authFailures?: { readonly max: number; readonly windowMs: number };
  readonly nowMs?: () => number;
}

/** Failed authentications per address in a sliding window. */
class AuthThrottle {
  private readonly fails = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}
  private recent(addr: string): number[] {
    const cut = this.now() - this.windowMs;
    const list = (this.fails.get(addr) ?? []).filter((t) => t > cut);
    if (list.length > 0) this.fails.set(addr, list);
    else this.fails.delete(addr);
    return list;
  }
  /** Seconds until the address may try again, or 0. */
  blockedFor(addr: string): number {
    const list = this.recent(addr);
    return list.length >= this.max ? Math.max(1, Math.ceil((list[0] + this.windowMs - this.now()) / 1000)) : 0;
  }
  fail(addr: string): void {
    const list = this.recent(addr);
    list.push(this.now());
    this.fails.set(addr, list);
    if (this.fails.size > 10_000) this.fails.delete(this.fails.keys().next().value as string); // bounded memory
  }
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
  const throttle = new AuthThrottle(opts.authFailures?.max ?? 20, opts.authFailures?.windowMs ?? 60_000, opts.nowMs ?? Date.now);
  api.use((req: Request, res: Response, next: NextFunction) => {
    const addr = req.socket.remoteAddress ?? 'unknown';
    const wait = throttle.blockedFor(addr);
    if (wait > 0) {
      res.status(429).set('Retry-After', String(wait)).json({ error: `too many failed authentications from ${addr}; try again in ${wait} s` });
      return;
    }
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m || !tokenMatches(m[1].trim(), opts.token)) {
      throttle.fail(addr);
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token (Authorization: Bearer <TSTRADER_API_TOKEN>)' });
      return;
    }
    next();
  });
  api.use((req: Request, res: Response, next: NextFunction) => {
    // A body that is not JSON is refused as such, before any field is looked at.
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      res.status(415).json({ error: `request body must be application/json (got ${req.headers['content-type'] ?? 'no Content-Type'})` });
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
  api.get('/decisions', withQuery(limitQuerySchema, (q) => control.decisions(q.limit ?? 500)));
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
        ...(b.stop_loss !== undefined ? { stopLoss: b.stop_loss } : {}),
        ...(b.take_profit !== undefined ? { takeProfit: b.take_profit } : {}),
        ...(b.allow_resize ? { allowResize: true } : {}),
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
    if (req.method === 'HEAD') return void res.end(); // headers only: a stream that never ends has no HEAD body
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
