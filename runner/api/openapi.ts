/**
 * The OpenAPI 3.1 document of the runner's HTTP API, generated from the zod schemas the routes validate with
 * (runner/api/schemas.ts) by zod's own z.toJSONSchema. The operation table below is the one place a route is
 * described; test/runner/openapi.test.ts checks that every route Express registered is in it and that every
 * example request validates against its schema.
 */
import { z } from 'zod';
import * as S from './schemas.js';

type Method = 'get' | 'post' | 'delete';

interface Reply {
  readonly description: string;
  /** JSON body schema; omit for non-JSON replies (give `contentType`). */
  readonly schema?: z.ZodType;
  readonly contentType?: string;
}

export interface Operation {
  readonly method: Method;
  /** OpenAPI path template: /api/orders/{id}. */
  readonly path: string;
  readonly tag: 'system' | 'account' | 'trading' | 'control' | 'insight' | 'dashboard' | 'docs';
  readonly summary: string;
  readonly description?: string;
  /** Needs `Authorization: Bearer <token>`. */
  readonly auth: boolean;
  readonly query?: z.ZodObject;
  readonly params?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Example request bodies (each must validate against `body`). */
  readonly bodyExamples?: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;
  /** Example query strings (each must validate against `query`). */
  readonly queryExamples?: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly responses: Readonly<Record<string, Reply>>;
}

const json = (description: string, schema: z.ZodType): Reply => ({ description, schema });
const err = (description: string): Reply => ({ description, schema: S.errorSchema });
const statusReply = json('the runner status after the change', S.statusSchema);

