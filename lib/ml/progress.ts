/** Terminal progress for long fits and walk-forward runs; silent in tests and notebooks. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** A stderr bar when stderr is a terminal and not silenced; otherwise a no-op. */
export function progressBar(label: string, total: number, opts: { silent?: boolean } = {}): Progress {
  if (opts.silent || !process.stderr.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
