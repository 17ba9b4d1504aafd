/**
 * Start-up cost, cold: whole processes as a user starts them (each npm script's own `node --import tsx/esm
 * FILE` command line, read from package.json; npm's own start-up is shown once beside it). Targets on a quiet
 * machine: any `--help` under 0.5 s, a one-symbol Random Forest `train` under 1.5 s. The load average is
 * printed: on a busy machine the figures are not comparable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './util.js';

// Each command exactly as package.json's script runs it (node with tsx's ESM loader, one process); npm's own
// start-up is shown once beside them.
const SCRIPTS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const COMMANDS = Object.entries(SCRIPTS)
  .map(([name, cmd]) => [name, /^node (--import \S+) (\S+\.ts)$/.exec(cmd)] as const)
  .filter((x): x is readonly [string, RegExpExecArray] => x[1] !== null)
  .map(([name, m]) => ({ name, loader: m[1].split(' '), file: m[2] }));
const LOADER = COMMANDS[0].loader;
const tsx = (...args: string[]): [string, string[]] => [process.execPath, [...LOADER, ...args]];

// CPU seconds (user + sys) of the process tree, when GNU time is installed: on a busy machine wall time
// mostly measures the queue, CPU time stays close to what a quiet machine shows.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const cpuTimes: number[] = [];

function wall(cmd: string, args: string[]): number {
  const tfile = join(tmpdir(), `bench-time-${process.pid}`);
  const [c, a] = GNU_TIME ? [GNU_TIME, ['-o', tfile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(c, a, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  if (GNU_TIME) {
    const [u, sy] = readFileSync(tfile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    cpuTimes.push((u + sy) * 1000);
  }
  return ms;
}

/** Median wall time of n runs, and the median CPU time of the same runs. */
function measure(cmd: string, args: string[], n = 3): { wall: number; cpu: number | null } {
  cpuTimes.length = 0;
  const w = median(Array.from({ length: n }, () => wall(cmd, args)));
  return { wall: w, cpu: cpuTimes.length ? median(cpuTimes) : null };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const show = (m: { wall: number; cpu: number | null }, target: number) =>
  `${s(m.wall)} wall${m.cpu === null ? '' : `, ${s(m.cpu)} CPU`} (${m.wall < target ? 'under' : 'OVER'} the ${s(target)} target${m.wall >= target && m.cpu !== null && m.cpu < target ? '; CPU under it: a busy machine' : ''})`;

export async function run(): Promise<void> {
  console.log(`\n## Start-up (cold, whole process; median of 3; load average ${loadavg()[0].toFixed(1)})`);
  const bare = measure(process.execPath, ['-e', '0']);
  const tsxBare = measure(...tsx('-e', '0'));
  console.log(`node -e 0: ${s(bare.wall)}; node ${LOADER.join(' ')} -e 0: ${s(tsxBare.wall)} wall${tsxBare.cpu === null ? '' : `, ${s(tsxBare.cpu)} CPU`} (the floor every command pays)`);
  for (const c of COMMANDS) console.log(`${c.name} --help: ${show(measure(process.execPath, [...c.loader, c.file, '--help']), 500)}`);
  console.log(`setup:notebooks --help (bash): ${show(measure('bash', ['scripts/setup-notebooks.sh', '--help']), 500)}`);
  console.log(`npm run backtest -- --help: ${s(wall('npm', ['run', '--silent', 'backtest', '--', '--help']))} (npm's own start-up included, once)`);
  const out = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    const m = measure(...tsx('scripts/train.ts', '--symbols', 'SYNA', '--model', 'rf', '--out', join(out, 'rf'), '--quiet'));
    console.log(`train --symbols SYNA --model rf (synthetic, 100 trees, whole process): ${show(m, 1500)}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`(load average at the end ${loadavg()[0].toFixed(1)})`);
}

if (process.argv[1]?.endsWith('startup.ts')) void run();
