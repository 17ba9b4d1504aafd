/**
 * The read-only views the dashboard needs beyond status and orders: fills, performance against the
 * benchmark (with the same lib/metrics numbers as the HTML report), the risk picture, the effective
 * configuration with secrets masked, and the tail of the JSON-lines log. Pure functions of the loop's journal
 * and memory; the control facade exposes them.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isoDate, isoTime, sliceByTime, type BarSeries, type Interval } from '../lib/core/bars.js';
import { dec } from '../lib/core/money.js';
import { alignCurve, buyAndHoldCurve, computeMetrics, DAY_MS, drawdownSeries, metricsToJSON, periodsPerYearFor, type EquityCurve } from '../lib/metrics/index.js';
import { tradeRecord } from '../lib/engine/backtest.js';
import type { Config } from '../lib/config/index.js';
import type { ConfigView, FillView, LogLine, LogsView, PerformanceView, RiskOverview, StatusView } from './control.js';
import type { TradingLoop } from './loop.js';
import { toRiskView } from './views.js';
import type { JournalFill } from './store.js';

/** Names of secrets and deployment variables -> "set" / "not set" / a non-secret value. */
export type EnvironmentInfo = Readonly<Record<string, string>>;

export function fillView(f: JournalFill): FillView {
  return { ...f, time: isoTime(f.time) };
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * Indices of at most `max` points spread evenly over n, always with the first, the last and `keep` (the deepest
 * drawdown), so a thinned chart still shows where the curve started, ended and fell furthest.
 */
export function thinIndices(n: number, max: number, keep: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  // max evenly spaced indices from 0 to n - 1 (distinct because n > max)
  const out = Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
  if (keep > 0 && keep < n - 1 && !out.includes(keep)) {
    let best = 1;
    for (let k = 2; k < max - 1; k++) if (Math.abs(out[k] - keep) < Math.abs(out[best] - keep)) best = k;
    out[best] = keep; // the neighbours bracket keep, so the order holds
  }
  return out;
}

export function performanceView(loop: TradingLoop, interval: Interval, maxPoints = 2000): PerformanceView {
  const store = loop.store;
  const hist = store.equityHistory();
  const curve: EquityCurve = { time: Float64Array.from(hist, (p) => p.time), equity: Float64Array.from(hist, (p) => Number(p.equity)) };
  const n = hist.length;
  const ppy = periodsPerYearFor(interval);
  const dd = drawdownSeries(curve.equity);
  let trough = 0;
  for (let i = 1; i < n; i++) if (dd[i] < dd[trough]) trough = i;
  const keep = thinIndices(n, maxPoints, trough);
  // Curves share the equity timestamps; a benchmark that starts later is offset by `from`.
  const points = (time: ArrayLike<number>, v: ArrayLike<number | null>, from = 0) => {
    const out: Array<{ time: string; value: number }> = [];
    for (const j of keep) {
      const i = j - from;
      if (i < 0 || i >= time.length) continue;
      const x = v[i];
      if (x !== null && Number.isFinite(x)) out.push({ time: isoTime(time[i]), value: x });
    }
    return out;
  };

  // Equal-weight buy-and-hold of the traded symbols over the bars this runner processed, from its starting cash.
  let bench: EquityCurve | null = null;
  let benchFrom = 0;
  const initial = Number(store.initialCash().toString());
  if (n > 0 && initial > 0) {
    const sliced: BarSeries[] = loop.currentSeries.map((s) => sliceByTime(s, curve.time[0], curve.time[n - 1] + 1)).filter((s) => s.length > 0);
    if (sliced.length > 0) {
      const raw = buyAndHoldCurve(sliced, initial);
      const aligned = alignCurve(curve.time, raw);
      const first = aligned.findIndex((x) => x !== null);
      if (first >= 0) {
        benchFrom = first;
        const time = curve.time.subarray(first);
        bench = { time, equity: Float64Array.from(aligned.slice(first), (x) => x as number) };
      }
    }
  }
  const trades = loop.portfolio.trades.map(tradeRecord); // as /api/metrics and the backtest report
  const metrics = n >= 2 ? computeMetrics({ equity: curve, trades, periodsPerYear: ppy, ...(bench ? { benchmark: bench } : {}) }) : null;
  const benchMetrics = bench && bench.time.length >= 2 ? computeMetrics({ equity: bench, trades: [], periodsPerYear: ppy }) : null;
  return {
    equity: points(curve.time, curve.equity),
    benchmark: bench ? points(bench.time, bench.equity, benchFrom) : null,
    benchmarkName: bench ? `equal-weight buy-and-hold (${loop.symbols.join(', ')})` : null,
    drawdown: points(curve.time, dd),
    metrics: metrics ? metricsToJSON(metrics) : null,
    benchmarkMetrics: benchMetrics ? metricsToJSON(benchMetrics) : null,
    periodsPerYear: ppy,
  };
}

export function riskView(loop: TradingLoop, killSwitch: StatusView['killSwitch'], limit: number): RiskOverview {
  const L = loop.engine.gate.limits;
  const store = loop.store;
  const last = store.lastEquity();
  let today: RiskOverview['today'] = { date: null, dayStartEquity: null, equity: loop.portfolio.cash.toString(), pnl: null, pnlFraction: null, lossLimit: null, limitUsed: null, halted: loop.engine.gate.halted };
  if (last) {
    // The gate's reference: the last equity before the day's first bar (on the first day, that first bar's).
    const dayStart = Math.floor(last.time / DAY_MS) * DAY_MS;
    const ref =
      store.equityBefore(dayStart)?.equity ??
      (store.db.prepare('SELECT equity FROM equity WHERE time >= ? ORDER BY time LIMIT 1').get(dayStart) as { equity: string } | undefined)?.equity ??
      last.equity;
    const start = dec(ref);
    const pnl = dec(last.equity).minus(start);
    const lossLimit = start.times(L.maxDailyLoss);
    today = {
      date: isoDate(last.time),
      dayStartEquity: start.toString(),
      equity: last.equity,
      pnl: pnl.toString(),
      pnlFraction: start.gt(0) ? pnl.div(start).toNumber() : null,
      lossLimit: lossLimit.toDecimalPlaces(2).toString(),
      limitUsed: lossLimit.gt(0) ? Math.max(0, pnl.neg().div(lossLimit).toNumber()) : null,
      halted: loop.engine.gate.halted,
    };
  }
  return {
    limits: {
      maxPositionFraction: finiteOrNull(L.maxPositionFraction),
      maxDailyLoss: L.maxDailyLoss,
      stopLoss: L.stopLoss,
      takeProfit: L.takeProfit,
      maxGrossExposure: finiteOrNull(L.maxGrossExposure),
      maxOpenPositions: finiteOrNull(L.maxOpenPositions),
      allowShort: L.allowShort,
      wholeShares: L.wholeShares,
    },
    today,
    killSwitch,
    decisions: store.riskDecisions(limit, true).map(toRiskView),
  };
}

const SECRET_KEY = /secret|token|password|passphrase|api_?key|key_?id|credential/i;
export const MASK = '••••••';

/** A deep copy with every secret-looking key's value masked. */
export function maskSecrets(v: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '') return MASK;
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x, k)]));
  return v;
}

