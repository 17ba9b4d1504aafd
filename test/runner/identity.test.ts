import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { silentLogger } from '../../runner/loop.js';
import { createRunner } from '../../runner/runner.js';
import { AlpacaMock } from '../fixtures/alpaca-mock.js';

const dir = mkdtempSync(join(tmpdir(), 'identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secrets = { alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: null, port: null };
const cfg = (symbols: string[]) =>
  parseConfig({ strategy: { active: ['sma-crossover'] }, data: { provider: 'synthetic', symbols, start: '2021-01-01', end: '2021-03-01' }, runner: { mode: 'replay' } });

describe('the journal belongs to one setup', () => {
  it('resumes with the same setup and refuses another one, naming both', async () => {
    const a = await createRunner({ config: cfg(['SYNA']), secrets, logger: silentLogger, stateDir: dir });
    await a.replay(0, () => false);
    a.close();
    const b = await createRunner({ config: cfg(['SYNA']), secrets, logger: silentLogger, stateDir: dir });
    expect(b.loop.lastBarTime).not.toBeNull();
    b.close();
    await expect(createRunner({ config: cfg(['SYNA', 'SYNB']), secrets, logger: silentLogger, stateDir: dir })).rejects.toThrow(/journal of another setup.*SYNB/);
  });

  it('refuses the Alpaca broker without credentials, naming the variables', async () => {
    const c = parseConfig({ broker: { provider: 'alpaca' }, strategy: { active: ['sma-crossover'] }, data: { provider: 'synthetic', symbols: ['SYNA'], start: '2021-01-01', end: '2021-02-01' } });
    await expect(createRunner({ config: c, secrets, logger: silentLogger, stateDir: join(dir, 'alp') })).rejects.toThrow(/ALPACA_API_KEY_ID/);
  });

  it('trades Alpaca on the paper endpoint unless broker.live is true AND ALPACA_PAPER=false', async () => {
    const mock = new AlpacaMock();
    const base = await mock.start();
    try {
      const name = async (live: boolean, alpacaPaper: boolean, sub: string) => {
        const c = parseConfig({ broker: { provider: 'alpaca', live }, strategy: { active: ['sma-crossover'] }, data: { provider: 'synthetic', symbols: ['SYNA'], start: '2021-01-01', end: '2021-02-01' } });
        const r = await createRunner({ config: c, secrets: { ...secrets, alpacaKeyId: 'test-key', alpacaSecretKey: 'test-secret', alpacaPaper }, logger: silentLogger, stateDir: join(dir, sub), alpacaBaseUrl: base });
        r.close();
        return r.loop.broker.name;
      };
      expect(await name(false, false, 'a1')).toBe('alpaca-paper');
      expect(await name(true, true, 'a2')).toBe('alpaca-paper');
      expect(await name(true, false, 'a3')).toBe('alpaca-live');
    } finally {
      await mock.stop();
    }
  });
});
