import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ValidationError, formatValue } from '../core/errors.js';
import { resolveFeatureNames } from '../features/registry.js';
import { configSchema, type Config } from './schema.js';
import { environment, readSecrets, type Secrets } from './env.js';

const SECRET_KEY = /(secret|secret_?key|password|token|api_?key|key_?id)$/i;

/**
 * Every problem found in a config document, reported at once. It is a ValidationError for the first problem
 * (path, value), and its message lists them all: one line when there is one, e.g.
 * `portfolio.max_position_size: 1.7 is not in (0, 1] (in config.yaml)`, else a count and one line each.
 */
export class ConfigError extends ValidationError {
  constructor(
    readonly problems: readonly ValidationError[],
    source: string,
  ) {
    super(problems[0].path, problems[0].problem, problems[0].value);
    if (problems.length > 1) this.message = `${problems.length} problems in ${source}:\n  ${problems.map((p) => p.message).join('\n  ')}`;
  }
}

/**
 * Validate a parsed YAML document: schema, secrets in the file, and feature names against the running
 * code's registry (so a typo fails at load, not mid-run). All problems are collected into one ConfigError.
 */
export function parseConfig(doc: unknown, source = 'config'): Config {
  const input = doc ?? {};
  const problems: ValidationError[] = [];
  rejectSecrets(input, '', source, problems);
  const r = configSchema.safeParse(input);
  if (!r.success) {
    const secret = new Set(problems.map((p) => p.path));
    problems.push(...r.error.issues.flatMap((issue) => issueToErrors(issue, input, source)).filter((p) => !secret.has(p.path)));
  }
  const features = r.success ? r.data.strategy.ml.features : valueAt(input, ['strategy', 'ml', 'features']);
  if (Array.isArray(features) && features.every((f) => typeof f === 'string')) {
    try {
      resolveFeatureNames(features as string[], 'strategy.ml.features');
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.push(new ValidationError(e.path, `${e.problem} (in ${source})`, e.value));
    }
  }
  if (problems.length > 0 || !r.success) throw new ConfigError(problems, source);
  return r.data;
}

export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError(path, `cannot read config file: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ValidationError(path, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseConfig(doc, path);
}

export interface Settings {
  readonly config: Config;
  readonly secrets: Secrets;
}

/** Config file + environment (and .env), with PORT overriding api.port. */
export function loadSettings(path: string, env: Record<string, string | undefined> = environment()): Settings {
  const config = loadConfig(path);
  const secrets = readSecrets(env);
  const withPort = secrets.port === null ? config : { ...config, api: { ...config.api, port: secrets.port } };
  return { config: withPort, secrets };
}

function rejectSecrets(node: unknown, path: string, source: string, out: ValidationError[]): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (SECRET_KEY.test(k) && typeof v === 'string') {
      out.push(new ValidationError(p, `looks like a secret: secrets are read only from the environment or .env (see .env.template), never from config files (in ${source})`));
      continue;
    }
    rejectSecrets(v, p, source, out);
  }
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

function issueToErrors(issue: z.core.$ZodIssue, doc: unknown, source: string): ValidationError[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(issue.path);
    return issue.keys.map((k) => new ValidationError(path ? `${path}.${k}` : k, `is not a known setting${allowed ? `; allowed here: ${allowed}` : ''} (in ${source})`));
  }
  const value = valueAt(doc, issue.path);
  let problem = issue.message;
  if (issue.code === 'invalid_value' && /^Invalid/.test(issue.message)) problem = `is not allowed; expected one of ${issue.values.map((v) => formatValue(v)).join(', ')}`;
  else if (issue.code === 'invalid_type') problem = value === undefined ? `is required (${issue.expected})` : `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  else if (/^(Too (big|small)|Invalid)/.test(problem)) problem = problem.charAt(0).toLowerCase() + problem.slice(1);
  return [new ValidationError(path || '(top level)', `${problem} (in ${source})`, value)];
}

function allowedKeys(path: readonly PropertyKey[]): string | null {
  let schema: unknown = configSchema;
  for (const k of path) {
    const shape = unwrap(schema)?.shape as Record<string, unknown> | undefined;
    if (!shape) return null;
    schema = shape[k as string];
  }
  const shape = unwrap(schema)?.shape as Record<string, unknown> | undefined;
  return shape ? Object.keys(shape).join(', ') : null;
}

function unwrap(s: unknown): { shape?: unknown } | null {
  let cur = s as { shape?: unknown; def?: { innerType?: unknown; in?: unknown; type?: string } } | undefined;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur.shape) return cur;
    cur = (cur.def?.innerType ?? cur.def?.in) as typeof cur;
  }
  return null;
}
