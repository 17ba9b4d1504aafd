import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
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
  it('trains a configured model that does not exist (and says so), then loads it; refuses one whose features differ', async () => {
    const model = join(dir, 'rf-test');
    const cfg = parseConfig({ strategy: { active: ['ml'], ml: { model } } });
    const l = logger();
    const a = await chooseStrategy(cfg, series, l.log);
    expect(l.lines.some((m) => /does not exist: training a rf model/.test(m))).toBe(true);
    expect(a.strategy.name).toMatch(/^ml\(/);
    expect(a.model).toContain(model);

    const l2 = logger();
    const again = await chooseStrategy(cfg, series, l2.log);
    expect(l2.lines.some((m) => /training/.test(m))).toBe(false); // loaded, not retrained
    expect(again.strategy.name).toBe(a.strategy.name);

    const mismatched = parseConfig({ strategy: { active: ['ml'], ml: { model, features: ['return_1d', 'rsi_14'] } } });
    await expect(chooseStrategy(mismatched, series, logger().log)).rejects.toThrow(/different features/);
  }, 60_000);

  it('sma-crossover and buy-and-hold come straight from the config', async () => {
    expect((await chooseStrategy(parseConfig({ strategy: { active: ['sma-crossover'], sma_crossover: { fast: 4, slow: 9 } } }), series, logger().log)).strategy.name).toBe('sma-crossover(4,9)');
    expect((await chooseStrategy(parseConfig({ strategy: { active: ['buy-and-hold'] } }), series, logger().log)).strategy.name).toBe('buy-and-hold');
  });
});
