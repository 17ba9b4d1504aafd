/**
 * Serve a fixed set of files from installed packages or this repo: no directory listing, no path from the
 * request reaches the file system. Each file is read and gzipped once, on its first request, and then served
 * from memory with a validator-free long cache (names are fixed per release).
 */
import type { Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface AssetSpec {
  /** Absolute path of the file (or a function finding it on first use), or `{ text }` giving its content. */
  readonly source: string | (() => string) | { readonly text: () => string };
  readonly type: string;
}

interface Loaded {
  readonly raw: Buffer;
  readonly gz: Buffer;
}

/** The directory of an installed package (resolved from the working directory, then from this file). */
export function packageDir(name: string): string {
  const tries = [join(process.cwd(), 'package.json'), import.meta.url];
  for (const from of tries) {
    try {
      return dirname(createRequire(from).resolve(`${name}/package.json`));
    } catch {
      // try the next anchor
    }
  }
  throw new Error(`${name} is not installed: run \`npm install\``);
}

/** A handler for GET .../:name serving only the named files. */
export function assetRoute(files: Readonly<Record<string, AssetSpec>>, cacheSeconds = 3600) {
  const loaded = new Map<string, Loaded>();
  const load = (name: string, spec: AssetSpec): Loaded => {
    let l = loaded.get(name);
    if (!l) {
      const src = spec.source;
      const raw = typeof src === 'object' ? Buffer.from(src.text(), 'utf8') : readFileSync(typeof src === 'string' ? src : src());
      l = { raw, gz: gzipSync(raw) };
      loaded.set(name, l);
    }
    return l;
  };
  return (req: Request, res: Response) => {
    const name = String(req.params.name);
    const spec = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!spec) return void res.status(404).json({ error: `no asset ${name}` });
    const l = load(name, spec);
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.set({ 'Content-Type': spec.type, 'Cache-Control': `public, max-age=${cacheSeconds}`, Vary: 'Accept-Encoding', 'X-Content-Type-Options': 'nosniff' });
    if (gzip) res.set('Content-Encoding', 'gzip');
    res.send(gzip ? l.gz : l.raw);
  };
}

/** Headers for the HTML pages: everything from this origin only, no framing, no referrer. */
export function pageHeaders(res: Response): void {
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    // Plotly and Swagger UI set inline styles; scripts come only from this origin.
    'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  });
}
