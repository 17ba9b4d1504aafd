/**
 * Sweep progress: a bar with rate and ETA on a terminal (cli-progress), a line every 10 % otherwise (CI logs),
 * nothing when quiet. A bar asked for off a terminal is printed as a line every 5 s. Rate and ETA count only jobs run in this session, from the first one to finish (so resumed
 * cells and the threads' start-up do not distort them).
 */
import cliProgress from 'cli-progress';

export interface SweepProgress {
  /** One more job finished. */
  tick(): void;
  stop(): void;
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

function fmtEta(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  if (sec < 90) return `${Math.round(sec)} s`;
  if (sec < 5400) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

export function sweepProgress(
  total: number,
  already: number,
  opts: { mode?: ProgressMode; log?: (s: string) => void; label?: string; stream?: NodeJS.WriteStream | NodeJS.WritableStream } = {},
): SweepProgress {
  const stream = opts.stream ?? process.stderr;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  const mode = opts.mode === 'auto' || opts.mode === undefined ? (tty ? 'bar' : 'lines') : opts.mode;
  const label = opts.label ?? 'sweep';
  let done = already;
  let tFirst = 0;
  /** Jobs per second since the first finished one (NaN until two have). */
  const rate = (): number => {
    const ran = done - already;
    if (ran === 1) tFirst = performance.now();
    const sec = (performance.now() - tFirst) / 1000;
    return ran >= 2 && sec > 0 ? (ran - 1) / sec : NaN;
  };
  const eta = (r: number): number => (r > 0 ? (total - done) / r : done >= total ? 0 : Infinity);
  const fmtRate = (r: number): string => (Number.isFinite(r) ? r.toFixed(1) : '?');
  if (mode === 'none') return { tick: () => void done++, stop: () => undefined };
  if (mode === 'lines') {
    const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
    let nextPct = Math.floor((done / Math.max(total, 1)) * 10) * 10 + 10;
    return {
      tick: () => {
        done++;
        const r = rate();
        const pct = (done / total) * 100;
        if (pct >= nextPct || done === total) {
          nextPct = Math.floor(pct / 10) * 10 + 10;
          log(`${label}: ${done}/${total} (${pct.toFixed(0)}%), ${fmtRate(r)} jobs/s, eta ${fmtEta(eta(r))}`);
        }
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {rate} jobs/s | eta {etaText}`,
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      // Asked for explicitly but not on a terminal (a log file, CI): cli-progress would draw nothing; a bar line every 5 s instead.
      noTTYOutput: !tty,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, done, { rate: '?', etaText: '?' });
  return {
    tick: () => {
      done++;
      const r = rate();
      bar.update(done, { rate: fmtRate(r), etaText: fmtEta(eta(r)) });
    },
    stop: () => bar.stop(),
  };
}
