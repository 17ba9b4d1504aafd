/**
 * Runner API latency under load: autocannon at a fixed 1,000 requests/s on GET /api/status (loopback) for a
 * few seconds while a replay loop trades the synthetic market with the paper broker in the same process.
 * Target: p99 < 10 ms. Also reports the loop's throughput (bar steps per second, journal included).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../lib/config/index.js';
import { silentLogger } from '../runner/loop.js';
import { createRunner } from '../runner/runner.js';

const TOKEN = 'bench-token';

interface Load {
  rps: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * autocannon in its own process, so the load generator does not share the server's event loop. With
 * `overallRate`, autocannon releases one request per connection per tick, so 10 connections arrive as bursts
 * of 10 at once and queue behind each other: a bare node:http server then shows a p99 of ~15 ms here. 4
 * connections spread the same 1,000 req/s more evenly (bare p99 ~4 ms); both are reported.
 */
function loadTest(url: string, seconds: number, connections: number): Promise<Load> {
  const script = `
    const autocannon = require(require.resolve('autocannon', { paths: [process.cwd()] }));
    autocannon({ url: ${JSON.stringify(url)}, headers: { authorization: 'Bearer ${TOKEN}' }, connections: ${connections}, overallRate: 1000, duration: ${seconds} }, (err, r) => {
      if (err) { console.error(err); process.exit(1); }
      process.stdout.write(JSON.stringify({ rps: r.requests.average, latency: r.latency, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts }));
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`autocannon exited ${code}`))));
  });
}

function describe(what: string, r: Load, target = true): string {
  const l = r.latency;
  const verdict = target ? ` (target p99 < 10 ms: ${l.p99 < 10 ? 'met' : 'NOT met'})` : '';
  return `runner: ${what}: ${r.rps.toFixed(0)} req/s, p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms; ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts${verdict}`;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-runner-'));
  const config = parseConfig({
    broker: { provider: 'paper' },
    strategy: { active: ['sma-crossover'], sma_crossover: { fast: 10, slow: 30 } },
    data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB', 'SYNC', 'SYND', 'SYNE'], start: '2015-01-02', end: '2025-01-01' },
    runner: { mode: 'replay' },
    api: { host: '127.0.0.1', port: 0 },
  });
  const runner = await createRunner({
    config,
    secrets: { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: TOKEN, port: null },
    logger: silentLogger,
    stateDir: dir,
  });
  const srv = await runner.serve();
  try {
    // Full-speed replay first: the loop's own throughput.
    const t0 = performance.now();
    let steps = 0;
    const half = Math.floor(runner.loop.timeline().length / 2);
    await runner.replay(0, () => ++steps > half);
    const sps = half / ((performance.now() - t0) / 1000);
    console.log(`runner: replay loop ${half} steps x 5 symbols (paper broker + SQLite journal, WAL, synchronous=FULL, state on ${dir.startsWith('/dev/shm') ? 'tmpfs: no fsync cost' : 'disk'}) at ${sps.toFixed(0)} steps/s`);

    console.log(`runner: machine load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores (latency percentiles suffer when it exceeds the core count)`);
    // The floor on this machine: a bare node:http server answering a fixed JSON body.
    const bare = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const barePort = (bare.address() as AddressInfo).port;
    for (const connections of [4, 10]) {
      const how = `${connections} connections${connections === 10 ? ', bursty' : ''}`;
      console.log(describe(`bare node:http baseline (the machine floor), 1,000 req/s for 3 s, ${how}`, await loadTest(`http://127.0.0.1:${barePort}/`, 3, connections), false));
      // The API alone, then under the same load while the replay continues at 200 bars/s.
      console.log(describe(`GET /api/status, 1,000 req/s for 3 s, ${how}, loop idle`, await loadTest(`${srv.url}/api/status`, 3, connections)));
      let stop = false;
      const before = runner.loop.barsProcessed;
      const replaying = runner.replay(200, () => stop);
      const busy = await loadTest(`${srv.url}/api/status`, 5, connections);
      stop = true;
      await replaying;
      console.log(describe(`GET /api/status, 1,000 req/s for 5 s, ${how}, while replaying (${runner.loop.barsProcessed - before} steps meanwhile)`, busy));
    }
    bare.close();
  } finally {
    await srv.close();
    runner.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if ((process.argv[1] ?? '').endsWith('runner.ts')) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
