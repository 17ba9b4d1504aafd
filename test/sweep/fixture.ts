/** Small on-disk markets and sweep specs for the sweep tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoDate } from '../../lib/core/bars.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';
import { parseSweepSpec, type SweepSpec } from '../../lib/sweep/spec.js';

/** Yahoo-format CSV files SYMBOL.csv of a seeded synthetic market, prices rounded to cents. */
export function writeCsvMarket(dir: string, symbols: readonly string[], opts: { start?: string; end?: string; seed?: number } = {}): void {
  mkdirSync(dir, { recursive: true });
  const r2 = (x: number) => Math.round(x * 100) / 100;
  for (const s of syntheticMarket({ symbols, start: opts.start ?? '2018-01-01', end: opts.end ?? '2021-12-31', seed: opts.seed ?? 3 })) {
    const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
    for (let i = 0; i < s.length; i++) {
      const o = r2(s.open[i]);
      const c = r2(s.close[i]);
      lines.push(`${isoDate(s.time[i])},${o},${Math.max(r2(s.high[i]), o, c)},${Math.min(r2(s.low[i]), o, c)},${c},${c},1000`);
    }
    writeFileSync(join(dir, `${s.symbol}.csv`), `${lines.join('\n')}\n`);
  }
}

/** A small SMA grid on CSV files in `dataDir`: fast {3,5,8} x slow {10,20,30} (all valid), 2 symbols in one portfolio. */
export function smaSpec(dataDir: string, extra: Record<string, unknown> = {}): SweepSpec {
  return parseSweepSpec({ name: 'test', data: { csv_dir: dataDir }, strategy: 'sma-crossover', params: { fast: [3, 5, 8], slow: [10, 20, 30] }, ...extra });
}
