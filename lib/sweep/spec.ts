/**
 * The sweep file (sweep.yaml): which data, which strategy, and the grid of strategy parameters, symbol
 * universes, cost settings and time windows to run it over. Parsed by zod; the first problem becomes a
 * ValidationError naming the dotted path, e.g. `params.fsat: is not a parameter of sma-crossover; known: fast, slow`.
 *
 * Every grid entry is one value, a list of values, or a range `{from, to, step}` (inclusive).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError, formatValue } from '../core/errors.js';
import { resolveFeatureNames } from '../features/registry.js';
import { isTimeZone } from '../config/schema.js';

export type Scalar = number | string | boolean;

/** One grid entry as written: a value, a list, or an inclusive numeric range. */
const scalar = z.union([z.number(), z.string(), z.boolean()]);
const range = z.object({ from: z.number(), to: z.number(), step: z.number().positive().optional() }).strict();
const axisInput = z.union([scalar, z.array(scalar), range]);
type AxisInput = z.infer<typeof axisInput>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

interface ParamDef {
  readonly kind: 'int' | 'number' | 'enum' | 'bool';
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly default: Scalar;
  readonly help: string;
}

export interface StrategyDef {
  readonly params: Readonly<Record<string, ParamDef>>;
  /** Why a cell is not a valid configuration (e.g. fast >= slow), or null. Such cells are skipped and counted. */
  readonly invalid?: (p: Readonly<Record<string, Scalar>>) => string | null;
}

/** The strategies a sweep can run, with their parameters, limits and defaults. */
export const SWEEP_STRATEGIES: Readonly<Record<string, StrategyDef>> = {
  'sma-crossover': {
    params: {
      fast: { kind: 'int', min: 1, default: 10, help: 'fast SMA period' },
      slow: { kind: 'int', min: 2, default: 30, help: 'slow SMA period' },
    },
    invalid: (p) => ((p.fast as number) >= (p.slow as number) ? 'fast >= slow' : null),
  },
  'buy-and-hold': { params: {} },
  /** Random Forest trained walk-forward (out-of-sample probabilities only), traded by the ML strategy. */
  'ml-rf': {
    params: {
      n_estimators: { kind: 'int', min: 1, default: 50, help: 'trees' },
      max_depth: { kind: 'int', min: 1, default: 8, help: 'tree depth' },
      min_samples_leaf: { kind: 'int', min: 1, default: 5, help: 'rows per leaf' },
      max_features: { kind: 'enum', values: ['sqrt', 'log2', 'all'], default: 'sqrt', help: 'features tried per split' },
      threshold: { kind: 'number', min: 0.5, max: 1, default: 0.6, help: 'enter long when P(up) >= threshold' },
      exit_below: { kind: 'number', min: 0, max: 1, default: 0.5, help: 'exit when P(up) < exit_below' },
      train_bars: { kind: 'int', min: 50, default: 756, help: 'walk-forward training window (bars)' },
      retrain_every: { kind: 'int', min: 1, default: 63, help: 'walk-forward refit interval (bars)' },
      window: { kind: 'enum', values: ['rolling', 'expanding'], default: 'rolling', help: 'walk-forward window' },
      horizon: { kind: 'int', min: 1, default: 1, help: 'label horizon (bars)' },
      label_threshold: { kind: 'number', min: 0, default: 0.005, help: 'label: forward return above this' },
      seed: { kind: 'int', min: 0, default: 42, help: 'random seed' },
      regime: { kind: 'bool', default: false, help: 'apply the regime filter' },
    },
    invalid: (p) => ((p.exit_below as number) > (p.threshold as number) ? 'exit_below > threshold' : null),
  },
};

export type StrategyName = keyof typeof SWEEP_STRATEGIES & string;

const METRIC_KEYS = [
  'sharpe',
  'sortino',
  'calmar',
  'total_return',
  'cagr',
  'max_drawdown',
  'annual_volatility',
  'win_rate',
  'profit_factor',
  'num_trades',
  'exposure',
  'turnover',
] as const;
export type SweepMetric = (typeof METRIC_KEYS)[number];