export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/health', tag: 'system', auth: false, summary: 'Liveness', responses: { 200: json('alive', S.healthSchema) } },
  { method: 'get', path: '/api/status', tag: 'system', auth: true, summary: 'Mode, broker, strategy, last bar, equity, kill switch', responses: { 200: json('status', S.statusSchema) } },
  { method: 'get', path: '/api/portfolio', tag: 'account', auth: true, summary: 'Cash, equity, realised and unrealised P&L, positions', responses: { 200: json('portfolio', S.portfolioSchema) } },
  { method: 'get', path: '/api/positions', tag: 'account', auth: true, summary: 'Open positions marked at the latest close', responses: { 200: json('positions', z.array(S.positionSchema)) } },
  {
    method: 'get', path: '/api/orders', tag: 'trading', auth: true, summary: 'Journaled orders, newest last', query: S.limitQuerySchema, queryExamples: [{ limit: '50' }],
    responses: { 200: json('orders', z.array(S.orderSchema)), 400: err('bad query parameter') },
  },
  {
    method: 'post', path: '/api/orders', tag: 'trading', auth: true, summary: 'Place an order through the risk gate',
    description: 'A manual order is one more intent through the strategy\'s plan: the same risk gate, the same brackets. If the gate would shrink it, it is refused (422, naming the largest allowed quantity) unless `allow_resize` is true. It is journaled before it is sent.',
    body: S.orderBodySchema,
    bodyExamples: {
      market: { summary: 'market buy', value: { symbol: 'SYNA', side: 'buy', qty: '10' } },
      limit: { summary: 'limit buy, good till canceled, with an idempotency key', value: { symbol: 'SYNA', side: 'buy', qty: '5', type: 'limit', limit_price: '101.50', time_in_force: 'gtc', client_order_id: 'my-order-1' } },
      bracket: { summary: 'market buy with its own stop loss and take profit, accepting a smaller size', value: { symbol: 'SYNB', side: 'buy', qty: '40', stop_loss: '90', take_profit: '120', allow_resize: true } },
      stopLimit: { summary: 'stop-limit sell', value: { symbol: 'SYNB', side: 'sell', qty: 3, type: 'stop_limit', stop_price: '95', limit_price: '94.50' } },
    },
    responses: {
      201: json('sent (resized only with allow_resize: see reasons)', S.orderOutcomeSchema),
      400: err('invalid body: names the field and the reason'),
      403: err('the kill switch is on (kind kill_switch)'),
      409: err('client_order_id already used (kind conflict)'),
      422: err('refused by the risk gate (kind risk, with max_qty and reasons), invalid for this runner (symbol not traded, no price yet) or rejected by the broker'),
      503: err('the broker is unavailable (kind unavailable); the order is not sent later'),
    },
  },
  {
    method: 'delete', path: '/api/orders/{id}', tag: 'trading', auth: true, summary: 'Cancel an open order', params: S.orderIdParamsSchema,
    responses: { 200: json('canceled', S.orderOutcomeSchema), 404: err('no such order'), 409: err('the order is not open'), 503: err('the broker is unavailable') },
  },
  {
    method: 'get', path: '/api/fills', tag: 'trading', auth: true, summary: 'Fills, newest last', query: S.limitQuerySchema, queryExamples: [{ limit: '100' }],
    responses: { 200: json('fills', z.array(S.fillSchema)), 400: err('bad query parameter') },
  },
  {
    method: 'get', path: '/api/signals', tag: 'insight', auth: true, summary: 'Strategy signals, newest last', query: S.limitQuerySchema, queryExamples: [{ limit: '200' }],
    responses: { 200: json('signals', z.array(S.signalSchema)), 400: err('bad query parameter') },
  },
  {
    method: 'get', path: '/api/decisions', tag: 'insight', auth: true, summary: 'Every risk decision (strategy and manual), newest last', query: S.limitQuerySchema, queryExamples: [{ limit: '100' }],
    responses: { 200: json('risk decisions', z.array(S.decisionSchema)), 400: err('bad query parameter') },
  },
  { method: 'get', path: '/api/metrics', tag: 'insight', auth: true, summary: 'Headline counters and returns', responses: { 200: json('metrics', S.metricsSchema) } },
  {
    method: 'get', path: '/api/performance', tag: 'insight', auth: true, summary: 'Equity against the benchmark, drawdown, and the HTML report\'s metrics',
    description: 'The metrics are computed over every bar; only the curves are thinned to `points`.',
    query: S.performanceQuerySchema, queryExamples: [{ points: '500' }],
    responses: { 200: json('performance', S.performanceSchema), 400: err('bad query parameter') },
  },
  {
    method: 'get', path: '/api/risk', tag: 'insight', auth: true, summary: 'Limits in force, today\'s P&L against the daily-loss limit, recent refusals and resizes',
    query: S.limitQuerySchema, queryExamples: [{ limit: '50' }],
    responses: { 200: json('risk', S.riskSchema), 400: err('bad query parameter') },
  },
  { method: 'get', path: '/api/config', tag: 'insight', auth: true, summary: 'Effective configuration, secrets masked', responses: { 200: json('configuration', S.configViewSchema) } },
  {
    method: 'get', path: '/api/logs', tag: 'insight', auth: true, summary: 'Newest log lines, filtered by minimum level', query: S.logsQuerySchema,
    queryExamples: [{ level: 'warn', limit: '100' }, { level: 'info' }],
    responses: { 200: json('log lines', S.logsSchema), 400: err('bad query parameter') },
  },
  {
    method: 'get', path: '/api/logs/download', tag: 'insight', auth: true, summary: 'The log file (JSON lines)',
    responses: { 200: { description: 'runner.log', contentType: 'application/x-ndjson' }, 404: err('no log file') },
  },
  {
    method: 'post', path: '/api/kill', tag: 'control', auth: true, summary: 'Engage the kill switch: block new orders and cancel open entry orders',
    description: 'Bracket exits (stop-loss and take-profit legs) stay in place so open positions remain protected.',
    body: S.killBodySchema, bodyExamples: { reason: { summary: 'with a reason', value: { reason: 'news pending, flat until reviewed' } }, bare: { summary: 'no reason', value: {} } },
    responses: { 200: statusReply, 400: err('invalid body') },
  },
  {
    method: 'post', path: '/api/resume', tag: 'control', auth: true, summary: 'Release the kill switch', body: S.resumeBodySchema, bodyExamples: { empty: { summary: 'empty body', value: {} } },
    responses: { 200: statusReply, 400: err('invalid body') },
  },
  {
    method: 'get', path: '/api/events', tag: 'insight', auth: true, summary: 'Server-sent events: status, signal, order, fill, risk',
    description: 'A `text/event-stream`; the first event is the current status. Browsers read it with fetch() so the bearer token stays in a header.',
    responses: { 200: { description: 'event stream', contentType: 'text/event-stream' } },
  },
  { method: 'get', path: '/', tag: 'dashboard', auth: false, summary: 'The dashboard (asks for the token in the page)', responses: { 200: { description: 'HTML page', contentType: 'text/html' } } },
  {
    method: 'get', path: '/assets/{name}', tag: 'dashboard', auth: false, summary: 'Dashboard assets (script, styles, Plotly)', params: z.object({ name: z.string() }),
    responses: { 200: { description: 'asset', contentType: 'application/javascript' }, 404: err('no such asset') },
  },
  { method: 'get', path: '/api/openapi.json', tag: 'docs', auth: false, summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 document', contentType: 'application/json' } } },
  { method: 'get', path: '/api/docs', tag: 'docs', auth: false, summary: 'Interactive API documentation (Swagger UI)', responses: { 200: { description: 'HTML page', contentType: 'text/html' } } },
  {
    method: 'get', path: '/api/docs/assets/{name}', tag: 'docs', auth: false, summary: 'Swagger UI assets', params: z.object({ name: z.string() }),
    responses: { 200: { description: 'asset', contentType: 'application/javascript' }, 404: err('no such asset') },
  },
];

