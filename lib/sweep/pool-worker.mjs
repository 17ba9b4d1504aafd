// Entry of each pool thread. The job code is TypeScript: under `tsx` the thread inherits its loader; elsewhere
// (vitest, notebooks, plain node) tsx's loader is registered here first.
let mod;
try {
  mod = await import('./worker-thread.ts');
} catch (e) {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  const { register } = await import('tsx/esm/api');
  register();
  // A failed import stays cached under its URL: ask again under another one.
  mod = await import('./worker-thread.ts?tsx');
}
export default mod.default;
