/** npm run bench: every benchmark in bench/, printing figures (never asserted in tests). */
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const only = process.argv.slice(2);
const dir = resolve(process.cwd(), 'bench');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'util.ts')
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort((a, b) => order(a) - order(b));

function order(f: string): number {
  const i = ['data', 'indicators', 'features', 'engine', 'ml', 'runner'].findIndex((p) => f.startsWith(p));
  return i < 0 ? 99 : i;
}

console.log(`# tstrader benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
console.log('Peer figures say whether they were measured in this run or copied from ../shared/REFERENCES.md. Wall times on a shared machine are noisy: CPU times are printed beside them.');
for (const f of files) {
  const mod = (await import(pathToFileURL(resolve(dir, f)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run === 'function') await mod.run();
}