type JsonSchema = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(op: Operation): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, obj] of [['path', op.params], ['query', op.query]] as const) {
    if (!obj) continue;
    const js = schemaOf(obj, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest });
    }
  }
  return out;
}

const TAGS = [
  { name: 'system', description: 'Liveness and status' },
  { name: 'account', description: 'Cash, equity and positions' },
  { name: 'trading', description: 'Orders and fills' },
  { name: 'control', description: 'Kill switch' },
  { name: 'insight', description: 'Signals, performance, risk, configuration, logs and live events' },
  { name: 'dashboard', description: 'The web dashboard' },
  { name: 'docs', description: 'This documentation' },
];

let cached: JsonSchema | null = null;

/** The OpenAPI 3.1 document (built once; the schemas do not change at run time). */
export function openApiDocument(version = '0.1.0'): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, JsonSchema> = {};
    for (const [code, r] of Object.entries(op.responses)) {
      responses[code] = { description: r.description, content: { [r.contentType ?? 'application/json']: r.schema ? { schema: schemaOf(r.schema, 'output') } : {} } };
    }
    const error = { 'application/json': { schema: schemaOf(S.errorSchema, 'output') } };
    if (op.auth) {
      responses['401'] = { description: 'missing or wrong bearer token', content: error };
      responses['429'] = { description: 'too many failed authentications from this address (Retry-After says when to try again)', content: error };
    }
    if (op.body) responses['415'] = { description: 'the body is not application/json', content: error };
    const params = parameters(op);
    (paths[op.path] ??= {})[op.method] = {
      operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.auth ? { security: [{ bearerAuth: [] }] } : { security: [] }),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(op.body, 'input'), ...(op.bodyExamples ? { examples: op.bodyExamples } : {}) } },
            },
          }
        : {}),
      responses,
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'tstrader runner API',
      version,
      description:
        'The headless trading runner: status, portfolio, orders through the risk gate, kill switch, signals, performance, risk, logs and a live event stream. ' +
        'Every /api route except this document and its docs page needs `Authorization: Bearer <TSTRADER_API_TOKEN>`.',
    },
    servers: [{ url: '/' }],
    tags: TAGS,
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'TSTRADER_API_TOKEN (or the generated token in state/api-token)' } } },
    paths,
  };
  return cached;
}

/** Express path (/api/orders/:id) -> OpenAPI template (/api/orders/{id}). */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}
