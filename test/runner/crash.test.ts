/**
 * Crash safety: the runner is spawned in replay mode as a child process and SIGKILLed again and again
 * (seeded: at random moments and at the dangerous points inside a step: right after an order reached the
 * broker but before the journal knew, after the decision was journaled, after the bars were fed, ...).
 * After every kill the journal must be a consistent prefix of an uninterrupted run's, and at the end it
 * must equal it: same orders, same fills, same equity, no client order id sent to the broker twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { Rng } from '../../lib/core/rng.js';
import { silentLogger } from '../../runner/loop.js';
import { createRunner } from '../../runner/runner.js';
import { Store } from '../../runner/store.js';

const ROOT = resolve(__dirname, '../..');
// tmpfs when there is one: the test is about process crashes, not power loss, and fsync on a busy disk is slow.
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'crash-'));
// The runner is bundled once (esbuild, as tsx uses) so each of the many restarts starts in about a second.
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'tstrader-crash-test');
/** How to start the runner: the bundle when esbuild could build it, else through tsx (slower, same code). */
let runnerArgs = ['--import', 'tsx', 'runner/main.ts'];
afterAll(() => {
  if (!process.env.KEEP_CRASH_DIR) rmSync(work, { recursive: true, force: true });
  else console.log('crash test dir kept:', work);
});

const CONFIG = {
  broker: { provider: 'paper', commission: { per_share: 0.005, percent: 0, minimum: 1 }, slippage_bps: 2 },
  strategy: { active: ['sma-crossover'], sma_crossover: { fast: 5, slow: 20 } },
  portfolio: { initial_cash: 100000, max_position_size: 0.2 },
  data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB', 'SYNC'], start: '2018-01-01', end: '2021-01-01', synthetic: { seed: 11 } },
  // Paced, so the random-moment kills land mid-run on fast and slow machines alike.
  runner: { mode: 'replay', replay_speed: 300 },
  api: { enabled: false },
  logging: { level: 'info', dir: join(work, 'logs') },
};

interface Snapshot {
  orders: string[];
  fills: string[];
  equity: string | null;
  lastBar: number | null;
}

function snapshot(stateDir: string): Snapshot {
  const s = new Store(join(stateDir, 'journal.db'));
  try {
    return {
      orders: s.orders(1_000_000).map((o) => `${o.clientOrderId}|${o.symbol}|${o.side}|${o.qty}|${o.type}`),
      fills: s.fills().map((f) => `${f.time}|${f.clientOrderId}|${f.symbol}|${f.side}|${f.qty}|${f.price}|${f.fee}`),
      equity: s.lastEquity()?.equity ?? null,
      lastBar: s.lastProcessedTime(),
    };
  } finally {
    s.close();
  }
}

/** Client order ids the paper broker received, with repeats (a repeat would be a duplicate order). */
function brokerSubmits(stateDir: string): string[] {
  const db = new Database(join(stateDir, 'paper-broker.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT body FROM events ORDER BY seq').all() as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as { kind: string; req?: { clientOrderId: string } }).filter((e) => e.kind === 'submit').map((e) => e.req!.clientOrderId);
  } finally {
    db.close();
  }
}

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

