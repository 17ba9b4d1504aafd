import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { SimClock } from '../../lib/core/clock.js';
import { silentLogger } from '../../runner/loop.js';
import { createRunner, type Runner } from '../../runner/runner.js';

const TOKEN = 'test-token-drivers';
const dir = mkdtempSync(join(tmpdir(), 'api-drivers-'));
let runner: Runner | undefined;
afterAll(() => {
  runner?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/api/signals with a gbdt model', () => {
  it('the promoted gbdt trades in the runner and each ML entry signal names the features that pushed it', async () => {
    const config = parseConfig({
      broker: { provider: 'paper', commission: { per_share: 0, percent: 0, minimum: 0 }, slippage_bps: 0 },
      strategy: {
        active: ['ml'],
        // walk-forward as the runner retrains (every 63 bars on the last 756) under the default gate
        ml: { model: join(dir, 'model'), model_type: 'gbdt', confidence_threshold: 0.55, lookback: 756, retrain_every: 63 },
        regime_filter: { enabled: false },
      },
      // the seeded market with its planted effect (a bounce after RSI(14) < 35), enough of it for the gate to see
      data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB', 'SYNC', 'SYND', 'SYNE'], start: '2015-01-02', end: '2021-01-01', synthetic: { seed: 42, oversold_bounce: 0.025 } },
      runner: { mode: 'replay', replay_speed: 0 },
      api: { host: '127.0.0.1', port: 0 },
    });
    runner = await createRunner({
      config,
      secrets: { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: TOKEN, port: null },
      logger: silentLogger,
      stateDir: join(dir, 'state'),
    });
    for (const t of runner.loop.timeline()) {
      (runner.clock as SimClock).advanceTo(t);
      await runner.loop.step(t);
    }
    const srv = await runner.serve();
    try {
      const res = await fetch(`${srv.url}/api/signals?limit=1000`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      const body = JSON.stringify(await res.json());
      const entries = body.match(/P\(up\)=0\.\d+ >= 0\.55[^"]*/g) ?? [];
      expect(entries.length).toBeGreaterThan(0);
      for (const r of entries) expect(r).toMatch(/; drivers: [a-z_0-9]+ [+-]\d\.\d{3}.*\(log-odds\)/);
      // promoted by the gate, the gbdt trades in the runner: its entries were filled by the paper broker
      const fills = await fetch(`${srv.url}/api/fills?limit=1000`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const bought = ((await fills.json()) as Array<{ side: string }>).filter((f) => f.side === 'buy');
      expect(bought.length).toBeGreaterThan(0);
    } finally {
      await srv.close();
    }
  }, 120_000);
});
