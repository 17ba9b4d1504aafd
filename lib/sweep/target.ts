/**
 * Where a Redis sweep queue is and its defaults: no imports beyond the error type, so the sweep and worker
 * commands can show them in --help and check --queue before loading BullMQ.
 */
import { ValidationError } from '../core/errors.js';

export const DEFAULT_QUEUE_NAME = 'tstrader-sweep';
/** Lock a worker holds on a running job; a dead worker's job is retried after about this long. */
export const DEFAULT_LOCK_MS = 30_000;

export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** The URL as given, without any password (for messages). */
  readonly display: string;
}

/** redis://[user:pass@]host:port[/db] -> connection settings; a clear error otherwise. */
export function parseRedisUrl(url: string, flag = '--queue'): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError(flag, 'is not a URL like redis://HOST:PORT', url);
  }
  if (u.protocol !== 'redis:') throw new ValidationError(flag, 'must start with redis:// (e.g. redis://127.0.0.1:6379)', url);
  if (!u.hostname) throw new ValidationError(flag, 'has no host', url);
  const port = u.port ? Number(u.port) : 6379;
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new ValidationError(flag, 'has a database that is not a whole number', url);
  const display = `redis://${u.hostname}:${port}${db !== undefined ? `/${db}` : ''}`;
  return {
    host: u.hostname,
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    display,
  };
}

export class RedisUnreachableError extends Error {
  override readonly name = 'RedisUnreachableError';
}

