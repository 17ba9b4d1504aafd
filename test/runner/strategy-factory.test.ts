import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { readMetadata } from '../../lib/ml/registry.js';
import { chooseStrategy } from '../../runner/strategy-factory.js';

const dir = mkdtempSync(join(tmpdir(), 'models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const series = syntheticMarket({ symbols: ['SYNA', 'SYNB'], start: '2018-01-01', end: '2021-01-01', seed: 9 });

function logger() {
  const lines: string[] = [];
  const push = (_o: object, m?: string) => void lines.push(m ?? '');
  return { lines, log: { info: push, warn: push, error: push, debug: push } };
}

describe('the promoted strategy', () => {
  it('trains a configured model that does not exist (and says so), gates it, then loads it; refuses one whose features differ or that the gate fails', async () => {
    const model = join(dir, 'rf-test');
    // A lenient gate: this small market (3 years, 2 symbols) is too little evidence for the default one.
    const lenient = { level: 0.99, auc_level: 0.99, min_deflated_sharpe: 0, min_rows: 1 };
    const ml = { model, retrain_every: 21, lookback: 252, min_accuracy: 0, gate: lenient };
    const cfg = parseConfig({ strategy: { active: ['ml'], ml } });
    const l = logger();
    const a = await chooseStrategy(cfg, series, l.log);
    expect(l.lines.some((m) => /does not exist: training a rf model/.test(m))).toBe(true);
    expect(l.lines.some((m) => /passed the promotion gate/.test(m))).toBe(true);
    expect(a.strategy.name).toMatch(/^ml\(/);
    expect(a.model).toContain(model);
    const meta = readMetadata(model);
    expect(meta.gate?.statistics.rows).toBeGreaterThan(100);
    expect(meta.gate?.evaluatedOn).toMatch(/^walk-forward out-of-sample/);

    const l2 = logger();
    const again = await chooseStrategy(cfg, series, l2.log);
    expect(l2.lines.some((m) => /does not exist/.test(m))).toBe(false); // loaded, not trained again
    expect(again.strategy.name).toBe(a.strategy.name);

    const mismatched = parseConfig({ strategy: { active: ['ml'], ml: { ...ml, features: ['return_1d', 'rsi_14'] } } });
    await expect(chooseStrategy(mismatched, series, logger().log)).rejects.toThrow(/different features/);
    // The same stored statistics under the default gate: refused, with the gate's reasons.
    const strict = parseConfig({ strategy: { active: ['ml'], ml: { model, min_accuracy: 0.99 } } });
    await expect(chooseStrategy(strict, series, logger().log)).rejects.toThrow(/promotion gate refuses this model: .*min-accuracy: accuracy [0-9.]+%, floor strategy.ml.min_accuracy 99.0%/);
  }, 120_000);

  it('refuses a model without a gate verdict (trained before the gate existed)', async () => {
    const model = join(dir, 'rf-test');
    const metaFile = join(model, 'metadata.json');
    const saved = readFileSync(metaFile, 'utf8');
    const { gate: _gate, ...old } = JSON.parse(saved) as Record<string, unknown>;
    writeFileSync(metaFile, JSON.stringify(old));
    try {
      const cfg = parseConfig({ strategy: { active: ['ml'], ml: { model, min_accuracy: 0 } } });
      await expect(chooseStrategy(cfg, series, logger().log)).rejects.toThrow(/no promotion gate verdict/);
    } finally {
      writeFileSync(metaFile, saved);
    }
  });

  it('sma-crossover and buy-and-hold come straight from the config', async () => {
    expect((await chooseStrategy(parseConfig({ strategy: { active: ['sma-crossover'], sma_crossover: { fast: 4, slow: 9 } } }), series, logger().log)).strategy.name).toBe('sma-crossover(4,9)');
    expect((await chooseStrategy(parseConfig({ strategy: { active: ['buy-and-hold'] } }), series, logger().log)).strategy.name).toBe('buy-and-hold');
  });
});
