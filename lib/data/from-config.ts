/** The data provider a config asks for: one place that maps `data:` settings onto providers. */
import type { DataConfig } from '../config/schema.js';
import { ValidationError } from '../core/errors.js';
import { CsvProvider } from './csv-provider.js';
import type { DataProvider } from './provider.js';
import { SyntheticProvider } from './synthetic.js';
import type { ValidationPolicy } from './validate.js';
import { YahooProvider, type YahooOptions } from './yahoo.js';

export function validationPolicy(v: DataConfig['validation']): ValidationPolicy {
  return {
    unsorted: v.unsorted,
    duplicates: v.duplicates,
    badPrice: v.bad_price,
    ohlcInconsistent: v.ohlc_inconsistent,
    zeroVolumeRun: v.zero_volume_run,
    maxGapDays: v.max_gap_days,
  };
}

export function providerFromConfig(d: DataConfig, yahoo: Omit<YahooOptions, 'cacheDir' | 'adjust'> = {}): DataProvider {
  switch (d.provider) {
    case 'synthetic':
      return new SyntheticProvider({ seed: d.synthetic.seed, oversoldBounce: d.synthetic.oversold_bounce, start: d.start, end: d.end });
    case 'csv':
      return new CsvProvider(d.csv_dir, { adjust: d.adjust, policy: validationPolicy(d.validation), timezone: d.timezone }, d.cache_dir);
    case 'yahoo':
      return new YahooProvider({ ...yahoo, cacheDir: d.cache_dir, adjust: d.adjust });
    case 'alpaca':
      throw new ValidationError('data.provider', 'is served by the Alpaca broker (the runner with broker.provider: alpaca); use synthetic, csv or yahoo here', d.provider);
  }
}
