/**
 * The runner's composition root: `npm run runner -- --config config.yaml [--exit-when-done]
 * [--replay-speed N] [--state-dir DIR] [--no-api] [--fresh]`.
 *
 * Replay mode (the committed default) trades the configured data (offline synthetic by default) through the
 * paper broker at replay_speed bars per second; live mode polls the data provider on the schedule. State
 * lives in runner.state_dir (journal.db, paper-broker.db); a restart carries on where the last run stopped.
 * SIGTERM/SIGINT finish the current step, close the API and the journal, and exit 0.
 */
import { join, resolve } from 'node:path';
import { numberArg, parseCommand, runCommand, UsageError } from '../lib/cli.js';
import type { RunningServer } from './api/server.js';

export const SPEC = {
  name: 'runner',
  usage: 'npm run runner -- [--config FILE] [options]',
  summary:
    'The trading loop with its HTTP API: paper trading by default; replay mode trades history at replay_speed,\n' +
    'live mode polls the data provider on the schedule. A restart carries on from runner.state_dir.',
  options: {
    config: { type: 'string', arg: 'FILE', default: 'config.yaml', help: 'config file' },
    'state-dir': { type: 'string', arg: 'DIR', help: 'journal and paper-broker state', defaultText: 'runner.state_dir' },
    'replay-speed': { type: 'string', arg: 'N', help: 'replay pace in bars per second, 0 = flat out', defaultText: 'runner.replay_speed' },
    'exit-when-done': { type: 'boolean', help: 'exit after the replay (or one live tick) instead of serving on' },
    'no-api': { type: 'boolean', help: 'do not start the HTTP API' },
    fresh: {
      type: 'boolean',
      help:
        "archive the state dir's journal and paper-broker state (to DIR/archive-<time>/) and start over; with Alpaca the new journal " +
        "adopts the account's positions and cancels the traded symbols' open orders. Needed when the journal is missing, empty or " +
        'corrupt but the broker holds orders or positions (the runner refuses to start otherwise)',
    },
  },
  footer:
    'The dashboard is served at http://<api.host>:<api.port>/ (it asks for the API token once per browser tab);\n' +
    'the OpenAPI document is at /api/openapi.json and the interactive API docs at /api/docs.\n\n' +
    'One runner per state dir: a second one is refused, naming the holder (pid, host, start time).\n' +
    'The state dir is private (0700, files 0600).\n\n' +
    'environment: TSTRADER_API_TOKEN (API bearer token; else the one in DIR/api-token, generated once and reused;\n' +
    'at least 32 characters to listen on a non-loopback api.host), PORT (overrides api.port), ALPACA_API_KEY_ID,\n' +
    'ALPACA_API_SECRET_KEY, ALPACA_PAPER (=false for live trading with broker.live: true), TSTRADER_DEBUG=1 (stack traces).\n' +
    'exit codes: 0 stopped cleanly, 1 failed (bad config, state, broker, lock), 2 wrong command line.',
} as const;

async function main(): Promise<number> {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const o = parsed.values;
  const args = {
    config: o.config,
    exitWhenDone: o['exit-when-done'],
    replaySpeed: o['replay-speed'] === undefined ? null : numberArg('replay-speed', o['replay-speed'], 'a number >= 0', (n) => n >= 0),
    stateDir: o['state-dir'] ?? null,
    api: !o['no-api'],
    fresh: o.fresh,
  };
  process.umask(0o077); // everything this process creates (journal, logs, token) is private to its owner
  const { loadSettings } = await import('../lib/config/load.js');
  const { SystemClock } = await import('../lib/core/clock.js');
  const { liveTick } = await import('./live.js');
  const { createLogger } = await import('./logger.js');
  const { createRunner } = await import('./runner.js');
  const { config, secrets } = loadSettings(args.config);
  if (args.replaySpeed !== null && config.runner.mode !== 'replay') throw new UsageError(`--replay-speed is for runner.mode replay (${args.config} sets runner.mode: ${config.runner.mode})`);
  const logger = createLogger({ level: config.logging.level, dir: config.logging.dir });
  let stopping = false;
  let server: RunningServer | null = null;
  // Handlers first: a signal during startup must not kill the process halfway through recovery.
  let wake: (() => void) | null = null;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down after the current step');
    wake?.();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const runner = await createRunner({ config, secrets, logger, ...(args.stateDir ? { stateDir: args.stateDir } : {}), ...(args.fresh ? { fresh: true } : {}), onPoint: crashPoint() });
  logger.info(
    { mode: config.runner.mode, broker: runner.loop.broker.name, strategy: runner.loop.engine.strategy.name, symbols: config.data.symbols, data: config.data.provider, resumeAfter: runner.loop.lastBarTime === null ? null : new Date(runner.loop.lastBarTime).toISOString() },
    'runner started',
  );
  if (args.api && config.api.enabled) {
    server = await runner.serve();
    // For the person at the terminal (stdout stays JSON lines): where to look and which token to paste.
    const tokenFrom = secrets.apiToken !== null ? 'the value of TSTRADER_API_TOKEN' : `the token in ${join(resolve(args.stateDir ?? config.runner.state_dir), 'api-token')}`;
    logger.info({ dashboard: `${server.url}/`, docs: `${server.url}/api/docs` }, 'dashboard');
    process.stderr.write(`\n  Dashboard: ${server.url}/   (sign in with ${tokenFrom})\n  API docs:  ${server.url}/api/docs\n\n`);
  }


  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  if (config.runner.mode === 'replay') {
    const n = await runner.replay(args.replaySpeed ?? config.runner.replay_speed, () => stopping);
    logger.info({ steps: n, lastBar: runner.loop.lastBarTime === null ? null : new Date(runner.loop.lastBarTime).toISOString(), equity: runner.control.status().equity }, stopping ? 'replay stopped' : 'replay finished');
    if (!stopping && !args.exitWhenDone && server) {
      logger.info({}, 'replay done; the API keeps serving until SIGTERM/SIGINT');
      while (!stopping) await sleep(3_600_000);
    }
  } else {
    const provider = runner.provider;
    const clock = new SystemClock();
    const every = config.runner.schedule_seconds * 1000;
    while (!stopping) {
      try {
        await liveTick({ loop: runner.loop, provider, interval: config.data.interval, clock, marketHoursOnly: config.runner.market_hours_only, logger });
      } catch (e) {
        logger.error({ err: (e as Error).message }, 'live tick failed; retrying on the next tick');
      }
      if (args.exitWhenDone) break;
      await sleep(every);
    }
  }

  await runner.loop.mutex.run(async () => undefined); // the step in flight finishes first
  await server?.close();
  runner.close();
  logger.info({}, 'runner stopped');
  logger.flush?.();
  return 0;
}

/**
 * Test hook for the crash test: TSTRADER_CRASH_AT="after-submit:7" SIGKILLs this process the 7th time the
 * loop passes that point. Inert unless the variable is set.
 */
function crashPoint(): ((point: string, time: number) => void) | undefined {
  const spec = process.env.TSTRADER_CRASH_AT;
  if (!spec) return undefined;
  const [name, countText] = spec.split(':');
  let left = Number(countText ?? 1);
  return (point) => {
    if (point === name && --left <= 0) process.kill(process.pid, 'SIGKILL');
  };
}

// exit: the API server and timers must not keep a stopped (or failed) runner alive.
runCommand('runner', main, { exit: true });
