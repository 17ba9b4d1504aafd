import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** ../shared/data when this checkout sits beside it (development machines, CI); benchmarks fall back otherwise. */
export const SHARED_DATA = [resolve(process.cwd(), '../shared/data'), '/work/shared/data'].find((p) => existsSync(p)) ?? resolve(process.cwd(), '../shared/data');

export function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
