/**
 * tfjs on the wasm backend (tfjs-node cannot be installed here). The .wasm binaries ship inside the
 * package; we point the loader at the package's dist folder on disk so nothing is fetched over a network.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let ready: Promise<string> | null = null;

function wasmDistDir(): string {
  // No import.meta here (tslab compiles lib/ to CommonJS): resolve from CommonJS require when it exists,
  // else from the working directory (the repository root for scripts, tests and notebooks).
  const req = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));
  return join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** Initialise the wasm backend once; resolves to the backend name in use. */
export function ensureBackend(): Promise<string> {
  if (!ready) {
    ready = (async () => {
      setWasmPaths(wasmDistDir());
      await tf.setBackend('wasm');
      await tf.ready();
      return tf.getBackend();
    })();
  }
  return ready;
}

export { tf };
