/** Terminal progress for long fits and walk-forward runs; silent in tests and notebooks. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type cliProgressTypes from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export const SILENT: Progress = { update: () => undefined, stop: () => undefined };

// Loaded when a bar is shown: a quiet or piped run (and every import of lib/ml) does not pay for it. No
// import.meta: tslab compiles lib/ to CommonJS.
function cliProgress(): typeof cliProgressTypes {
  const req = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));
  return req('cli-progress') as typeof cliProgressTypes;
}

/** A stderr bar when stderr is a terminal and not silenced; otherwise a no-op. */
export function progressBar(label: string, total: number, opts: { silent?: boolean } = {}): Progress {
  if (opts.silent || !process.stderr.isTTY) return SILENT;
  const cp = cliProgress();
  const bar = new cp.SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr, hideCursor: true, clearOnComplete: false }, cp.Presets.shades_classic);
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