export function configView(config: Config | null, environment: EnvironmentInfo): ConfigView {
  return { config: (maskSecrets(config ?? {}) as Record<string, unknown>) ?? {}, environment: { ...environment } };
}

const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const TAIL_BYTES = 1 << 20;
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app']);

/** One pino JSON line as a LogLine; a line that is not JSON is kept as an info message. */
export function parseLogLine(text: string): LogLine {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const lv = typeof o.level === 'number' ? (PINO_LEVELS[o.level] ?? String(o.level)) : typeof o.level === 'string' ? o.level : 'info';
    const t = o.time;
    const time = typeof t === 'string' ? t : typeof t === 'number' ? new Date(t).toISOString() : null;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!HIDDEN.has(k)) fields[k] = v;
    return { time, level: lv, msg: typeof o.msg === 'string' ? o.msg : '', fields: maskSecrets(fields) as Record<string, unknown> };
  } catch {
    return { time: null, level: 'info', msg: text, fields: {} };
  }
}

/** The newest `limit` lines at or above `level` from the last megabyte of the log file. */
export function logsView(file: string | null, limit: number, level: string): LogsView {
  if (!file) return { file: null, lines: [] };
  let text: string;
  try {
    const size = statSync(file).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    text = buf.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1); // drop the partial first line
  } catch {
    return { file, lines: [] }; // not written yet
  }
  const min = LEVEL_RANK[level] ?? 10;
  const out: LogLine[] = [];
  const rows = text.split('\n');
  for (let i = rows.length - 1; i >= 0 && out.length < limit; i--) {
    if (!rows[i].trim()) continue;
    const line = parseLogLine(rows[i]);
    if ((LEVEL_RANK[line.level] ?? 30) >= min) out.push(line);
  }
  return { file, lines: out.reverse() };
}
