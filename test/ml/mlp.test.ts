import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlpClassifier } from '../../lib/ml/mlp.js';
import { ensureBackend } from '../../lib/ml/tf-backend.js';
import { matrixFromRows } from '../../lib/ml/matrix.js';
import { Rng } from '../../lib/core/rng.js';

function linear(n: number, seed: number) {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.normal() * 3 + 10;
    const b = rng.normal() * 0.01;
    rows.push([a, b]);
    y.push((a - 10) / 3 + b * 100 > 0 ? 1 : 0);
  }
  return { X: matrixFromRows(rows, ['a', 'b']), y };
}

describe('MlpClassifier (tfjs wasm)', () => {
  it('runs on the wasm backend loaded from disk', async () => {
    expect(await ensureBackend()).toBe('wasm');
  });

  it('learns a linearly separable problem (features on very different scales)', async () => {
    const { X, y } = linear(1024, 1);
    const m = await new MlpClassifier({ hidden: [8], epochs: 60, learningRate: 0.02, dropout: 0, seed: 3 }).fit(X, y);
    const test = linear(512, 2);
    const p = m.predictPositive(test.X);
    const acc = Array.from(p).reduce((a, v, i) => a + ((v >= 0.5 ? 1 : 0) === test.y[i] ? 1 : 0), 0) / 512;
    expect(acc).toBeGreaterThan(0.95);
    expect(m.lossHistory[m.lossHistory.length - 1]).toBeLessThan(m.lossHistory[0]);
    m.dispose();
  });

  it('same data and seed give byte-identical model.json and weights.bin; save/load predicts the same', async () => {
    const { X, y } = linear(600, 4);
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'mlp-')));
    try {
      const a = await new MlpClassifier({ hidden: [8, 4], epochs: 4, seed: 7 }).fit(X, y);
      const b = await new MlpClassifier({ hidden: [8, 4], epochs: 4, seed: 7 }).fit(X, y);
      const c = await new MlpClassifier({ hidden: [8, 4], epochs: 4, seed: 8 }).fit(X, y);
      await a.save(dirs[0]);
      await b.save(dirs[1]);
      await c.save(dirs[2]);
      for (const f of ['model.json', 'weights.bin', 'preprocess.json']) expect(existsSync(join(dirs[0], f))).toBe(true);
      expect(readFileSync(join(dirs[0], 'weights.bin')).equals(readFileSync(join(dirs[1], 'weights.bin')))).toBe(true);
      expect(readFileSync(join(dirs[0], 'model.json'), 'utf8')).toBe(readFileSync(join(dirs[1], 'model.json'), 'utf8'));
      expect(readFileSync(join(dirs[0], 'weights.bin')).equals(readFileSync(join(dirs[2], 'weights.bin')))).toBe(false);
      const manifest = JSON.parse(readFileSync(join(dirs[0], 'model.json'), 'utf8'));
      expect(manifest.weightsManifest[0].paths).toEqual(['weights.bin']);
      const back = await MlpClassifier.load(dirs[0]);
      expect(Array.from(back.predictPositive(X))).toEqual(Array.from(a.predictPositive(X)));
      expect(back.features).toEqual(['a', 'b']);
      [a, b, c, back].forEach((m) => m.dispose());
    } finally {
      dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    }
  });
});