const COST_KEYS = ['commission_per_share', 'commission_percent', 'commission_minimum', 'slippage_bps'] as const;
export type CostKey = (typeof COST_KEYS)[number];

const fileSchema = z
  .object({
    name: z.string().min(1).optional(),
    data: z
      .object({
        csv_dir: z.string().min(1).optional(),
        symbols: z.array(z.string().min(1)).min(1).optional(),
        adjust: z.boolean().default(true),
        /** Exchange zone of zone-less intraday CSV timestamps, as config.yaml's data.timezone. */
        timezone: z.string().refine(isTimeZone, 'is not an IANA time zone such as America/New_York').optional(),
        synthetic: z
          .object({
            symbols: z.array(z.string().min(1)).min(1),
            start: isoDate.default('2015-01-02'),
            end: isoDate.default('2025-01-01'),
            seed: z.number().int().default(42),
          })
          .strict()
          .optional(),
      })
      .strict(),
    strategy: z.string(),
    params: z.record(z.string(), axisInput).default({}),
    universe: z.union([z.enum(['all', 'each']), z.array(z.array(z.string().min(1)).min(1))]).default('all'),
    costs: z.object(Object.fromEntries(COST_KEYS.map((k) => [k, axisInput.optional()])) as Record<CostKey, z.ZodOptional<typeof axisInput>>).strict().default({}),
    windows: z.array(z.object({ start: isoDate, end: isoDate }).strict()).optional(),
    execution: z
      .object({
        cash: z.number().positive().default(100_000),
        fill_at: z.enum(['next_open', 'close']).default('next_open'),
        sizing: z
          .union([
            z.object({ method: z.literal('all_in') }).strict(),
            z.object({ method: z.literal('fixed_fraction'), fraction: z.number().gt(0).max(1) }).strict(),
            z.object({ method: z.literal('fixed_quantity'), quantity: z.number().positive() }).strict(),
          ])
          .default({ method: 'all_in' }),
        risk: z.enum(['none', 'default']).default('none'),
        risk_free_rate: z.number().default(0),
      })
      .strict()
      .default({ cash: 100_000, fill_at: 'next_open', sizing: { method: 'all_in' }, risk: 'none', risk_free_rate: 0 }),
    ml: z
      .object({ features: z.array(z.string()).default([]) })
      .strict()
      .default({ features: [] }),
    metric: z.enum(METRIC_KEYS).default('sharpe'),
    report: z
      .object({ heatmap: z.tuple([z.string(), z.string()]).optional() })
      .strict()
      .default({}),
  })
  .strict();

export interface SweepWindow {
  readonly start: string;
  readonly end: string;
}

export type SweepDataSpec =
  | { readonly kind: 'csv'; readonly dir: string; readonly symbols: readonly string[] | null; readonly adjust: boolean; readonly timezone?: string }
  | { readonly kind: 'synthetic'; readonly symbols: readonly string[]; readonly start: string; readonly end: string; readonly seed: number };

type Sizing = { method: 'all_in' } | { method: 'fixed_fraction'; fraction: number } | { method: 'fixed_quantity'; quantity: number };

export interface SweepExecution {
  readonly cash: number;
  readonly fillAt: 'next_open' | 'close';
  readonly sizing: Sizing;
  readonly risk: 'none' | 'default';
  readonly riskFreeRate: number;
}

