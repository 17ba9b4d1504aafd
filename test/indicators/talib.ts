/**
 * The TA-Lib C library through the npm `talib` binding, as the reference implementation in tests.
 * It is a native addon: if it did not build on this machine, `talib` is null and the TA-Lib tests are skipped
 * (the hand-computed and technicalindicators checks still run).
 */
import { createRequire } from 'node:module';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
  error?: string;
}
interface TalibModule {
  execute(params: Record<string, unknown>): TalibResult;
}

function load(): TalibModule | null {
  try {
    return createRequire(process.cwd() + '/')('talib') as TalibModule;
  } catch {
    return null;
  }
}

export const talib = load();

/** Runs a TA-Lib function over whole arrays; returns each output aligned to the input (NaN before begIndex). */
export function ta(name: string, inputs: Record<string, ArrayLike<number>>, opts: Record<string, number> = {}): Record<string, Float64Array> {
  if (!talib) throw new Error('talib not available');
  const first = Object.values(inputs)[0];
  const n = first.length;
  const params: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...opts };
  for (const [k, v] of Object.entries(inputs)) params[k] = Array.from(v);
  const r = talib.execute(params);
  if (r.error) throw new Error(`talib ${name}: ${r.error}`);
  const out: Record<string, Float64Array> = {};
  for (const [k, vals] of Object.entries(r.result)) {
    const a = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) a[r.begIndex + i] = vals[i];
    out[k] = a;
  }
  return out;
}
