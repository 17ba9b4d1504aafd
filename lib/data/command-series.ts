/** The bars a command trains or evaluates on: --csv files, --symbols through the config's provider, or the offline synthetic market. */
import { basename } from 'node:path';
import type { BarSeries } from '../core/bars.js';
import { describeData } from '../config/describe.js';
import type { Config } from '../config/schema.js';
import { readCsvFile } from './csv.js';
import { providerFromConfig } from './from-config.js';
import { loadSymbols } from './load.js';
import { syntheticMarket } from './synthetic.js';

export interface CommandSeries {
  readonly series: BarSeries[];
  /** One line naming the data (for the console, the registry and reports). */
  readonly source: string;
  /** The synthetic market's description (planted effect included), when that is the data. */
  readonly data?: Record<string, unknown>;
}

export async function loadCommandSeries(data: Config['data'], csv: readonly string[], symbols: readonly string[] | null): Promise<CommandSeries> {
  if (csv.length) {
    return { series: csv.map((f) => readCsvFile(f, { adjust: data.adjust, timezone: data.timezone })), source: `csv: ${csv.map((f) => basename(f)).join(', ')}` };
  }
  if (symbols) {
    const provider = providerFromConfig(data);
    const series = await loadSymbols(provider, symbols, { start: data.start, end: data.end, interval: data.interval });
    return { series, source: `${provider.name}: ${symbols.join(', ')}` };
  }
  const series = syntheticMarket({ seed: data.synthetic.seed, oversoldBounce: data.synthetic.oversold_bounce });
  const described = describeData({ ...data, provider: 'synthetic', symbols: series.map((s) => s.symbol) });
  return { series, source: described.summary, data: { ...described } };
}
