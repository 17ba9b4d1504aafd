/** Data-layer speed: load and validate the 20 Alpha Vantage files (108k rows) of ../shared/data. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { SHARED_DATA, median, time } from './util.js';

export async function run(): Promise<void> {
  console.log('\n## Data layer');
  const dir = join(SHARED_DATA, 'pooksoft_sp500');
  if (existsSync(dir)) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).map((f) => join(dir, f));
    let rows = 0;
    const ms = median(
      Array.from({ length: 7 }, () =>
        time(() => {
          rows = 0;
          for (const f of files) rows += loadCsvFile(f).series.length;
        }),
      ),
    );
    console.log(`CSV load + validate + adjust, ${files.length} Alpha Vantage files, ${rows} rows: ${ms.toFixed(1)} ms (target < 1000 ms)`);
  } else {
    console.log('(../shared/data not found: CSV load benchmark skipped)');
  }
  const ms = median(Array.from({ length: 5 }, () => time(() => syntheticMarket({ symbols: Array.from({ length: 20 }, (_, i) => `S${i}`) }))));
  console.log(`synthetic market, 20 symbols x 2,608 bars: ${ms.toFixed(1)} ms`);
}

if (process.argv[1]?.endsWith('data.ts')) void run();
