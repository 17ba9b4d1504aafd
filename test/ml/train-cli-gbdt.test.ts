import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GbdtJSON } from '../../lib/ml/gbdt.js';

const tmp = mkdtempSync(join(tmpdir(), 'train-gbdt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run train -- --model gbdt', () => {
  it('--rounds, --leaves, --learning-rate and --early-stopping take effect', () => {
    const out = join(tmp, 'm');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--model', 'gbdt', '--rounds', '7', '--leaves', '4', '--learning-rate', '0.2', '--early-stopping', '0', '--quiet', '--out', out], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'gbdt.json'), 'utf8')) as GbdtJSON;
    expect(j.trees.length).toBe(7);
    expect(j.params).toMatchObject({ nEstimators: 7, numLeaves: 4, learningRate: 0.2, earlyStoppingRounds: 0 });
    expect(j.earlyStopping).toBeNull();
    for (const t of j.trees) expect(t.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(4);
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).modelType).toBe('gbdt');
  }, 120_000);
});
