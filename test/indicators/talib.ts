/**
 * TA-Lib reference values for the indicator tests, read from a committed fixture
 * (test/indicators/talib-reference.json.gz) that the real TA-Lib C library made through the npm `talib`
 * binding. The binding is a native addon that takes minutes to compile, so it is not a dependency: the
 * fixture is regenerated with `bash test/indicators/record-talib.sh`, which installs it without saving and
 * re-runs these tests with TALIB_RECORD=1 (every `ta()` call then goes to TA-Lib and is written down).
 *
 * A call is looked up by function name, options and a hash of its inputs, so a test that changes its inputs
 * fails with "no TA-Lib reference" until the fixture is regenerated, rather than comparing against nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
  error?: string;
}
interface TalibModule {
  execute(params: Record<string, unknown>): TalibResult;
}

const FIXTURE = join(process.cwd(), 'test/indicators/talib-reference.json.gz');
const RECORD = process.env.TALIB_RECORD === '1';

/** key -> output name -> little-endian Float64 values, base64 (NaN before TA-Lib's begIndex). */
type Fixture = Record<string, Record<string, string>>;

function readFixture(): Fixture {
  if (!existsSync(FIXTURE)) return {};
  return JSON.parse(gunzipSync(readFileSync(FIXTURE)).toString('utf8')) as Fixture;
}

const fixture: Fixture = readFixture();
const talib: TalibModule | null = RECORD ? (createRequire(process.cwd() + '/')('talib') as TalibModule) : null;

if (RECORD) {
  // Each test file merges what it recorded (the record script runs the files one after another).
  afterAll(() => {
    const merged = { ...readFixture(), ...fixture };
    const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
    writeFileSync(FIXTURE, gzipSync(JSON.stringify(sorted), { level: 9 }));
  });
}

function key(name: string, inputs: Record<string, ArrayLike<number>>, opts: Record<string, number>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(inputs).sort()) {
    h.update(k);
    h.update(new Uint8Array(Float64Array.from(inputs[k]).buffer));
  }
  const o = Object.keys(opts)
    .sort()
    .map((k) => `${k}=${opts[k]}`)
    .join(',');
  return `${name}(${o})#${h.digest('hex').slice(0, 24)}`;
}

const encode = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function decode(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A TA-Lib function over whole arrays; each output aligned to the input (NaN before begIndex). */
export function ta(name: string, inputs: Record<string, ArrayLike<number>>, opts: Record<string, number> = {}): Record<string, Float64Array> {
  const k = key(name, inputs, opts);
  if (!talib) {
    const hit = fixture[k];
    if (!hit) throw new Error(`no TA-Lib reference for ${k}: regenerate test/indicators/talib-reference.json.gz with bash test/indicators/record-talib.sh`);
    return Object.fromEntries(Object.entries(hit).map(([out, v]) => [out, decode(v)]));
  }
  const n = Object.values(inputs)[0].length;
  const params: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...opts };
  for (const [k2, v] of Object.entries(inputs)) params[k2] = Array.from(v);
  const r = talib.execute(params);
  if (r.error) throw new Error(`talib ${name}: ${r.error}`);
  const out: Record<string, Float64Array> = {};
  for (const [o, vals] of Object.entries(r.result)) {
    const a = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) a[r.begIndex + i] = vals[i];
    out[o] = a;
  }
  fixture[k] = Object.fromEntries(Object.entries(out).map(([o, a]) => [o, encode(a)]));
  return out;
}
