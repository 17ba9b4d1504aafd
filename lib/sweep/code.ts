/**
 * Code by reference: a hash of the library sources and the locked dependency versions. Workers on other
 * machines compare it with their own and refuse jobs from different code, so one results table never mixes
 * two versions of the engine.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { poolWorkerFile } from './pool.js';

let cached: string | null = null;

function files(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (/\.(ts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** SHA-256 of lib/**\/*.ts (+ .mjs) and package-lock.json of this checkout (first 16 hex digits). */
export function codeHash(): string {
  if (cached) return cached;
  const lib = dirname(dirname(poolWorkerFile()));
  const root = dirname(lib);
  const h = createHash('sha256');
  for (const f of files(lib, []).sort()) h.update(`${relative(root, f)}\0`).update(readFileSync(f)).update('\0');
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  cached = h.digest('hex').slice(0, 16);
  return cached;
}
