import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { CsvProvider, SyntheticProvider, YahooProvider, providerFromConfig, validationPolicy } from '../../lib/data/index.js';

describe('providerFromConfig', () => {
  it('maps data.provider onto the provider and the validation settings onto the policy', () => {
    expect(providerFromConfig(parseConfig({}).data)).toBeInstanceOf(SyntheticProvider);
    expect(providerFromConfig(parseConfig({ data: { provider: 'csv' } }).data)).toBeInstanceOf(CsvProvider);
    expect(providerFromConfig(parseConfig({ data: { provider: 'yahoo' } }).data)).toBeInstanceOf(YahooProvider);
    expect(validationPolicy(parseConfig({ data: { validation: { duplicates: 'keep-last', max_gap_days: 3 } } }).data.validation)).toEqual({
      unsorted: 'sort',
      duplicates: 'keep-last',
      badPrice: 'error',
      ohlcInconsistent: 'repair',
      zeroVolumeRun: 5,
      maxGapDays: 3,
    });
  });

  it('the synthetic provider honours the configured seed and window', async () => {
    const cfg = parseConfig({ data: { start: '2020-01-01', end: '2020-02-01', synthetic: { seed: 9 } } }).data;
    const s = await providerFromConfig(cfg).load({ symbol: 'SYNA' });
    expect(s.time[0]).toBe(Date.UTC(2020, 0, 1));
    expect(s.time[s.length - 1]).toBe(Date.UTC(2020, 0, 31));
    const other = await providerFromConfig({ ...cfg, synthetic: { ...cfg.synthetic, seed: 10 } }).load({ symbol: 'SYNA' });
    expect(other.close[5]).not.toBe(s.close[5]);
  });

  it('the csv provider reads zone-less intraday times in data.timezone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-'));
    try {
      writeFileSync(join(dir, 'X.csv'), 'Date,Open,High,Low,Close,Volume\n2024-07-01 09:30:00,1,1,1,1,1\n2024-07-01 09:31:00,1,1,1,1,1\n');
      const load = (timezone?: string) => providerFromConfig(parseConfig({ data: { provider: 'csv', csv_dir: dir, interval: '1m', ...(timezone ? { timezone } : {}) } }).data).load({ symbol: 'X', interval: '1m' });
      expect((await load()).time[0]).toBe(Date.UTC(2024, 6, 1, 13, 30)); // New York, EDT
      expect((await load('Asia/Tokyo')).time[0]).toBe(Date.UTC(2024, 6, 1, 0, 30));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
