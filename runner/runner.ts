/**
 * Wires a runner from a validated config: data, strategy, broker, journal, engine, loop, control facade and
 * HTTP API. main.ts adds the command line, signals and the schedule; tests and the benchmark use this
 * directly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sliceByTime, type BarSeries } from '../lib/core/bars.js';
import { SimClock, SystemClock, type Clock } from '../lib/core/clock.js';
import { dec, ZERO, type Decimal } from '../lib/core/money.js';
import type { Fill } from '../lib/core/orders.js';
import { ValidationError } from '../lib/core/errors.js';
import { ENV_VARS, type Config, type Secrets } from '../lib/config/index.js';
import type { Broker } from '../lib/broker/broker.js';
import { PaperBroker, SqliteEventLog } from '../lib/broker/paper/index.js';
// Specific modules, not lib/data/index: the runner has no use for the polars bridge at start-up.
import { providerFromConfig } from '../lib/data/from-config.js';
import { loadSymbols } from '../lib/data/load.js';
import type { DataProvider } from '../lib/data/provider.js';
import { Engine, executionFromConfig } from '../lib/engine/index.js';
import { Portfolio } from '../lib/portfolio/index.js';
import { RiskGate } from '../lib/risk/index.js';
import { RunnerControl } from './control-impl.js';
import { TradingLoop, type LoopLogger } from './loop.js';
import { Store } from './store.js';
import { chooseStrategy } from './strategy-factory.js';
import { serveApi, type RunningServer } from './api/server.js';
import { completeBefore } from './live.js';
import { archiveState, inspectJournal, JOURNAL, journalRefusal, lockStateDir, PAPER_LOG, paperStateExists, secureFiles, secureStateDir, TOKEN_FILE } from './state.js';

export interface RunnerOptions {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly logger: LoopLogger;
  /** Overrides runner.state_dir. */
  readonly stateDir?: string;
  /** Alpaca base URL override (tests point it at the local mock). */
  readonly alpacaBaseUrl?: string;
  /** Bars to replay/trade (default: loaded from the configured data provider). */
  readonly series?: readonly BarSeries[];
  readonly onPoint?: (point: string, time: number) => void;
  /** The JSON-lines log file the dashboard tails (default logging.dir/runner.log, as createLogger writes it). */
  readonly logFile?: string | null;
  /** --fresh: archive the old journal and paper-broker state and start over, adopting the broker's positions. */
  readonly fresh?: boolean;
  /** The loop's clock in live mode (default: the system clock); tests set the time. */
  readonly clock?: Clock;
}

export interface Runner {
  readonly loop: TradingLoop;
  readonly control: RunnerControl;
  readonly clock: Clock;
  readonly series: readonly BarSeries[];
  /** Where bars come from (live mode polls it). */
  readonly provider: DataProvider;
  readonly strategyNote: string | null;
  /** Start the HTTP API; resolves with its URL. */
  serve(): Promise<RunningServer>;
  /** Replay every bar not yet processed, pacing at `barsPerSecond` (0 = flat out). */
  replay(barsPerSecond: number, shouldStop: () => boolean): Promise<number>;
  close(): void;
}

interface BrokerSetup {
  readonly broker: Broker;
  readonly paper: PaperBroker | null;
  /** Alpaca's market data with the broker's credentials (for data.provider: alpaca). */
  readonly marketData: DataProvider | null;
}