function firstDiff(a: readonly string[], b: readonly string[]): string {
  const i = a.findIndex((x, k) => x !== b[k]);
  return i < 0 ? `lengths ${a.length} vs ${b.length}` : `#${i}: got ${a[i]} want ${b[i]} (prev ${a[i - 1]})`;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(configPath: string, stateDir: string, kill: { atPoint?: string; afterMs?: number }): Promise<ChildResult> {
  return new Promise((resolvePromise) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TSTRADER_API_TOKEN: '' };
    if (kill.atPoint) env.TSTRADER_CRASH_AT = kill.atPoint;
    else delete env.TSTRADER_CRASH_AT;
    const child = spawn(process.execPath, [...runnerArgs, '--config', configPath, '--state-dir', stateDir, '--exit-when-done', '--no-api'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let started = false;
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => {
      if (!started && String(d).includes('runner started')) {
        started = true;
        if (kill.afterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
      }
    });
    child.on('exit', (code, signal) => resolvePromise({ code, signal, stderr }));
  });
}

describe('crash safety (SIGKILL at random points during a replay)', () => {
  it('recovers after every kill and ends with the journal of an uninterrupted run', async () => {
    const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
    rmSync(BUNDLE_DIR, { recursive: true, force: true });
    if (existsSync(esbuild)) {
      const b = spawnSync(esbuild, ['runner/main.ts', '--bundle', '--splitting', '--platform=node', '--format=esm', '--packages=external', `--outdir=${BUNDLE_DIR}`, '--log-level=warning'], { cwd: ROOT, encoding: 'utf8' });
      expect(b.status, b.stderr).toBe(0);
      runnerArgs = [join(BUNDLE_DIR, 'main.js')];
    }
    const configPath = join(work, 'config.yaml');
    writeFileSync(configPath, JSON.stringify(CONFIG)); // JSON is YAML

    // The uninterrupted reference run, in-process (same code path as the child).
    const refDir = join(work, 'ref');
    const config = parseConfig(CONFIG);
    const ref = await createRunner({ config, secrets: { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: null, port: null }, logger: silentLogger, stateDir: refDir });
    await ref.replay(0, () => false);
    ref.close();
    const want = snapshot(refDir);
    expect(want.orders.length).toBeGreaterThan(8);
    expect(want.fills.length).toBeGreaterThan(8);

    const rng = new Rng(20251124);
    const points = ['after-broker-submit', 'after-decide', 'after-feed', 'after-sync', 'after-submit', 'after-step'];
    const stateDir = join(work, 'crashy');
    let kills = 0;
    let pointKills = 0;
    const log: string[] = [];
    let finished = false;
    const KILLS = 18;
    for (let run = 0; run < 45 && !finished; run++) {
      // Every point inside a step in turn (killed the n-th time the loop passes it, n random), every third
      // kill at a random moment instead; after KILLS kills, let it run to the end.
      const p = points[pointKills % points.length];
      const perStep = p !== 'after-broker-submit' && p !== 'after-submit';
      const kill = kills >= KILLS ? {} : kills % 3 === 2 ? { afterMs: rng.int(150) } : { atPoint: `${p}:${1 + rng.int(perStep ? 30 : 3)}` };
      if (kill.atPoint) pointKills++;
      const r = await runChild(configPath, stateDir, kill);
      if (r.signal === 'SIGKILL') {
        kills++;
        log.push(kill.atPoint ?? `${kill.afterMs}ms`);
      }
      else {
        expect(r.code, r.stderr).toBe(0);
        finished = true;
      }
      // After every exit, the journal is a consistent prefix of the reference.
      const got = snapshot(stateDir);
      const unsettled = got.orders.length - (got.orders.length > 0 ? 1 : 0);
      expect(isPrefix(got.fills, want.fills), `fills after run ${run} (${JSON.stringify(kill)}): ${firstDiff(got.fills, want.fills)}`).toBe(true);
      expect(isPrefix(got.orders.slice(0, unsettled), want.orders), `orders after run ${run} (${JSON.stringify(kill)}): ${firstDiff(got.orders, want.orders)}`).toBe(true);
      const subs = brokerSubmits(stateDir);
      expect(new Set(subs).size, `duplicate submissions after run ${run}`).toBe(subs.length);
    }
    console.log(`crash test: ${kills} SIGKILLs (${log.join(', ')}), then a clean finish`);
    expect(finished).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(8);
    const got = snapshot(stateDir);
    expect(got.orders).toEqual(want.orders);
    expect(got.fills).toEqual(want.fills);
    expect(got.equity).toBe(want.equity);
    expect(got.lastBar).toBe(want.lastBar);
    const subs = brokerSubmits(stateDir);
    expect(subs).toEqual(brokerSubmits(refDir));
  }, 120_000);
});
