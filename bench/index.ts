/** npm run bench [-- NAME ...]: every benchmark in bench/ (or those whose file name starts with a NAME), printing figures (never asserted in tests). */
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommand, runCommand, UsageError } from '../lib/cli.js';

const dir = resolve(process.cwd(), 'bench');
const ALL = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'util.ts')
  .map((f) => f.slice(0, -3));

export const SPEC = {
  name: 'bench',
  usage: 'npm run bench [-- NAME ...]',
  summary: 'Speed figures: cold (one ordinary run incl. start-up) and warm, with peers where installed. Slow on a loaded machine: run one NAME while developing.',
  positionals: { arg: 'NAME ...', help: `benchmarks whose file name starts with NAME (default: all of ${ALL.join(', ')})` },
  options: {},
} as const;

function order(f: string): number {
  const i = ['startup', 'data', 'indicators', 'features', 'engine', 'ml', 'runner'].findIndex((p) => f.startsWith(p));
  return i < 0 ? 99 : i;
}

async function main(): Promise<number> {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const only = parsed.positionals;
  for (const o of only) if (!ALL.some((f) => f.startsWith(o))) throw new UsageError(`no benchmark named ${o}* (have ${ALL.join(', ')})`);
  const files = ALL.filter((f) => only.length === 0 || only.some((o) => f.startsWith(o))).sort((a, b) => order(a) - order(b));
  console.log(`# tstrader benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
  console.log('Peer figures say whether they were measured in this run or copied from ../shared/REFERENCES.md. Wall times on a shared machine are noisy: CPU times are printed beside them.');
  // The benchmarks are TypeScript imported by name at run time: from the npm script's bundle (no loader yet)
  // they load through tsx's loader, registered here.
  if (!process.execArgv.some((a) => a.includes('tsx'))) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  for (const f of files) {
    const mod = (await import(pathToFileURL(resolve(dir, `${f}.ts`)).href)) as { run?: () => Promise<void> };
    if (typeof mod.run === 'function') await mod.run();
  }
  return 0;
}

// Run only as the command: tests import SPEC.
if ((process.argv[1] ?? '').endsWith(join('bench', 'index.ts'))) runCommand('bench', main);
