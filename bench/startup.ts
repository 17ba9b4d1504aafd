/**
 * Start-up cost: whole processes as a user starts them, each with its npm script's own command line from
 * package.json (`node scripts/run.mjs FILE`: the command from its cached bundle; bench through tsx), npm's
 * own start-up shown once beside them. Each command runs once untimed first, so the one-off bundle build
 * after a change is shown apart. Beside each: the same command through `node --import tsx/esm`, as the npm
 * scripts ran before the launcher. Targets on a quiet machine: any `--help` under 0.5 s, a one-symbol Random
 * Forest `train` under 1.5 s. The load average is printed: on a busy machine the figures are not comparable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './util.js';

const SCRIPTS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const COMMANDS = Object.entries(SCRIPTS)
  .map(([name, cmd]) => [name, /^node (.*?)\s*(\S+\.ts)$/.exec(cmd)] as const)
  .filter((x): x is readonly [string, RegExpExecArray] => x[1] !== null)
  .map(([name, m]) => ({ name, prefix: m[1].split(' ').filter(Boolean), file: m[2] }));
const TSX = ['--import', 'tsx/esm'];

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
  console.log(`\n## Start-up (whole process; median of 3; load average ${loadavg()[0].toFixed(1)})`);
  const bare = measure(process.execPath, ['-e', '0']);
  const tsxBare = measure(process.execPath, [...TSX, '-e', '0']);
  console.log(`node -e 0: ${s(bare.wall)}; node ${TSX.join(' ')} -e 0: ${s(tsxBare.wall)} wall${tsxBare.cpu === null ? '' : `, ${s(tsxBare.cpu)} CPU`} (the floor of a command run through tsx)`);
  mkdirSync(join('node_modules', '.cache'), { recursive: true });
  const cache = mkdtempSync(join('node_modules', '.cache', 'bench-cli-cache-')); // in the project: bundles import its packages
  process.env.TSTRADER_CLI_CACHE = resolve(cache); // the first run below builds each bundle from scratch
  try {
    for (const c of COMMANDS) {
      const npmLine = [...c.prefix, c.file, '--help'];
      const build = wall(process.execPath, npmLine);
      const m = measure(process.execPath, npmLine);
      const viaTsx = c.prefix.includes('scripts/run.mjs') ? measure(process.execPath, [...TSX, c.file, '--help']) : null;
      console.log(`${c.name} --help: ${show(m, 500)}${viaTsx ? `; through tsx ${s(viaTsx.wall)} wall, ${viaTsx.cpu === null ? '' : `${s(viaTsx.cpu)} CPU`}; first run incl. bundle build ${s(build)}` : ''}`);
    }
    console.log(`setup:notebooks --help (bash): ${show(measure('bash', ['scripts/setup-notebooks.sh', '--help']), 500)}`);
    console.log(`npm run backtest -- --help: ${s(wall('npm', ['run', '--silent', 'backtest', '--', '--help']))} (npm's own start-up included, once)`);
    const out = mkdtempSync(join(tmpdir(), 'bench-train-'));
    try {
      const train = COMMANDS.find((c) => c.name === 'train')!;
      const args = ['--symbols', 'SYNA', '--model', 'rf', '--out', join(out, 'rf'), '--quiet'];
      const m = measure(process.execPath, [...train.prefix, train.file, ...args]);
      const viaTsx = measure(process.execPath, [...TSX, train.file, ...args]);
      console.log(`train --symbols SYNA --model rf (synthetic, 100 trees, whole process): ${show(m, 1500)}; through tsx ${s(viaTsx.wall)} wall${viaTsx.cpu === null ? '' : `, ${s(viaTsx.cpu)} CPU`}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
    delete process.env.TSTRADER_CLI_CACHE;
  }
  console.log(`(load average at the end ${loadavg()[0].toFixed(1)})`);
}

if (process.argv[1]?.endsWith('startup.ts')) void run();
