// The npm scripts' launcher: `node scripts/run.mjs scripts/NAME.ts [args]` runs that TypeScript command from a
// bundle (esbuild, dependencies left external, dynamic imports kept lazy as chunks) cached under
// node_modules/.cache/tstrader-cli, and rebuilds it when any source it was built from changed. Why: under
// `node --import tsx` every module, ours and each file of every dependency, goes through module hooks on a
// separate thread, which measured 1.3 s of CPU for a one-symbol `train` (of 2.4 s) and most of a `--help`.
// From the bundle the same commands need no hooks. Plain JavaScript, so it starts without a loader. If the
// bundle cannot be built, the command runs through tsx's loader as before (TSTRADER_DEBUG=1 says why).
// TSTRADER_CLI_CACHE moves the cache within the project (tests); TSTRADER_CLI_BUNDLE=0 runs through tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const VERSION = 2; // bump when the build options change: every cached bundle is rebuilt
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [node, , entryArg, ...args] = process.argv;
if (!entryArg || !entryArg.endsWith('.ts')) {
  process.stderr.write('usage: node scripts/run.mjs scripts/NAME.ts [args] (the npm scripts call it)\n');
  process.exit(2);
}
const entry = resolve(root, entryArg);
const debug = (msg) => {
  if (process.env.TSTRADER_DEBUG) process.stderr.write(`run.mjs: ${msg}\n`);
};

/** Sources a bundle was built from, with their sizes and mtimes: the bundle is fresh while these match. */
function stamp(files) {
  return files.map((f) => {
    const s = statSync(join(root, f));
    return [f, s.size, s.mtimeMs];
  });
}

function fresh(manifest) {
  if (manifest.version !== VERSION || manifest.entry !== relative(root, entry)) return false;
  try {
    const now = stamp(manifest.inputs.map(([f]) => f));
    return now.every(([f, size, mtime], i) => manifest.inputs[i][0] === f && manifest.inputs[i][1] === size && manifest.inputs[i][2] === mtime);
  } catch {
    return false; // a source was removed
  }
}

// `import.meta.url` in a bundle would name the bundle's chunk; each source keeps its own URL instead (the
// runner finds its dashboard files next to its source).
const keepImportMeta = {
  name: 'keep-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const url = pathToFileURL(a.path).href;
      const contents = text
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(a.path)))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(a.path));
      return { contents, loader: 'ts' };
    });
  },
};

async function build(cache, name) {
  const { build: esbuild } = await import('esbuild');
  const tmp = join(cache, `.tmp-${process.pid}-${Date.now()}`);
  const r = await esbuild({
    absWorkingDir: root,
    entryPoints: [entry],
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [keepImportMeta],
    // The library loads some packages with `require` when it has one (notebooks compile it to CommonJS):
    // give every bundle file a real one, or esbuild's stand-in would throw "Dynamic require ... not supported".
    banner: { js: "import { createRequire as __tstraderCreateRequire } from 'node:module'; const require = __tstraderCreateRequire(import.meta.url);" },
  });
  const inputs = stamp([...Object.keys(r.metafile.inputs), 'tsconfig.json', 'package.json'].filter((f) => existsSync(join(root, f))).sort());
  const hash = createHash('sha256').update(JSON.stringify([VERSION, inputs])).digest('hex').slice(0, 16);
  const out = join(cache, `${name}-${hash}`);
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process built the same sources first
  }
  const manifest = { version: VERSION, entry: relative(root, entry), dir: basename(out), inputs };
  const file = join(cache, `${name}.json`);
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(manifest));
  renameSync(`${file}.${process.pid}`, file);
  // Older builds of this command: gone once nothing can still be starting from them.
  for (const d of readdirSync(cache)) {
    if (d.startsWith(`${name}-`) && d !== basename(out) && Date.now() - statSync(join(cache, d)).mtimeMs > 600_000) rmSync(join(cache, d), { recursive: true, force: true });
  }
  return out;
}

async function bundled() {
  if (process.env.TSTRADER_CLI_BUNDLE === '0') return null;
  const cache = resolve(process.env.TSTRADER_CLI_CACHE ?? join(root, 'node_modules', '.cache', 'tstrader-cli'));
  // The bundles import the dependencies by name: they must sit where node finds the project's node_modules.
  if (relative(root, cache).startsWith('..')) {
    process.stderr.write(`run.mjs: TSTRADER_CLI_CACHE=${cache} is outside ${root}: bundles there cannot import the project's packages\n`);
    process.exit(2);
  }
  const name = relative(root, entry).replace(/\.ts$/, '').replace(/[^\w.-]+/g, '_');
  let dir = null;
  try {
    const manifest = JSON.parse(readFileSync(join(cache, `${name}.json`), 'utf8'));
    if (fresh(manifest) && existsSync(join(cache, manifest.dir))) dir = join(cache, manifest.dir);
  } catch {
    // no bundle yet
  }
  if (!dir) {
    try {
      mkdirSync(cache, { recursive: true });
      const t0 = performance.now();
      dir = await build(cache, name);
      debug(`built ${relative(root, entry)} in ${Math.round(performance.now() - t0)} ms`);
    } catch (e) {
      debug(`cannot bundle ${relative(root, entry)} (${e?.message ?? e}); running it through tsx`);
      return null;
    }
  }
  return join(dir, `${basename(entry, '.ts')}.js`);
}

const file = await bundled();
// The command sees the command line it would see under tsx: argv[1] is its own source file.
process.argv = [node, entry, ...args];
if (file) {
  process.setSourceMapsEnabled(true); // stack traces name the .ts sources
  await import(pathToFileURL(file).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}
