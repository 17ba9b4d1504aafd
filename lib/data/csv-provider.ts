import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { sliceByTime, type BarSeries } from '../core/bars.js';
import { UnknownSymbolError } from '../core/errors.js';
import { loadCsvFile, type CsvOptions } from './csv.js';
import { loadCsvCached } from './binary.js';
import type { DataProvider, DataRequest } from './provider.js';
import { toEpochMs } from './provider.js';
import type { DataIssue } from './validate.js';

/**
 * Serves `<dir>/<SYMBOL>.csv` (or .txt). Issues found while loading are kept for reports. With `cacheDir`,
 * parsed files are kept as binary bar files there (see binary.ts) and reloaded from them while the CSV is unchanged.
 */
export class CsvProvider implements DataProvider {
  readonly name = 'csv';
  readonly issues: DataIssue[] = [];
  constructor(
    private readonly dir: string,
    private readonly opts: CsvOptions = {},
    private readonly cacheDir?: string,
  ) {}

  async load(req: DataRequest): Promise<BarSeries> {
    const file = ['.csv', '.txt'].map((ext) => join(this.dir, `${req.symbol}${ext}`)).find((f) => existsSync(f));
    if (!file) throw new UnknownSymbolError(req.symbol, `csv:${this.dir}`, `no ${req.symbol}.csv in ${this.dir}`);
    const opts = { ...this.opts, symbol: req.symbol };
    const { series, issues } = this.cacheDir ? loadCsvCached(file, join(this.cacheDir, 'csv'), opts) : loadCsvFile(file, opts);
    this.issues.push(...issues);
    return sliceByTime(series, toEpochMs(req.start, -Infinity), toEpochMs(req.end, Infinity));
  }
}