/** A parsed, validated sweep: every axis expanded to its list of values. */
export interface SweepSpec {
  readonly name: string;
  readonly source: string;
  readonly data: SweepDataSpec;
  readonly strategy: StrategyName;
  /** Every parameter of the strategy, in definition order, with its values (one value when fixed). */
  readonly params: ReadonlyArray<{ readonly name: string; readonly values: readonly Scalar[] }>;
  readonly universe: 'all' | 'each' | ReadonlyArray<readonly string[]>;
  readonly costs: ReadonlyArray<{ readonly name: CostKey; readonly values: readonly number[] }>;
  /** null = the whole data range. */
  readonly windows: readonly SweepWindow[] | null;
  readonly execution: SweepExecution;
  readonly features: readonly string[];
  readonly metric: SweepMetric;
  readonly heatmap: readonly [string, string] | null;
}

export const SWEEP_METRICS: readonly SweepMetric[] = METRIC_KEYS;

/** Values of one axis; `path` names it in errors. */
export function expandAxis(input: AxisInput, path: string): Scalar[] {
  if (Array.isArray(input)) return [...input];
  if (typeof input === 'object') {
    const step = input.step ?? 1;
    if (input.to < input.from) throw new ValidationError(path, `is an empty range: to (${input.to}) is below from (${input.from})`);
    const n = Math.floor((input.to - input.from) / step + 1e-9) + 1;
    if (n > 10_000_000) throw new ValidationError(path, `has ${n} values; a single axis is limited to 10,000,000`);
    // Decimal steps (0.1) accumulate float error: round to 12 significant digits.
    return Array.from({ length: n }, (_, i) => Number((input.from + i * step).toPrecision(12)));
  }
  return [input];
}

function checkParam(def: ParamDef, v: Scalar, path: string): Scalar {
  switch (def.kind) {
    case 'int':
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(path, 'must be a number', v);
      if (def.kind === 'int' && !Number.isInteger(v)) throw new ValidationError(path, 'must be a whole number', v);
      if (def.min !== undefined && v < def.min) throw new ValidationError(path, `is below the minimum ${def.min}`, v);
      if (def.max !== undefined && v > def.max) throw new ValidationError(path, `is above the maximum ${def.max}`, v);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !def.values!.includes(v)) throw new ValidationError(path, `is not one of ${def.values!.join(', ')}`, v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new ValidationError(path, 'must be true or false', v);
      return v;
  }
}

