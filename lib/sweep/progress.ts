/**
 * Sweep progress: a bar with rate and ETA on a terminal (cli-progress), a line every 10 % otherwise (CI logs),
 * nothing when quiet. The ETA counts only jobs run in this session, so resumed cells do not distort it.
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

export function sweepProgress(total: number, already: number, opts: { mode?: ProgressMode; log?: (s: string) => void; label?: string } = {}): SweepProgress {
  const mode = opts.mode === 'auto' || opts.mode === undefined ? (process.stderr.isTTY ? 'bar' : 'lines') : opts.mode;
  const label = opts.label ?? 'sweep';
  let done = already;
  const t0 = performance.now();
  const eta = (): number => {
    const ran = done - already;
    const sec = (performance.now() - t0) / 1000;
    return ran > 0 ? ((total - done) * sec) / ran : Infinity;
  };
  if (mode === 'none') return { tick: () => void done++, stop: () => undefined };
  if (mode === 'lines') {
    const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
    let nextPct = Math.floor((done / Math.max(total, 1)) * 10) * 10 + 10;
    return {
      tick: () => {
        done++;
        const pct = (done / total) * 100;
        if (pct >= nextPct || done === total) {
          nextPct = Math.floor(pct / 10) * 10 + 10;
          const sec = (performance.now() - t0) / 1000;
          log(`${label}: ${done}/${total} (${pct.toFixed(0)}%), ${((done - already) / Math.max(sec, 1e-9)).toFixed(1)} jobs/s, eta ${fmtEta(eta())}`);
        }
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% | {rate} jobs/s | eta {etaText}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, done, { rate: '0.0', etaText: '?' });
  return {
    tick: () => {
      done++;
      const sec = (performance.now() - t0) / 1000;
      bar.update(done, { rate: ((done - already) / Math.max(sec, 1e-9)).toFixed(1), etaText: fmtEta(eta()) });
    },
    stop: () => bar.stop(),
  };
}
