/**
 * scripts/run.mjs, the npm scripts' launcher: it runs a command from a cached esbuild bundle, rebuilds the
 * bundle when a source changes, gives the command the argv and exit code it has under tsx, keeps each
 * source's import.meta.url, and falls back to tsx when told to (or when it cannot bundle).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Inside the project, as the real cache is: bundles and sources import its packages by name.
const base = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(join(base, 'launcher-test-'));
const cache = join(dir, 'cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function launch(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', ...args], { encoding: 'utf8', env: { ...process.env, TSTRADER_CLI_CACHE: cache, TSTRADER_DEBUG: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // as the project's
const entry = join(dir, 'entry.ts');
const helper = join(dir, 'helper.ts');
writeFileSync(
  entry,
  [
    "import { value } from './helper.js';",
    "import { stringify } from 'yaml';",
    "import { createRequire } from 'node:module';",
    // lib/ loads some packages this way (a CommonJS `require` in notebooks): a bundle must have a working one
    "const req = typeof require === 'function' ? require : createRequire(import.meta.url);",
    "if (typeof (req('yaml') as { parse?: unknown }).parse !== 'function') throw new Error('require');",
    'if (stringify({ a: 1 }) !== "a: 1\\n") throw new Error("yaml");',
    'const typed: number = value;',
    "console.log(JSON.stringify({ value: typed, argv1: process.argv[1], args: process.argv.slice(2), url: import.meta.url, lazy: (await import('./helper.js')).value }));",
    "process.exitCode = process.argv.includes('--fail') ? 3 : 0;",
  ].join('\n'),
);

describe('scripts/run.mjs', () => {
  it('runs a TypeScript file from a bundle built once, with its own argv, import.meta.url and exit code', () => {
    writeFileSync(helper, 'export const value: number = 1;\n');
    const first = launch([entry, 'a', '--fail']);
    expect(first.err).toMatch(/run\.mjs: built .*entry\.ts in \d+ ms/);
    expect(first.code).toBe(3);
    expect(JSON.parse(first.out)).toEqual({ value: 1, argv1: entry, args: ['a', '--fail'], url: pathToFileURL(entry).href, lazy: 1 });
    const again = launch([entry, 'b']);
    expect(again.err).toBe(''); // fresh: no rebuild
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).args).toEqual(['b']);
    expect(readdirSync(cache).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });

  it('rebuilds when a source it was built from changes', () => {
    writeFileSync(helper, 'export const value: number = 2; // changed\n');
    const r = launch([entry]);
    expect(r.err).toMatch(/built/);
    expect(JSON.parse(r.out).value).toBe(2);
    const manifest = JSON.parse(readFileSync(join(cache, readdirSync(cache).find((f) => f.endsWith('.json'))!), 'utf8')) as { inputs: Array<[string, number, number]> };
    expect(manifest.inputs.map(([f]) => f).filter((f) => f.endsWith('helper.ts') || f.endsWith('entry.ts'))).toHaveLength(2);
  });

  it('runs through tsx when told to (TSTRADER_CLI_BUNDLE=0), with the same result', () => {
    const r = launch([entry, 'c'], { TSTRADER_CLI_BUNDLE: '0' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ value: 2, argv1: entry, args: ['c'], url: pathToFileURL(entry).href, lazy: 2 });
  });

  it('falls back to tsx when it cannot bundle, and says why under TSTRADER_DEBUG', () => {
    const odd = join(dir, 'odd.ts');
    writeFileSync(odd, "import missing from './nowhere.js';\nconsole.log(missing);\n");
    const r = launch([odd]);
    expect(r.err).toMatch(/run\.mjs: cannot bundle .*odd\.ts \(.*nowhere\.js.*\); running it through tsx/s);
    expect(r.code).not.toBe(0); // tsx cannot find it either
  });

  it('a real command answers the same from the bundle as through tsx', () => {
    const bundled = launch(['scripts/backtest.ts', '--help'], { TSTRADER_DEBUG: '' });
    const tsx = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backtest.ts', '--help'], { encoding: 'utf8' });
    expect(bundled.code).toBe(0);
    expect(bundled.out).toBe(tsx.stdout);
    const bad = launch(['scripts/backtest.ts', '--frobnicate'], { TSTRADER_DEBUG: '' });
    expect([bad.code, bad.err]).toEqual([2, 'backtest: unknown option --frobnicate\n(backtest --help lists the options)\n']);
  });

  it('refuses a cache outside the project (its bundles could not import the packages)', () => {
    const r = launch([entry], { TSTRADER_CLI_CACHE: tmpdir() });
    expect(r.err).toBe(`run.mjs: TSTRADER_CLI_CACHE=${tmpdir()} is outside ${process.cwd()}: bundles there cannot import the project's packages\n`);
    expect(r.code).toBe(2);
  });

  it('refuses a call without a .ts file', () => {
    const r = launch([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^usage: node scripts\/run\.mjs scripts\/NAME\.ts/);
  });
});
