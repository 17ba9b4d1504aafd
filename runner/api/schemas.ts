/**
 * The zod schemas of the HTTP API: the request schemas the routes validate with, and the response schemas
 * the OpenAPI document is generated from (and the tests check real responses against). One source of truth:
 * a route validates with the same object the document describes.
 */
import { z } from 'zod';

// ---------------------------------------------------------------- requests

const decimalString = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((s) => /^\d+(\.\d+)?$/.test(s) && Number(s) > 0, { message: 'must be a positive decimal number' });

export const orderBodySchema = z
  .strictObject({
    symbol: z.string().regex(/^[A-Za-z0-9.^=_-]{1,20}$/, { message: 'must be a symbol (letters, digits, . ^ = _ -, up to 20)' }),
    side: z.enum(['buy', 'sell']),
    qty: decimalString.describe('positive decimal quantity (string or number)'),
    type: z.enum(['market', 'limit', 'stop', 'stop_limit']).default('market'),
    limit_price: decimalString.optional().describe('required for limit and stop_limit orders'),
    stop_price: decimalString.optional().describe('required for stop and stop_limit orders'),
    time_in_force: z.enum(['day', 'gtc']).default('day'),
    stop_loss: decimalString.optional().describe('attach a stop-loss leg at this price (a bracket); default: portfolio.stop_loss from the config'),
    take_profit: decimalString.optional().describe('attach a take-profit leg at this price (a bracket); default: portfolio.take_profit from the config'),
    allow_resize: z.boolean().default(false).describe('accept a smaller quantity when the risk gate shrinks the order (default: refuse, naming the largest allowed)'),
    client_order_id: z.string().regex(/^[A-Za-z0-9:._-]{1,128}$/, { message: 'must be 1-128 characters of letters, digits, : . _ -' }).optional().describe('idempotency key: a second order with the same id is refused (409)'),
  })
  .superRefine((b, ctx) => {
    if ((b.type === 'limit' || b.type === 'stop_limit') && b.limit_price === undefined) ctx.addIssue({ code: 'custom', path: ['limit_price'], message: `is required for a ${b.type} order` });
    if ((b.type === 'stop' || b.type === 'stop_limit') && b.stop_price === undefined) ctx.addIssue({ code: 'custom', path: ['stop_price'], message: `is required for a ${b.type} order` });
    if (b.type === 'market' && (b.limit_price !== undefined || b.stop_price !== undefined)) ctx.addIssue({ code: 'custom', path: ['type'], message: 'market orders take no limit_price or stop_price' });
  });

export const killBodySchema = z.strictObject({ reason: z.string().max(500).optional().describe('shown in the status and the log') });
export const resumeBodySchema = z.strictObject({});

/** `?limit=N` on list routes: the newest N rows (default 500, at most 10,000). */
export const limitQuerySchema = z.object({
  limit: z.coerce.number().int().positive().max(10_000).optional().describe('newest N rows (default 500, at most 10,000)'),
});

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const logsQuerySchema = z.object({
  limit: z.coerce.number().int().positive().max(5_000).optional().describe('newest N matching lines (default 200, at most 5,000)'),
  level: z.enum(LOG_LEVELS).optional().describe('minimum level: warn shows warn, error and fatal'),
});

export const performanceQuerySchema = z.object({
  points: z.coerce.number().int().min(10).max(100_000).optional().describe('at most this many points per curve (default 2,000): longer curves are thinned evenly, keeping the first and last points and the deepest drawdown'),
});

export const orderIdParamsSchema = z.object({ id: z.string().min(1).describe('client order id or broker order id') });

// ---------------------------------------------------------------- responses

const decimal = z.string().describe('exact decimal as a string');
const isoTime = z.string().describe('ISO 8601 time (UTC)');

export const errorSchema = z.object({
  error: z.string(),
  field: z.string().optional().describe('the first invalid field (400)'),
  reason: z.string().optional(),
  issues: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  kind: z.enum(['invalid', 'risk', 'broker_rejected', 'kill_switch', 'not_found', 'conflict', 'unavailable']).optional().describe('what refused the order (order routes)'),
  max_qty: z.string().optional().describe('the largest quantity the risk gate allows (kind risk)'),
  reasons: z.array(z.string()).optional().describe('the risk rules that refused or shrank the order'),
});

export const healthSchema = z.strictObject({ ok: z.boolean(), uptimeSeconds: z.number() });

const killSwitchSchema = z.strictObject({
  active: z.boolean(),
  kind: z.string().nullable().describe('manual | daily_loss | reconcile'),
  reason: z.string().nullable(),
  since: isoTime.nullable(),
});

export const statusSchema = z.strictObject({
  mode: z.enum(['replay', 'live']),
  broker: z.string(),
  strategy: z.string(),
  model: z.string().nullable(),
  symbols: z.array(z.string()),
  lastBarTime: z.string().nullable(),
  tradingFrom: isoTime.nullable().describe('live mode: bars before this only warmed the strategy up'),
  cash: decimal,
  equity: decimal,
  killSwitch: killSwitchSchema,
  running: z.boolean(),
  marketOpen: z.boolean().nullable(),
  uptimeSeconds: z.number(),
  barsProcessed: z.number(),
});

export const positionSchema = z.strictObject({
  symbol: z.string(),
  qty: decimal,
  avgPrice: decimal,
  mark: decimal.nullable(),
  marketValue: decimal.nullable(),
  unrealized: decimal.nullable(),
});

export const portfolioSchema = z.strictObject({
  cash: decimal,
  equity: decimal,
  initialCash: decimal,
  realized: decimal,
  unrealized: decimal,
  fees: decimal,
  positions: z.array(positionSchema),
});

