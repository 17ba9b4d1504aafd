/**
 * Safe starts: one runner per state dir (a lock naming the holder, stale after the holder died), a journal
 * that is missing, empty or corrupt next to broker state stops the runner (naming the file and the choices)
 * instead of being rebuilt silently, --fresh archives and starts over (adopting the broker's positions),
 * the state dir is private, and the API token survives a restart.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { silentLogger, type LoopLogger } from '../../runner/loop.js';
import { createRunner } from '../../runner/runner.js';
import { AlpacaMock } from '../fixtures/alpaca-mock.js';

const root = mkdtempSync(join(tmpdir(), 'safe-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => join(root, `s${++n}`);
const secrets = { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: null, port: null };
const config = parseConfig({
  broker: { provider: 'paper' },
  strategy: { active: ['sma-crossover'], sma_crossover: { fast: 3, slow: 8 } },
  data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB'], start: '2021-01-01', end: '2021-06-01', synthetic: { seed: 3 } },
  runner: { mode: 'replay', replay_speed: 0 },
});

function recording(): LoopLogger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (obj: object, msg?: string) => void lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  return { lines, info: rec, warn: rec, error: rec, debug() {} };
}

/** A state dir after a replay that traded (the paper broker holds orders and positions). */
async function traded(): Promise<string> {
  const dir = newDir();
  const r = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
  await r.replay(0, () => false);
  expect(r.loop.store.orders().length).toBeGreaterThan(0);
  r.close();
  return dir;
}

describe('one runner per state dir', () => {
  it('a second runner is refused, naming the holder; the lock is released on close', async () => {
    const dir = newDir();
    const a = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
    const err = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`in use by another runner \\(pid ${process.pid} on ${hostname()}, started \\d{4}-\\d{2}-\\d{2}T`));
    expect((err as Error).message).toContain(join(dir, 'runner.lock'));
    a.close();
    expect(existsSync(join(dir, 'runner.lock'))).toBe(false);
    const b = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
    b.close();
  });

  it('a lock left by a process that died is stale: taken over, and the log says so', async () => {
    const dir = newDir();
    const a = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
    a.close();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
    writeFileSync(join(dir, 'runner.lock'), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    const log = recording();
    const b = await createRunner({ config, secrets, logger: log, stateDir: dir });
    expect(log.lines.some((l) => l.includes(`taking over the lock of a runner that is gone (pid ${dead}`))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'runner.lock'), 'utf8')).pid).toBe(process.pid);
    b.close();
  });
});

describe('a lost journal next to broker state is never rebuilt silently', () => {
  const damage = {
    missing: (f: string) => {
      for (const x of ['', '-wal', '-shm']) if (existsSync(f + x)) unlinkSync(f + x);
    },
    empty: (f: string) => {
      for (const x of ['-wal', '-shm']) if (existsSync(f + x)) unlinkSync(f + x);
      writeFileSync(f, '');
    },
    corrupt: (f: string) => {
      for (const x of ['-wal', '-shm']) if (existsSync(f + x)) unlinkSync(f + x);
      writeFileSync(f, Buffer.alloc(8192, 7));
    },
  };
  it.each(Object.keys(damage) as Array<keyof typeof damage>)('%s journal.db + paper broker orders: refuses naming the file and --fresh; --fresh archives and starts over', async (kind) => {
    const dir = await traded();
    const journal = join(dir, 'journal.db');
    damage[kind](journal);
    const err = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(journal);
    expect(msg).toMatch(/--fresh/);
    expect(msg).toMatch(/restore/);
    expect(kind === 'corrupt' ? msg : msg).toMatch(kind === 'missing' ? /does not exist/ : kind === 'empty' ? /empty/ : /cannot be read|integrity/);
    expect(existsSync(join(dir, 'runner.lock'))).toBe(false); // a refused start leaves no lock behind
    // Nothing was changed by the refusal.
    if (kind === 'missing') expect(existsSync(journal)).toBe(false);
    const fresh = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir, fresh: true });
    expect(fresh.loop.lastBarTime).toBeNull();
    expect(fresh.loop.store.orders()).toEqual([]);
    fresh.close();
    const archives = readdirSync(dir).filter((f) => f.startsWith('archive-'));
    expect(archives).toHaveLength(1);
    expect(readdirSync(join(dir, archives[0]))).toContain('paper-broker.db');
  });

  it('a first start (no journal, no broker state) just starts', async () => {
    const dir = newDir();
    const r = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
    r.close();
  });

  it('Alpaca positions without a journal: refused; --fresh adopts them (opening fills, no mismatch) and cancels open orders', async () => {
    const mock = new AlpacaMock({ cash: 50_000, prices: { SYNA: 45 } });
    const base = await mock.start();
    try {
      mock.positions.set('SYNA', { qty: 7, avg: 40 });
      mock.positions.set('AAPL', { qty: 3, avg: 150 }); // not traded by this runner: left alone
      const c = parseConfig({ ...JSON.parse(JSON.stringify({ strategy: config.strategy, data: config.data })), broker: { provider: 'alpaca' }, runner: { mode: 'replay' } });
      const s = { ...secrets, alpacaKeyId: 'test-key', alpacaSecretKey: 'test-secret' };
      const dir = newDir();
      const err = await createRunner({ config: c, secrets: s, logger: silentLogger, stateDir: dir, alpacaBaseUrl: base }).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/journal\.db does not exist, but the alpaca-paper account holds SYNA 7/);
      // an open order of the old journal's, still at the broker
      await fetch(`${base}/v2/orders`, { method: 'POST', headers: { 'APCA-API-KEY-ID': 'test-key', 'APCA-API-SECRET-KEY': 'test-secret', 'Content-Type': 'application/json' }, body: JSON.stringify({ symbol: 'SYNA', qty: '1', side: 'sell', type: 'limit', limit_price: '60', time_in_force: 'gtc', client_order_id: 'old-exit' }) });
      const r = await createRunner({ config: c, secrets: s, logger: silentLogger, stateDir: dir, alpacaBaseUrl: base, fresh: true });
      expect(r.loop.portfolio.qty('SYNA').toString()).toBe('7');
      expect(r.loop.store.killSwitch().active).toBe(false);
      expect(r.loop.store.fills().map((f) => `${f.symbol} ${f.side} ${f.qty} @ ${f.price}`)).toEqual(['SYNA buy 7 @ 40']);
      expect(r.loop.portfolio.cash.toString()).toBe('50000'); // the account's cash
      expect(mock.ordersByClientId('old-exit')[0].status).toBe('canceled');
      r.close();
    } finally {
      await mock.stop();
    }
  });
});

describe('private state and a stable API token', () => {
  it('the state dir is 0700 and its files 0600; the token in state/api-token is reused on restart', async () => {
    const dir = newDir();
    const a = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
    await a.replay(0, () => false);
    const srv = await a.serve();
    await srv.close();
    a.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    const token = readFileSync(join(dir, 'api-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    const b = await createRunner({ config, secrets, logger: silentLogger, stateDir: dir });
    const srv2 = await b.serve();
    expect(readFileSync(join(dir, 'api-token'), 'utf8').trim()).toBe(token);
    expect((await fetch(`${srv2.url}/api/status`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    await srv2.close();
    b.close();
  });
});
