/** /api/metrics is lib/metrics over the runner's journal: the same numbers as the backtest report of the same run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { executionFromConfig, runBacktest } from '../../lib/engine/index.js';
import { computeMetrics } from '../../lib/metrics/index.js';
import { backtestMetricsInput } from '../../lib/report/index.js';
import { SmaCrossover } from '../../lib/strategy/index.js';
import { silentLogger } from '../../runner/loop.js';
import { createRunner } from '../../runner/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('/api/metrics', () => {
  it('equals lib/metrics on the backtest of the same run (maxDrawdown negative, as in reports)', async () => {
    const config = parseConfig({
      broker: { provider: 'paper', commission: { per_share: 0.005, percent: 0, minimum: 1 }, slippage_bps: 2 },
      strategy: { active: ['sma-crossover'], sma_crossover: { fast: 5, slow: 20 } },
      data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB'], start: '2020-01-01', end: '2021-06-30', synthetic: { seed: 7 } },
      runner: { mode: 'replay', replay_speed: 0 },
    });
    const r = await createRunner({ config, secrets: { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: null, port: null }, logger: silentLogger, stateDir: dir });
    await r.replay(0, () => false);
    const api = r.control.metrics();
    const x = executionFromConfig(config);
    const bt = runBacktest({ series: r.series, strategy: new SmaCrossover({ fast: 5, slow: 20 }), initialCash: x.initialCash, commission: x.commission, slippageBps: x.slippageBps, fillAt: x.fillAt, limits: x.limits, sizing: x.sizing });
    const report = computeMetrics(backtestMetricsInput(bt));
    r.close();
    expect(api.maxDrawdown).toBeLessThan(0);
    expect(api.maxDrawdown).toBeCloseTo(report.maxDrawdown, 10);
    expect(api.totalReturn).toBeCloseTo(report.totalReturn, 10);
    expect(api.sharpe!).toBeCloseTo(report.sharpe!, 8);
    expect(api.sortino!).toBeCloseTo(report.sortino!, 8);
    expect(api.closedTrades).toBe(report.numTrades);
    expect(api.winRate).toBe(report.winRate);
    expect(api.equityPoints).toBe(report.bars);
    expect(api.fills).toBe(bt.fills.length);
  });
});
