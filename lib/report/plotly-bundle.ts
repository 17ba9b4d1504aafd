/**
 * The Plotly bundle as text, read once from node_modules so reports work with no network. It is the finance
 * partial bundle (plotly.js-finance-dist-min, 1.3 MB: scatter, bar, histogram, candlestick, ohlc...) rather than
 * the full 4.8 MB one: that is every trace the reports and notebooks draw; heatmaps are HTML tables
 * (lib/report/table-heatmap.ts). Every place that inlines Plotly goes through here, so all use this one bundle.
 * It has to be found from ESM (vitest, tsx: no `require`), CommonJS (tslab compiles notebooks to CJS) and
 * compiled code alike, without import.meta, so several places are tried in order:
 *   1. the PLOTLY_JS_PATH environment variable (an explicit file),
 *   2. `require.resolve` where CommonJS `require` exists (resolves from this file's location),
 *   3. `createRequire` anchored at the working directory's package.json,
 *   4. node_modules/plotly.js-finance-dist-min/plotly-finance.min.js in the working directory and each parent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PACKAGE = 'plotly.js-finance-dist-min';
const FILE = 'plotly-finance.min.js';

let cached: { path: string; source: string } | null = null;

function candidatePaths(): string[] {
  const out: string[] = [];
  const env = process.env.PLOTLY_JS_PATH;
  if (env) out.push(env);
  try {
    if (typeof require === 'function' && typeof require.resolve === 'function') out.push(require.resolve(PACKAGE));
  } catch {
    // not resolvable from here; try the next place
  }
  try {
    out.push(createRequire(join(process.cwd(), 'package.json')).resolve(PACKAGE));
  } catch {
    // no package.json or package under the working directory
  }
  for (let d = process.cwd(); ; d = dirname(d)) {
    out.push(join(d, 'node_modules', PACKAGE, FILE));
    if (dirname(d) === d) break;
  }
  return out;
}

/** Absolute path of the Plotly bundle; throws listing every place tried when it is missing. */
export function plotlyBundlePath(): string {
  if (cached) return cached.path;
  const tried = candidatePaths();
  const found = tried.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`${PACKAGE} not found (tried: ${tried.join(', ')}); run \`npm install\` or set PLOTLY_JS_PATH to ${FILE}`);
  }
  return found;
}

/** The bundle's JavaScript source (cached after the first read). */
export function plotlyBundleSource(): string {
  if (!cached) {
    const path = plotlyBundlePath();
    cached = { path, source: readFileSync(path, 'utf8') };
  }
  return cached.source;
}

/** The version in the bundle's banner ("4.1.0"), for the generated-by line. */
export function plotlyVersion(): string {
  const m = /plotly\.js \([a-z -]+\) v(\d+\.\d+\.\d+)/.exec(plotlyBundleSource().slice(0, 200));
  return m ? m[1] : 'unknown';
}