async function brokerFromConfig(o: RunnerOptions, clock: Clock, stateDir: string): Promise<BrokerSetup> {
  const c = o.config;
  if (c.broker.provider === 'paper') {
    const x = executionFromConfig(c);
    const paper = new PaperBroker(new SqliteEventLog(join(stateDir, 'paper-broker.db')), clock, {
      initialCash: x.initialCash,
      symbols: c.data.symbols,
      fillAt: x.fillAt,
      commission: x.commission,
      slippageBps: x.slippageBps,
      allowShort: c.portfolio.allow_short,
    });
    return { broker: paper, paper, marketData: null };
  }
  const s = o.secrets;
  if (!s.alpacaKeyId || !s.alpacaSecretKey) {
    throw new Error('broker.provider is "alpaca" but ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY are not set (see .env.template)');
  }
  const live = c.broker.live && !s.alpacaPaper;
  if (c.broker.live && s.alpacaPaper) o.logger.warn({}, 'broker.live is true but ALPACA_PAPER is not "false": trading on the PAPER endpoint');
  if (live) o.logger.warn({}, 'LIVE TRADING: orders go to Alpaca with real money');
  const { AlpacaBroker } = await import('../lib/broker/alpaca/index.js');
  const broker = new AlpacaBroker({
    keyId: s.alpacaKeyId,
    secret: s.alpacaSecretKey,
    live,
    ...(o.alpacaBaseUrl ? { baseUrl: o.alpacaBaseUrl } : {}),
    retryAfterCapMs: c.broker.retry_after_cap_seconds * 1000,
    onRetry: (what, attempt, delayMs, reason) => o.logger.warn({ what, attempt, delayMs, reason }, 'alpaca retry'),
  });
  // Market data timestamps are wall time even in replay, so the data source gets the system clock.
  return { broker, paper: null, marketData: broker.dataProvider(new SystemClock()) };
}

/** The configured data provider: lib/data's, or Alpaca's market data through the Alpaca broker. */
export function dataProvider(config: Config, marketData: DataProvider | null): DataProvider {
  if (config.data.provider !== 'alpaca') return providerFromConfig(config.data);
  if (!marketData) throw new ValidationError('data.provider', 'needs broker.provider: alpaca (Alpaca market data uses its credentials)', 'alpaca');
  return marketData;
}

/** Which secrets are set, never their values (the dashboard's Risk and settings tab). */
function environmentInfo(s: Secrets): Record<string, string> {
  const set = (v: string | null) => (v === null ? 'not set' : 'set');
  return {
    [ENV_VARS.alpacaKeyId]: set(s.alpacaKeyId),
    [ENV_VARS.alpacaSecretKey]: set(s.alpacaSecretKey),
    [ENV_VARS.alpacaPaper]: s.alpacaPaper ? 'true (paper endpoint)' : 'false',
    [ENV_VARS.apiToken]: s.apiToken === null ? 'not set (a generated token is in the state directory)' : 'set',
    [ENV_VARS.port]: s.port === null ? 'not set' : String(s.port),
  };
}

/** What the broker holds in the runner's symbols (positions, open orders), in words; null when nothing. */
async function brokerHoldings(broker: Broker, symbols: readonly string[]): Promise<string | null> {
  const pos = (await broker.positions()).filter((p) => symbols.includes(p.symbol) && !p.qty.isZero());
  const open = (await broker.openOrders()).filter((x) => symbols.includes(x.symbol));
  if (pos.length === 0 && open.length === 0) return null;
  return `the ${broker.name} account holds ${[...pos.map((p) => `${p.symbol} ${p.qty.toString()}`), ...(open.length > 0 ? [`${open.length} open order(s)`] : [])].join(', ')}`;
}

/**
 * --fresh against a broker that holds positions: the new journal opens with them (one opening fill per
 * position at its average price, cash so that cash after those fills is the account's cash), and the
 * runner's symbols' open orders are canceled, so the journal and the broker agree from the first step.
 */
async function adoptBrokerState(broker: Broker, store: Store, symbols: readonly string[], nowMs: number, log: LoopLogger): Promise<Decimal | null> {
  const pos = (await broker.positions()).filter((p) => symbols.includes(p.symbol) && !p.qty.isZero());
  for (const x of await broker.openOrders()) {
    if (!symbols.includes(x.symbol) || x.parentId) continue;
    await broker.cancel(x.id);
    log.warn({ order: x.clientOrderId, symbol: x.symbol }, '--fresh: canceled an open order the new journal does not know');
  }
  if (pos.length === 0) return null;
  const acct = await broker.account();
  let initial: Decimal = acct.cash;
  const fills: Fill[] = pos.map((p) => {
    initial = initial.plus(p.qty.times(p.avgPrice));
    return { id: `opening:${p.symbol}:${nowMs}`, orderId: 'opening', clientOrderId: `opening:${p.symbol}`, symbol: p.symbol, side: p.qty.gt(ZERO) ? 'buy' : 'sell', qty: p.qty.abs(), price: p.avgPrice, fee: ZERO, time: nowMs };
  });
  store.tx(() => {
    store.initCash(initial);
    for (const f of fills) store.applyFill(f);
  });
  log.warn({ positions: pos.map((p) => `${p.symbol} ${p.qty.toString()} @ ${p.avgPrice.toString()}`), cash: acct.cash.toString() }, '--fresh: the new journal adopts the broker positions');
  return initial;
}