function zodError(e: z.ZodError, doc: unknown, source: string): ValidationError {
  const issue = e.issues[0];
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return new ValidationError(`${path ? `${path}.` : ''}${issue.keys[0]}`, `is not a known setting (in ${source})`);
  let value: unknown = doc;
  for (const k of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k as string] : undefined;
  let problem = issue.message;
  if (issue.code === 'invalid_value') problem = `is not allowed; expected one of ${issue.values.map((v) => formatValue(v)).join(', ')}`;
  else if (issue.code === 'invalid_type') problem = value === undefined ? `is required (${issue.expected})` : `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  else if (issue.code === 'invalid_union') problem = 'is not a value, a list of values or a range {from, to, step}';
  return new ValidationError(path || '(top level)', `${problem.charAt(0).toLowerCase()}${problem.slice(1)} (in ${source})`, value);
}

/**
 * Validate a parsed sweep document. `baseDir` resolves a relative `data.csv_dir` (the sweep file's folder).
 */
export function parseSweepSpec(doc: unknown, opts: { source?: string; baseDir?: string; name?: string } = {}): SweepSpec {
  const source = opts.source ?? 'sweep';
  const r = fileSchema.safeParse(doc ?? {});
  if (!r.success) throw zodError(r.error, doc, source);
  const f = r.data;
  const def = SWEEP_STRATEGIES[f.strategy];
  if (!def) throw new ValidationError('strategy', `is not a strategy a sweep can run; known: ${Object.keys(SWEEP_STRATEGIES).join(', ')} (in ${source})`, f.strategy);

  let data: SweepDataSpec;
  if (f.data.synthetic && f.data.csv_dir) throw new ValidationError('data', `give either csv_dir or synthetic, not both (in ${source})`);
  if (f.data.synthetic) {
    if (f.data.symbols) throw new ValidationError('data.symbols', `is for csv_dir; synthetic data lists its symbols in data.synthetic.symbols (in ${source})`);
    if (f.data.timezone) throw new ValidationError('data.timezone', `is for csv_dir files (the synthetic market's bars carry their times) (in ${source})`);
    data = { kind: 'synthetic', ...f.data.synthetic };
  } else if (f.data.csv_dir) {
    data = { kind: 'csv', dir: resolve(opts.baseDir ?? process.cwd(), f.data.csv_dir), symbols: f.data.symbols ?? null, adjust: f.data.adjust, ...(f.data.timezone ? { timezone: f.data.timezone } : {}) };
  } else {
    throw new ValidationError('data', `needs csv_dir (a folder of SYMBOL.csv files) or synthetic: {symbols: [...]} (in ${source})`);
  }

  const known = Object.keys(def.params);
  for (const k of Object.keys(f.params)) {
    if (!def.params[k]) {
      throw new ValidationError(`params.${k}`, `is not a parameter of ${f.strategy}; ${known.length ? `known: ${known.join(', ')}` : 'it takes none'} (in ${source})`);
    }
  }
  const params = known.map((name) => {
    const p = def.params[name];
    const path = `params.${name}`;
    const given = f.params[name];
    const values = given === undefined ? [p.default] : expandAxis(given, path).map((v, i, all) => checkParam(p, v, all.length > 1 ? `${path}[${i}]` : path));
    if (values.length === 0) throw new ValidationError(path, `is an empty list: the grid would be empty (in ${source})`);
    return { name, values: dedupe(values) };
  });

  const costs = COST_KEYS.map((name) => {
    const given = f.costs[name];
    const path = `costs.${name}`;
    const values = given === undefined ? [0] : expandAxis(given, path);
    if (values.length === 0) throw new ValidationError(path, `is an empty list: the grid would be empty (in ${source})`);
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new ValidationError(values.length > 1 ? `${path}[${i}]` : path, 'must be a number >= 0', v);
    });
    return { name, values: dedupe(values) as number[] };
  });

  if (Array.isArray(f.universe) && f.universe.length === 0) throw new ValidationError('universe', `is an empty list: the grid would be empty (in ${source})`);
  let windows: SweepWindow[] | null = null;
  if (f.windows) {
    if (f.windows.length === 0) throw new ValidationError('windows', `is an empty list: the grid would be empty (in ${source})`);
    f.windows.forEach((w, i) => {
      if (!(w.start < w.end)) throw new ValidationError(`windows[${i}]`, `start ${w.start} must be before end ${w.end}`);
    });
    windows = f.windows;
  }

  const varying = params.filter((p) => p.values.length > 1).map((p) => p.name);
  let heatmap: [string, string] | null = null;
  const wanted = f.report.heatmap as [string, string] | undefined;
  if (wanted) {
    wanted.forEach((n, i) => {
      if (!def.params[n]) throw new ValidationError(`report.heatmap[${i}]`, `is not a parameter of ${f.strategy}; known: ${known.join(', ')}`, n);
    });
    heatmap = [wanted[0], wanted[1]];
  } else if (varying.length >= 2) heatmap = [varying[0], varying[1]];

  const features = f.strategy === 'ml-rf' ? resolveFeatureNames(f.ml.features, 'ml.features') : [];
  return {
    name: f.name ?? opts.name ?? 'sweep',
    source,
    data,
    strategy: f.strategy,
    params,
    universe: f.universe,
    costs,
    windows,
    execution: { cash: f.execution.cash, fillAt: f.execution.fill_at, sizing: f.execution.sizing, risk: f.execution.risk, riskFreeRate: f.execution.risk_free_rate },
    features,
    metric: f.metric,
    heatmap,
  };
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Read and validate a sweep file (YAML or JSON). */
export function loadSweepSpec(path: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError(path, `cannot read the sweep file: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ValidationError(path, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseSweepSpec(doc, { source: path, baseDir: dirname(resolve(path)), name: basename(path, extname(path)) });
}
