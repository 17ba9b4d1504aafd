/**
 * A throwaway Redis for tests: Debian's redis-server (REDIS_SERVER_PATH overrides) on a free loopback port,
 * no persistence, stopped by the test. Absent redis-server: the suite skips with one loud line, and under
 * CI=true (.ci/run installs it) the skip is a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { checkRedis, parseRedisUrl } from '../../lib/sweep/queue.js';

const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
export const REDIS_MISSING = `redis-server not found at ${REDIS_SERVER}: apt-get install -y --no-install-recommends redis-server (or set REDIS_SERVER_PATH)`;

export function redisAvailable(): boolean {
  return existsSync(REDIS_SERVER);
}

/** A local TCP port with nothing listening (free at the time of asking). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** The redis-server process (benchmarks read its CPU time). */
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  if (!redisAvailable()) throw new Error(REDIS_MISSING);
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await checkRedis(parseRedisUrl(url), 500);
      break;
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}: ${(e as Error).message}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
