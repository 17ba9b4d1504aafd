/**
 * Start-up cost: importing the data and ml barrels (as every command does) must not load yahoo-finance2,
 * nodejs-polars or tfjs; they load on first use. Checked in a fresh process through an ESM resolve hook
 * (for `import`) and the CommonJS require cache (for `require`), with positive controls that load them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPT = `
import { register, createRequire } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(s, c, next) { const r = await next(s, c); if (/yahoo-finance2|nodejs-polars|@tensorflow/.test(r.url)) console.log("import " + r.url.replace(/.*node_modules\\\\//, "")); return r; }'));
const heavy = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /nodejs-polars|@tensorflow/.test(k)).length;
const data = await import('./lib/data/index.ts');
await import('./lib/ml/index.ts');
await import('./lib/strategy/ml/index.ts');
console.log('after barrels: require cache ' + heavy());
data.toDataFrame(data.syntheticMarket({ symbols: ['A'], start: '2020-01-01', end: '2020-02-01' })[0]);
const ml = await import('./lib/ml/index.ts');
await ml.ensureBackend();
console.log('after use: require cache ' + heavy());
await import('yahoo-finance2');
`;

describe('heavy modules load only when used', () => {
  it('the data and ml barrels load neither yahoo-finance2, polars nor tfjs', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: process.cwd(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    const i = lines.indexOf('after barrels: require cache 0');
    expect(i, r.stdout).toBeGreaterThanOrEqual(0);
    expect(lines.slice(0, i)).toEqual([]); // nothing heavy imported before
    // positive controls: using them loads them, and the hook sees the import
    expect(lines.find((l) => l.startsWith('after use: require cache '))).not.toBe('after use: require cache 0');
    expect(lines.at(-1)).toMatch(/^import yahoo-finance2\//);
  });
});