export const orderSchema = z.strictObject({
  clientOrderId: z.string(),
  brokerId: z.string().nullable(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: decimal,
  type: z.string(),
  limitPrice: decimal.nullable(),
  stopPrice: decimal.nullable(),
  timeInForce: z.string(),
  bracket: z.strictObject({ takeProfit: decimal.nullable(), stopLoss: decimal.nullable(), reference: decimal.nullable().optional().describe('the price the levels were computed from; the simulator re-prices them at the entry fill') }).nullable(),
  status: z.string().describe('pending_submit, new, accepted, partially_filled, filled, canceled, expired, rejected, replaced, unknown, ...'),
  filledQty: decimal,
  avgFillPrice: decimal.nullable(),
  barTime: isoTime.nullable(),
  parentId: z.string().nullable().describe('the parent order of a bracket leg (or the order this one replaced)'),
  source: z.string().describe('strategy | manual | bracket'),
  tag: z.string().nullable(),
  rejectReason: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const signalSchema = z.strictObject({
  time: isoTime,
  strategy: z.string(),
  symbol: z.string(),
  value: z.number().describe('1 long, -1 short, 0 flat; or the target weight / quantity'),
  detail: z.record(z.string(), z.unknown()).nullable().describe('kind, reason, confidence, blocked; ML signals add probability and regime'),
});

export const metricsSchema = z.strictObject({
  equityPoints: z.number(),
  totalReturn: z.number(),
  cagr: z.number().nullable(),
  annualVolatility: z.number().nullable(),
  sharpe: z.number().nullable(),
  sortino: z.number().nullable(),
  maxDrawdown: z.number().describe('negative fraction, as in the reports'),
  closedTrades: z.number(),
  winRate: z.number().nullable(),
  profitFactor: z.union([z.number(), z.string()]).nullable().describe('"Infinity" with wins and no losses'),
  totalFees: z.number().nullable(),
  orders: z.number(),
  fills: z.number(),
  rejectedOrders: z.number(),
  startTime: isoTime.nullable(),
  endTime: isoTime.nullable(),
});

export const orderOutcomeSchema = z.strictObject({
  order: orderSchema.describe('the first order sent'),
  orders: z.array(orderSchema).describe('every order sent: a reduce-then-flip is two'),
  reasons: z.array(z.string()).describe('risk rules that shrank it (with allow_resize)'),
});

export const decisionSchema = z.strictObject({
  seq: z.number(),
  time: isoTime,
  source: z.string().describe('strategy | manual'),
  symbol: z.string(),
  intent: z.string(),
  reason: z.string(),
  requestedQty: z.number(),
  approvedQty: z.number(),
  outcome: z.enum(['approved', 'resized', 'refused', 'blocked']),
  rules: z.array(z.strictObject({ rule: z.string(), message: z.string(), originalQty: z.number(), approvedQty: z.number() })),
  clientOrderIds: z.array(z.string()),
});

export const fillSchema = z.strictObject({
  id: z.string(),
  orderId: z.string(),
  clientOrderId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: decimal,
  price: decimal,
  fee: decimal,
  time: isoTime,
});

const curvePoint = z.strictObject({ time: isoTime, value: z.number() });
/** lib/metrics Metrics as JSON (metricsToJSON): numbers, null where undefined, "Infinity" for a lossless profit factor. */
const metricsJson = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));

export const performanceSchema = z.strictObject({
  equity: z.array(curvePoint).describe('account equity per processed bar'),
  benchmark: z.array(curvePoint).nullable().describe('equal-weight buy-and-hold of the traded symbols over the same bars, from the same starting equity'),
  benchmarkName: z.string().nullable(),
  drawdown: z.array(curvePoint).describe('equity / running peak - 1 (<= 0)'),
  metrics: metricsJson.nullable().describe('lib/metrics computeMetrics of the equity curve (the HTML report\'s numbers); null before two bars'),
  benchmarkMetrics: metricsJson.nullable(),
  periodsPerYear: z.number(),
});

export const riskSchema = z.strictObject({
  limits: z.strictObject({
    maxPositionFraction: z.number().nullable().describe('null = no cap'),
    maxDailyLoss: z.number(),
    stopLoss: z.number(),
    takeProfit: z.number(),
    maxGrossExposure: z.number().nullable(),
    maxOpenPositions: z.number().nullable(),
    allowShort: z.boolean(),
    wholeShares: z.boolean(),
  }),
  today: z.strictObject({
    date: z.string().nullable().describe('UTC trading day of the last bar'),
    dayStartEquity: decimal.nullable().describe('equity at the previous bar before the day (the daily-loss reference)'),
    equity: decimal,
    pnl: decimal.nullable(),
    pnlFraction: z.number().nullable(),
    lossLimit: decimal.nullable().describe('the loss that trips the daily limit (positive amount)'),
    limitUsed: z.number().nullable().describe('fraction of the daily loss limit used (0 when up on the day)'),
    halted: z.boolean().describe('the daily loss limit has halted new entries today'),
  }),
  killSwitch: killSwitchSchema,
  decisions: z.array(decisionSchema).describe('recent refusals, resizes and kill-switch blocks (not plain approvals), newest last'),
});

export const configViewSchema = z.strictObject({
  config: z.record(z.string(), z.unknown()).describe('the effective configuration (defaults filled in); secret-looking keys masked'),
  environment: z.record(z.string(), z.string()).describe('secrets and deployment variables: "set" / "not set", never the value'),
});

const logLineSchema = z.strictObject({
  time: z.string().nullable(),
  level: z.string(),
  msg: z.string(),
  fields: z.record(z.string(), z.unknown()),
});

export const logsSchema = z.strictObject({
  file: z.string().nullable().describe('the log file (null when logging.dir is not set)'),
  lines: z.array(logLineSchema).describe('newest last'),
});
