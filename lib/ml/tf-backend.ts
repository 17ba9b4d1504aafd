/**
 * tfjs for the MLP: tfjs-core + tfjs-layers on the wasm backend (tfjs-node cannot be installed here; the
 * umbrella `@tensorflow/tfjs` would also load the webgl, converter and data packages the MLP never uses).
 * Loaded on first use, not at import: the rest of lib/ml (the Random Forest, the registry, training) must not
 * pay tfjs's start-up cost. The .wasm binaries ship inside the package; the loader is pointed at the
 * package's dist folder on disk so nothing is fetched over a network.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';

/** What the MLP uses: the core ops and the layers API, one namespace like the umbrella package's. */
export type Tf = Omit<typeof TfCore, 'default'> & Omit<typeof TfLayers, 'default'>;
export type { TfCore, TfLayers };

// No import.meta here (tslab compiles lib/ to CommonJS): CommonJS require when it exists, else one made
// from the working directory (the repository root for scripts, tests and notebooks).
const req = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));

let tf: Tf | null = null;
let ready: Promise<string> | null = null;

/** The tfjs namespace, loading it on the first call. */
export function tfjs(): Tf {
  tf ??= { ...(req('@tensorflow/tfjs-core') as typeof TfCore), ...(req('@tensorflow/tfjs-layers') as typeof TfLayers) };
  return tf;
}

/** Initialise the wasm backend once; resolves to the backend name in use. */
export function ensureBackend(): Promise<string> {
  if (!ready) {
    ready = (async () => {
      const t = tfjs();
      const wasm = req('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;
      wasm.setWasmPaths(join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
      await t.setBackend('wasm');
      await t.ready();
      return t.getBackend();
    })();
  }
  return ready;
}
