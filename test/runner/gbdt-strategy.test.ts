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
const series = syntheticMarket({ symbols: ['SYNA', 'SYNB'], start: '2018-01-01', end: '2021-01-01', seed: 9 });

describe('the runner with model_type gbdt', () => {
  it('trains the configured gbdt model when it is missing, registers it as gbdt and trades it as the ML strategy', async () => {
    const model = join(dir, 'gbdt-test');
    // This is about the gbdt path, not the gate (test/ml/gate.test.ts): a gate that passes any record, so a
    // short synthetic window the gbdt cannot beat the base rate on does not stop the runner.
    const gate = { level: 0.999999, auc_level: 0.999999, min_deflated_sharpe: 0 };
    const cfg = parseConfig({ strategy: { active: ['ml'], ml: { model, model_type: 'gbdt', min_accuracy: 0, gate } } });
    const lines: string[] = [];
    const push = (_o: object, m?: string) => void lines.push(m ?? '');
    const choice = await chooseStrategy(cfg, series, { info: push, warn: push, error: push, debug: push });
    expect(lines.some((m) => /training a gbdt model/.test(m))).toBe(true);
    expect(readMetadata(model).modelType).toBe('gbdt');
    expect(choice.strategy.name).toMatch(/^ml\(.*gbdt\)$/);
  }, 60_000);
});
