import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { readMetadata } from '../../lib/ml/registry.js';
import { chooseStrategy } from '../../runner/strategy-factory.js';

const dir = mkdtempSync(join(tmpdir(), 'models-gbdt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Five symbols over six years of the seeded market with its planted effect (a bounce after RSI(14) < 35): only
// ~4% of rows are oversold, so the gate needs this many out-of-sample rows, and the gbdt windows of 756 bars,
// to see the edge. The same market with oversold_bounce 0 is the negative control.
const market = (oversoldBounce: number) => syntheticMarket({ symbols: ['SYNA', 'SYNB', 'SYNC', 'SYND', 'SYNE'], start: '2015-01-02', end: '2021-01-01', seed: 42, oversoldBounce });
// Walk-forward as the runner retrains: every 63 bars on the last 756; the default gate.
const ml = { model_type: 'gbdt', lookback: 756, retrain_every: 63 } as const;

function logger() {
  const lines: string[] = [];
  const push = (_o: object, m?: string) => void lines.push(m ?? '');
  return { lines, log: { info: push, warn: push, error: push, debug: push } };
}

describe('the runner with model_type gbdt', () => {
  it('trains the configured gbdt model when it is missing, gates it, registers it as gbdt and loads it as the runner\'s ML strategy', async () => {
    const model = join(dir, 'gbdt-planted');
    const cfg = parseConfig({ strategy: { active: ['ml'], ml: { ...ml, model } } });
    const l = logger();
    const choice = await chooseStrategy(cfg, market(0.025), l.log);
    expect(l.lines.some((m) => /training a gbdt model/.test(m))).toBe(true);
    expect(l.lines.some((m) => /passed the promotion gate/.test(m))).toBe(true);
    const meta = readMetadata(model);
    expect(meta.modelType).toBe('gbdt');
    expect(meta.gate?.verdict.promotable).toBe(true);
    expect(meta.gate?.evaluatedOn).toMatch(/^walk-forward out-of-sample/);
    // the planted effect is what gets it through: accuracy above the base rate with p well under the 0.05 level
    expect(meta.gate!.statistics.accuracy).toBeGreaterThan(meta.gate!.statistics.baseRate);
    expect(meta.gate!.statistics.accuracyPValue).toBeLessThan(0.01);
    expect(choice.strategy.name).toMatch(/^ml\(/);
    expect(choice.model).toContain('(gbdt,');
  }, 120_000);

  it('refuses the gbdt trained on the same market without the planted effect, with the gate’s reasons', async () => {
    const model = join(dir, 'gbdt-null');
    const cfg = parseConfig({ strategy: { active: ['ml'], ml: { ...ml, model } } });
    const l = logger();
    await expect(chooseStrategy(cfg, market(0), l.log)).rejects.toThrow(/the promotion gate refuses this model: .*base-rate: accuracy [0-9.]+% vs base rate [0-9.]+% .*p = [0-9.]+, level 0\.05/);
    expect(l.lines.some((m) => /training a gbdt model/.test(m))).toBe(true);
    const meta = readMetadata(model); // registered with its verdict, but not promotable
    expect(meta.modelType).toBe('gbdt');
    expect(meta.gate?.verdict.promotable).toBe(false);
  }, 120_000);
});
