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
  it('each ML entry signal names the features that pushed it', async () => {
    const config = parseConfig({
      broker: { provider: 'paper', commission: { per_share: 0, percent: 0, minimum: 0 }, slippage_bps: 0 },
      strategy: {
        active: ['ml'],
        // about the reasons on signals, not the gate (test/ml/gate.test.ts): a gate that passes any record
        ml: { model: join(dir, 'model'), model_type: 'gbdt', confidence_threshold: 0.55, min_accuracy: 0, gate: { level: 0.999999, auc_level: 0.999999, min_deflated_sharpe: 0 } },
        regime_filter: { enabled: false },
      },
      data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB'], start: '2018-01-01', end: '2021-06-01', synthetic: { seed: 3 } },
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
    } finally {
      await srv.close();
    }
  }, 120_000);
});
