/**
 * npm run features -- --csv FILE [--out FILE.csv] [--config FILE] [--no-adjust] [--features name,name,...] | --list
 *
 * Reads a bar CSV (any layout lib/data/csv reads), adjusts it for splits and dividends unless --no-adjust, and
 * writes one row per bar: `date`, every indicator of lib/indicators (sma, ema, wma, rsi, macd, bollinger, true range,
 * atr, adx, stochastic, roc, momentum, stddev, obv, vwap: INDICATOR_COLUMNS) and the features (default set unless --features).
 * Warm-up cells are empty. Without --out the CSV goes to stdout. `--list` prints the feature registry.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { listArg, parseCommand, runCommand, UsageError } from '../lib/cli.js';

export const SPEC = {
  name: 'features',
  usage: 'npm run features -- --csv FILE [--out FILE.csv] [--no-adjust] [--features name,name,...] | --list',
  summary: 'Indicator and feature columns for a bar CSV, one row per bar (warm-up cells empty); --list shows every feature.',
  options: {
    csv: { type: 'string', arg: 'FILE', help: 'bars to read (Yahoo, Alpha Vantage or any date/open/high/low/close/volume header)' },
    out: { type: 'string', arg: 'FILE', help: 'write the table here', defaultText: 'stdout' },
    config: { type: 'string', arg: 'FILE', help: 'data.adjust and data.timezone come from here', defaultText: 'config.yaml if present, else the built-in defaults' },
    'no-adjust': { type: 'boolean', help: "keep the file's prices as they are (default: the config's data.adjust, adjusting for splits and dividends)" },
    timezone: { type: 'string', arg: 'ZONE', help: 'exchange zone of intraday timestamps written without one', defaultText: "the config's data.timezone, America/New_York unless set" },
    features: { type: 'string', arg: 'LIST', help: 'comma-separated feature names (see --list)', defaultText: 'the default set' },
    list: { type: 'boolean', help: 'list every feature: name, warm-up bars, in the default set, description' },
  },
} as const;

function cell(x: number): string {
  return Number.isFinite(x) ? String(+x.toPrecision(12)) : '';
}

export async function featuresCsv(path: string, adjust: boolean, features?: readonly string[], timezone?: string): Promise<string> {
  const { isoTime } = await import('../lib/core/bars.js');
  const { readCsvFile } = await import('../lib/data/csv.js');
  const { featureTable } = await import('../lib/features/index.js');
  const series = readCsvFile(path, { adjust, timezone });
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

async function featureList(): Promise<string> {
  const { DEFAULT_FEATURES, FEATURES, featureLookback } = await import('../lib/features/index.js');
  const rows = [...FEATURES.values()].map((d) => [d.name, String(featureLookback(d.name)), DEFAULT_FEATURES.includes(d.name) ? 'yes' : '', d.description]);
  const w = [0, 1, 2].map((j) => Math.max(...rows.map((r) => r[j].length), ['name', 'warm-up', 'default'][j].length));
  const line = (r: string[]) => `${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`;
  return [line(['name', 'warm-up', 'default', 'description']), ...rows.map(line)].join('\n') + '\n';
}

export async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (!parsed) return 0;
  const a = parsed.values;
  if (a.list) {
    if (a.csv || a.out || a.features || a.config || a.timezone || a['no-adjust']) throw new UsageError('--list takes no other option');
    process.stdout.write(await featureList());
    return 0;
  }
  if (!a.csv) throw new UsageError('--csv FILE is required (or --list)');
  let features: string[] | undefined;
  if (a.features !== undefined) {
    const { resolveFeatureNames } = await import('../lib/features/index.js');
    features = listArg(a.features);
    try {
      resolveFeatureNames(features, '--features');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const { isTimeZone } = await import('../lib/config/schema.js');
  if (a.timezone !== undefined && !isTimeZone(a.timezone)) throw new UsageError(`--timezone: "${a.timezone}" is not an IANA time zone such as America/New_York`);
  const { loadConfig, parseConfig } = await import('../lib/config/load.js');
  const configPath = a.config ?? (existsSync('config.yaml') ? 'config.yaml' : null);
  const data = (configPath ? loadConfig(configPath) : parseConfig({})).data;
  const text = await featuresCsv(a.csv, data.adjust && !a['no-adjust'], features, a.timezone ?? data.timezone);
  if (a.out) {
    try {
      writeFileSync(a.out, text);
    } catch (e) {
      throw new Error(`cannot write ${a.out}: ${(e as Error).message}`, { cause: e });
    }
    process.stderr.write(`features: wrote ${text.split('\n').length - 2} rows to ${a.out}\n`);
  } else {
    process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
    process.stdout.write(text);
  }
  return 0;
}


if (process.argv[1]?.endsWith('features.ts')) runCommand('features', () => run(process.argv.slice(2)));