export async function createRunner(o: RunnerOptions): Promise<Runner> {
  const c = o.config;
  const stateDir = resolve(o.stateDir ?? c.runner.state_dir);
  secureStateDir(stateDir);
  const release = lockStateDir(stateDir, (h) => o.logger.warn({ holder: h }, `taking over the lock of a runner that is gone (pid ${h.pid}, started ${h.startedAt})`));
  const closers: Array<() => void> = [release];
  try {
    return await build(o, stateDir, closers);
  } catch (e) {
    for (const f of closers.reverse()) f();
    throw e;
  }
}

async function build(o: RunnerOptions, stateDir: string, closers: Array<() => void>): Promise<Runner> {
  const c = o.config;
  const wall = new SystemClock();
  if (o.fresh) {
    const to = archiveState(stateDir, wall.nowMs());
    o.logger.warn({ archive: to }, to ? '--fresh: the old state was moved away; starting a new journal' : '--fresh: no old state to archive');
  }
  const journalFile = join(stateDir, JOURNAL);
  const journal = inspectJournal(stateDir);
  const paperOrders = paperStateExists(stateDir);
  const replay = c.runner.mode === 'replay';
  const clock: Clock = replay ? new SimClock(0) : (o.clock ?? new SystemClock());
  const { broker, paper, marketData } = await brokerFromConfig(o, clock, stateDir);
  if (paper) closers.push(() => paper.close());
  let adopt = false;
  if (journal.state !== 'ok') {
    const held = paper ? (paperOrders ? `${join(stateDir, PAPER_LOG)} holds the paper broker's orders` : null) : await brokerHoldings(broker, c.data.symbols);
    if (journal.state === 'corrupt' || held !== null) {
      if (!o.fresh || journal.state === 'corrupt') throw new Error(journalRefusal(stateDir, journal, held ?? 'a damaged journal is never resumed or overwritten'));
    }
    adopt = held !== null && !paper;
  }
  const provider = dataProvider(c, marketData);
  const loaded = o.series ?? (await loadSymbols(provider, c.data.symbols, { interval: c.data.interval, start: c.data.start, end: c.data.end }));
  // Live: a bar still forming (today's daily bar during the session) is not history; the live tick adds it once complete.
  const complete = replay ? Infinity : completeBefore(clock.nowMs(), c.data.interval);
  const series = replay ? loaded : loaded.map((s) => sliceByTime(s, -Infinity, complete));
  // Retrained model versions go to the log and the journal (the store opens just below).
  let versionJournal: Store | null = null;
  const { strategy, model, note } = await chooseStrategy(c, series, o.logger, (v) => {
    o.logger.info({ version: v.version, fittedAt: new Date(v.fittedAt).toISOString(), window: v.trainingWindow, dataHash: v.dataHash, liveRecord: v.liveRecord }, `model retrained: ${v.version}`);
    versionJournal?.recordModelVersion({ version: v.version, fittedAt: v.fittedAt, detail: JSON.stringify({ trainingWindow: v.trainingWindow, dataHash: v.dataHash, liveRecord: v.liveRecord }) });
  });
  const store = new Store(journalFile);
  versionJournal = store;
  closers.push(() => store.close());
  secureFiles(stateDir);
  // A journal belongs to one setup: resuming it with other symbols, strategy or broker would mix two books.
  const identity = JSON.stringify({ symbols: c.data.symbols, interval: c.data.interval, strategy: strategy.name, broker: broker.name, initialCash: c.portfolio.initial_cash });
  const stored = store.getMeta('identity');
  if (stored === null) store.setMeta('identity', identity);
  else if (stored !== identity) {
    throw new Error(`${journalFile} holds the journal of another setup (${stored}); this config is ${identity}. Use another runner.state_dir (--state-dir), or start with --fresh to archive it.`);
  }
  if (adopt) await adoptBrokerState(broker, store, c.data.symbols, wall.nowMs(), o.logger);
  store.initCash(dec(c.portfolio.initial_cash));
  if (!store.initialCash().eq(dec(c.portfolio.initial_cash))) {
    o.logger.warn({ journal: store.initialCash().toString(), config: c.portfolio.initial_cash }, 'initial cash in the journal differs from the config; the journal wins');
  }
  // Live mode's first start: history before now only warms the strategy up; only bars closing later trade.
  const firstLiveStart = !replay && store.lastProcessedTime() === null && store.getMeta('trading_from') === null;
  if (firstLiveStart) store.setMeta('trading_from', String(completeBefore(clock.nowMs(), c.data.interval)));
  const symbols = c.data.symbols;
  const portfolio = new Portfolio(store.initialCash(), symbols);
  const { limits, sizing } = executionFromConfig(c);
  const engine = new Engine({ strategy, gate: new RiskGate(limits), sizing, portfolio });
  const loop = new TradingLoop({
    store, broker, ...(paper ? { paper } : {}), engine, clock, symbols, initialCash: store.initialCash(), logger: o.logger,
    killAllowsExits: c.runner.kill_switch_allows_exits, ...(o.onPoint ? { onPoint: o.onPoint } : {}),
  });
  await loop.recover(series);
  const warmed = await loop.warmUp();
  if (warmed > 0) o.logger.info({ bars: warmed, tradingFrom: new Date(loop.tradingStartsAt!).toISOString() }, 'live start: warmed the strategy up on history without trading; only bars closing after the start are traded');
  let running = false;
  const control = new RunnerControl(loop, {
    mode: c.runner.mode,
    strategy: strategy.name,
    model,
    interval: c.data.interval,
    marketHours: c.runner.market_hours_only && c.runner.mode === 'live',
    startedAtMs: wall.nowMs(),
    wallClock: wall,
    isRunning: () => running,
    config: c,
    environment: environmentInfo(o.secrets),
    logFile: o.logFile !== undefined ? o.logFile : join(resolve(c.logging.dir), 'runner.log'),
  });

  return {
    loop,
    control,
    clock,
    series,
    provider,
    strategyNote: note,
    async serve() {
      const token = apiToken(o.secrets.apiToken, stateDir, o.logger);
      const srv = await serveApi(control, { host: c.api.host, port: c.api.port, token });
      o.logger.info({ url: srv.url }, 'API listening');
      return srv;
    },
    async replay(barsPerSecond, shouldStop) {
      running = true;
      let n = 0;
      const pause = barsPerSecond > 0 ? 1000 / barsPerSecond : 0;
      try {
        for (const t of loop.timeline()) {
          if (shouldStop()) break;
          if (loop.lastBarTime !== null && t <= loop.lastBarTime) continue;
          (clock as SimClock).advanceTo(t);
          await loop.step(t);
          n++;
          if (pause > 0) await new Promise((r) => setTimeout(r, pause));
          else if (n % 50 === 0) await new Promise((r) => setImmediate(r)); // let the API answer
        }
      } finally {
        running = false;
      }
      return n;
    },
    close() {
      for (const f of closers.reverse()) f();
      closers.length = 0;
    },
  };
}

/**
 * The API token: TSTRADER_API_TOKEN, else the one in state/api-token (kept across restarts, so scripts and
 * dashboards keep working), else a new random one written there (0600).
 */
function apiToken(fromEnv: string | null, stateDir: string, log: LoopLogger): string {
  if (fromEnv) return fromEnv;
  const file = join(stateDir, TOKEN_FILE);
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length > 0) {
      log.info({ tokenFile: file }, 'TSTRADER_API_TOKEN is not set: using the token in the token file');
      return t;
    }
  }
  const t = randomBytes(24).toString('hex');
  writeFileSync(file, `${t}\n`, { mode: 0o600 });
  log.warn({ tokenFile: file }, 'TSTRADER_API_TOKEN is not set: generated a token; it is in the token file and is reused on restart');
  return t;
}
