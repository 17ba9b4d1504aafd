/**
 * The one argument parser behind every command (scripts/, the runner, the benchmarks): node's util.parseArgs
 * with a declared option table, so `--help` text, defaults, unknown-option errors and exit codes are the same
 * everywhere. Exit codes: 0 done, 1 the job failed, 2 the command line was wrong (the message names the
 * option). Kept free of heavy imports: `--help` must answer before the library loads.
 */
import { parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A wrong command line: exit code 2 and a message naming the option. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Parsed default (a string option without one is undefined when absent). */
  readonly default?: string;
  /** Placeholder in --help, e.g. FILE. */
  readonly arg?: string;
  readonly help: string;
  /** The default as --help shows it when it is not a literal, e.g. "config.yaml's broker.commission". */
  readonly defaultText?: string;
  /** Allowed values of a string option; anything else is a usage error. */
  readonly choices?: readonly string[];
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** Used in messages: `backtest: --fast: "x" is not a whole number`. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: O;
  /** Positional arguments (e.g. notebook files); refused unless given. */
  readonly positionals?: { readonly arg: string; readonly help: string };
  /** Extra lines after the option list (environment variables, examples). */
  readonly footer?: string;
}

type Value<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : S extends { readonly default: string }
      ? string
      : string | undefined;

export type Values<O extends Record<string, OptionSpec>> = { -readonly [K in keyof O]: Value<O[K]> };

export interface Parsed<O extends Record<string, OptionSpec>> {
  readonly values: Values<O>;
  readonly positionals: string[];
  /** Options given on the command line (not defaulted). */
  readonly given: ReadonlySet<keyof O & string>;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

const WIDTH = 110;

/** Greedy word wrap to `width` columns (a word longer than that gets its own line). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...out, line];
}

export function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const rows: Array<[string, string]> = [];
  for (const [name, o] of Object.entries({ ...spec.options, help: HELP_OPTION })) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.arg ?? (o.choices ? o.choices.join('|') : 'VALUE')}` : ''}`;
    const def = o.defaultText ?? (o.default !== undefined ? o.default : undefined);
    const extra = [o.multiple ? 'repeatable' : '', def !== undefined ? `default: ${def}` : ''].filter(Boolean).join('; ');
    rows.push([flag, `${o.help}${extra ? ` (${extra})` : ''}`]);
  }
  if (spec.positionals) rows.unshift([spec.positionals.arg, spec.positionals.help]);
  const w = Math.min(34, Math.max(...rows.map(([f]) => f.length)) + 2);
  const pad = ' '.repeat(w + 2);
  const lines = rows.map(([f, h]) => {
    const text = wrap(h, WIDTH - w - 2).join(`\n${pad}`);
    return f.length + 2 > w ? `  ${f}\n${pad}${text}` : `  ${f.padEnd(w)}${text}`;
  });
  return `usage: ${spec.usage}\n\n${spec.summary}\n\noptions:\n${lines.join('\n')}\n${spec.footer ? `\n${spec.footer}\n` : ''}`;
}

/**
 * Parse argv against the spec. Returns null after printing the help (the caller exits 0); throws UsageError
 * naming the option for anything wrong.
 */
export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s)): Parsed<O> | null {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  let parsed: { values: Record<string, string | boolean | Array<string | boolean> | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals !== undefined });
  } catch (e) {
    throw new UsageError(explain(e as Error & { code?: string }));
  }
  if (parsed.values.help === true) {
    out(helpText(spec));
    return null;
  }
  const values: Record<string, unknown> = {};
  const given = new Set<keyof O & string>();
  for (const [name, o] of Object.entries(spec.options)) {
    const v = parsed.values[name];
    if (v !== undefined) given.add(name as keyof O & string);
    if (o.choices && v !== undefined) {
      for (const x of Array.isArray(v) ? v : [v]) {
        if (!o.choices.includes(String(x))) throw new UsageError(`--${name}: "${String(x)}" is not one of ${o.choices.join(', ')}`);
      }
    }
    values[name] = v ?? (o.type === 'boolean' ? false : o.multiple ? [] : o.default);
  }
  return { values: values as Values<O>, positionals: parsed.positionals, given };
}

/** node's parseArgs messages, reworded to name the option and point at --help. */
function explain(e: Error & { code?: string }): string {
  const opt = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${opt}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing|ambiguous/.test(e.message) ? `${opt} needs a value (a value starting with "-" is written ${opt}=-5)` : `${opt} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''} (options start with --)`;
    default:
      return e.message;
  }
}

/** A number option: `--name: "x" is not <what>` unless it passes `ok`. */
export function numberArg(name: string, text: string, what = 'a number', ok: (n: number) => boolean = () => true): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name}: "${text}" is not ${what}`);
  return n;
}

export function intArg(name: string, text: string, min = 1): number {
  return numberArg(name, text, `a whole number >= ${min}`, (n) => Number.isInteger(n) && n >= min);
}

export function dateArg(name: string, text: string): string {
  // Round trip: Date.parse takes 2020-02-30 as March 1.
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text) throw new UsageError(`--${name}: "${text}" is not a date YYYY-MM-DD`);
  return text;
}

export function listArg(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function describeError(name: string, e: unknown): { text: string; code: number } {
  const err = e instanceof Error ? e : new Error(String(e));
  const usage = err instanceof UsageError;
  const debug = process.env.TSTRADER_DEBUG && !usage ? `\n${err.stack}` : '';
  return { text: `${name}: ${err.message}${usage ? `\n(${name} --help lists the options)` : ''}${debug}`, code: usage ? EXIT_USAGE : EXIT_FAILURE };
}

/**
 * A command's exit code: what `main` returns (0 if nothing), 2 after a UsageError, 1 after anything else
 * thrown; the message goes to `report` (stderr by default; with the stack when TSTRADER_DEBUG is set).
 */
export async function commandExitCode(name: string, main: () => Promise<number | void> | number | void, report: (text: string) => void = (t) => console.error(t)): Promise<number> {
  try {
    const code = await main();
    return typeof code === 'number' ? code : EXIT_OK;
  } catch (e) {
    const { text, code } = describeError(name, e);
    report(text);
    return code;
  }
}

/** Run a command as the process: sets the exit code (and exits at once with `exit`, for servers). */
export function runCommand(name: string, main: () => Promise<number | void> | number | void, opts: { exit?: boolean } = {}): void {
  void commandExitCode(name, main).then((code) => {
    process.exitCode = code;
    if (opts.exit) process.exit(code);
  });
}
