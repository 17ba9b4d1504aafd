/**
 * Wires a runner from a validated config: data, strategy, broker, journal, engine, loop, control facade and
 * HTTP API. main.ts adds the command line, signals and the schedule; tests and the benchmark use this
 * directly.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { SimClock, SystemClock, type Clock } from '../lib/core/clock.js';
import { dec } from '../lib/core/money.js';
import { ValidationError } from '../lib/core/errors.js';
import type { Config, Secrets } from '../lib/config/index.js';
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

export async function createRunner(o: RunnerOptions): Promise<Runner> {
  const c = o.config;
  const stateDir = resolve(o.stateDir ?? c.runner.state_dir);
  mkdirSync(stateDir, { recursive: true });
  const replay = c.runner.mode === 'replay';
  const clock: Clock = replay ? new SimClock(0) : new SystemClock();
  const { broker, paper, marketData } = await brokerFromConfig(o, clock, stateDir);
  const provider = dataProvider(c, marketData);
  const series = o.series ?? (await loadSymbols(provider, c.data.symbols, { interval: c.data.interval, start: c.data.start, end: c.data.end }));
  // Retrained model versions go to the log and the journal (the store opens just below).
  let journal: Store | null = null;
  const { strategy, model, note } = await chooseStrategy(c, series, o.logger, (v) => {
    o.logger.info({ version: v.version, fittedAt: new Date(v.fittedAt).toISOString(), window: v.trainingWindow, dataHash: v.dataHash, liveRecord: v.liveRecord }, `model retrained: ${v.version}`);
    journal?.recordModelVersion({ version: v.version, fittedAt: v.fittedAt, detail: JSON.stringify({ trainingWindow: v.trainingWindow, dataHash: v.dataHash, liveRecord: v.liveRecord }) });
  });
  const store = new Store(join(stateDir, 'journal.db'));
  journal = store;
  // A journal belongs to one setup: resuming it with other symbols, strategy or broker would mix two books.
  const identity = JSON.stringify({ symbols: c.data.symbols, interval: c.data.interval, strategy: strategy.name, broker: broker.name, initialCash: c.portfolio.initial_cash });
  const stored = store.getMeta('identity');
  if (stored === null) store.setMeta('identity', identity);
  else if (stored !== identity) {
    store.close();
    paper?.close();
    throw new Error(`${join(stateDir, 'journal.db')} holds the journal of another setup (${stored}); this config is ${identity}. Use another runner.state_dir (or --state-dir), or move the old one away.`);
  }
  const symbols = c.data.symbols;
  const portfolio = new Portfolio(c.portfolio.initial_cash, symbols);
  const { limits, sizing } = executionFromConfig(c);
  const engine = new Engine({ strategy, gate: new RiskGate(limits), sizing, portfolio });
  const loop = new TradingLoop({ store, broker, ...(paper ? { paper } : {}), engine, clock, symbols, initialCash: dec(c.portfolio.initial_cash), logger: o.logger, ...(o.onPoint ? { onPoint: o.onPoint } : {}) });
  await loop.recover(series);
  let running = false;
  const wall = new SystemClock();
  const control = new RunnerControl(loop, {
    mode: c.runner.mode,
    strategy: strategy.name,
    model,
    marketHours: c.runner.market_hours_only && c.runner.mode === 'live',
    startedAtMs: wall.nowMs(),
    wallClock: wall,
    isRunning: () => running,
  });

  return {
    loop,
    control,
    clock,
    series,
    provider,
    strategyNote: note,
    async serve() {
      let token = o.secrets.apiToken;
      const fromEnv = token !== null;
      if (token === null) {
        token = randomBytes(24).toString('hex');
        const file = join(stateDir, 'api-token');
        writeFileSync(file, `${token}\n`, { mode: 0o600 });
        o.logger.warn({ tokenFile: file }, 'TSTRADER_API_TOKEN is not set: generated a token for this run (loopback only); it is in the token file');
      }
      const srv = await serveApi(control, { host: c.api.host, port: c.api.port, token, tokenFromEnv: fromEnv });
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
      store.close();
      paper?.close();
    },
  };
}
