/** Structured logs (pino): JSON lines to the console and to logs/runner.log. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(opts: { level: string; dir: string | null; console?: boolean }): Logger {
  const streams: pino.StreamEntry[] = [];
  if (opts.console ?? true) streams.push({ level: opts.level as pino.Level, stream: process.stdout });
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    // sync writes: a SIGKILL must not lose the lines that explain it.
    streams.push({ level: opts.level as pino.Level, stream: pino.destination({ dest: join(opts.dir, 'runner.log'), sync: true, mkdir: true }) });
  }
  return pino({ level: opts.level, base: { app: 'tstrader-runner' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}
