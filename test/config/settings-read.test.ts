/**
 * Config drift: every setting of the schema is read by the code that runs (lib/, runner/, scripts/ outside
 * lib/config/), so a setting nothing reads fails here instead of lingering in config.yaml. "Read" is a property
 * access `.name` in code (comments stripped); a setting whose name nothing reads is certainly unused.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';

function leafPaths(o: unknown, path: string[] = []): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [path.join('.')];
  return Object.entries(o).flatMap(([k, v]) => leafPaths(v, [...path, k]));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const code = ['lib', 'runner', 'scripts']
  .flatMap((d) => sources(d))
  .filter((p) => !p.startsWith(join('lib', 'config') + '/'))
  .map((p) =>
    readFileSync(p, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, ''),
  )
  .join('\n');

const reads = (name: string): boolean => new RegExp(`\\??\\.${name}\\b`).test(code);

describe('config settings', () => {
  const settings = leafPaths(configSchema.parse({}));

  it('the schema has the settings the README names (sanity: the walk finds nested ones)', () => {
    expect(settings).toContain('broker.commission.per_share');
    expect(settings).toContain('strategy.ml.gate.min_deflated_sharpe');
    expect(settings).toContain('data.timezone');
    expect(settings.length).toBeGreaterThan(60);
  });

  it('every one is read somewhere outside lib/config', () => {
    const unread = settings.filter((s) => !reads(s.split('.').at(-1)!));
    expect(unread).toEqual([]);
  });

  it('the check catches a setting nothing reads (negative control)', () => {
    expect(reads('currency')).toBe(false);
    expect(reads('daily_minutes')).toBe(false);
    expect(reads('retry_after_cap_seconds')).toBe(true);
  });
});
