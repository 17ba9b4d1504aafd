/**
 * npm run features -- --csv FILE [--out FILE.csv] [--no-adjust] [--features name,name,...]
 *
 * Reads a bar CSV (any layout lib/data/csv reads), adjusts it for splits and dividends unless --no-adjust, and
 * writes one row per bar: `date`, every indicator of lib/indicators (sma, ema, wma, rsi, macd, bollinger, true range,
 * atr, adx, stochastic, roc, momentum, stddev, obv, vwap: INDICATOR_COLUMNS) and the features (default set unless --features).
 * Warm-up cells are empty. Without --out the CSV goes to stdout.
 */
import { writeFileSync } from 'node:fs';
import { isoTime } from '../lib/core/bars.js';
import { readCsvFile } from '../lib/data/csv.js';
import { FEATURE_NAMES, featureTable } from '../lib/features/index.js';

const USAGE = `usage: npm run features -- --csv FILE [--out FILE.csv] [--no-adjust] [--features name,name,...]
  --csv FILE       bars to read (Yahoo, Alpha Vantage or any date/open/high/low/close/volume header)
  --out FILE       write the table here instead of stdout
  --no-adjust      keep the file's prices as they are (default: adjust for splits and dividends)
  --features LIST  comma-separated feature names (default: the default set); valid names:
                   ${FEATURE_NAMES.join(', ')}`;

interface Args {
  csv: string;
  out: string | null;
  adjust: boolean;
  features: string[] | undefined;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { csv: '', out: null, adjust: true, features: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--csv') args.csv = value();
    else if (a === '--out') args.out = value();
    else if (a === '--no-adjust') args.adjust = false;
    else if (a === '--features') args.features = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--help' || a === '-h') throw new UsageError('');
    else throw new UsageError(`unknown argument ${JSON.stringify(a)}`);
  }
  if (!args.csv) throw new UsageError('--csv FILE is required');
  return args;
}

function cell(x: number): string {
  return Number.isFinite(x) ? String(+x.toPrecision(12)) : '';
}

export function featuresCsv(path: string, adjust: boolean, features?: readonly string[]): string {
  const series = readCsvFile(path, { adjust });
  const table = featureTable(series, features);
  const lines: string[] = [['date', ...table.columns].join(',')];
  const cols = table.values;
  for (let i = 0; i < series.length; i++) {
    let line = isoTime(table.time[i]);
    for (let j = 0; j < cols.length; j++) line += ',' + cell(cols[j][i]);
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

function main(argv: readonly string[]): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) process.stderr.write(`features: ${e.message}\n`);
    process.stderr.write(USAGE + '\n');
    return e.message ? 2 : 0;
  }
  let text: string;
  try {
    text = featuresCsv(args.csv, args.adjust, args.features);
  } catch (e) {
    process.stderr.write(`features: ${(e as Error).message}\n`);
    return 1;
  }
  if (args.out) {
    try {
      writeFileSync(args.out, text);
    } catch (e) {
      process.stderr.write(`features: cannot write ${args.out}: ${(e as Error).message}\n`);
      return 1;
    }
    const rows = text.split('\n').length - 2;
    process.stderr.write(`features: wrote ${rows} rows to ${args.out}\n`);
  } else {
    process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
    process.stdout.write(text);
  }
  return 0;
}

if (process.argv[1]?.endsWith('features.ts')) process.exitCode = main(process.argv.slice(2));
