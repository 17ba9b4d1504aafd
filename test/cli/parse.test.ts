import { describe, expect, it } from 'vitest';
import { commandExitCode, dateArg, helpText, parseCommand, UsageError } from '../../lib/cli.js';

const SPEC = {
  name: 'demo',
  usage: 'demo [options]',
  summary: 'A test command.',
  options: {
    csv: { type: 'string', multiple: true, arg: 'FILE', help: 'input' },
    mode: { type: 'string', choices: ['a', 'b'], default: 'a', help: 'mode' },
    out: { type: 'string', arg: 'FILE', help: 'output', defaultText: 'stdout' },
    quiet: { type: 'boolean', help: 'say nothing' },
  },
} as const;

describe('lib/cli parseCommand', () => {
  it('applies defaults, collects repeatable options and records what was given', () => {
    const p = parseCommand(SPEC, ['--csv', 'a.csv', '--csv=b.csv', '--quiet'])!;
    expect(p.values).toEqual({ csv: ['a.csv', 'b.csv'], mode: 'a', out: undefined, quiet: true });
    expect([...p.given].sort()).toEqual(['csv', 'quiet']);
  });

  it('--help prints the options with their defaults and returns null', () => {
    let text = '';
    expect(parseCommand(SPEC, ['--mode', 'b', '-h'], (s) => (text += s))).toBeNull();
    expect(text).toBe(helpText(SPEC));
    expect(text).toMatch(/^usage: demo \[options\]\n\nA test command\.\n\noptions:\n/);
    expect(text).toMatch(/ {2}--csv FILE +input \(repeatable\)\n/);
    expect(text).toMatch(/ {2}--mode a\|b +mode \(default: a\)\n/);
    expect(text).toMatch(/ {2}--out FILE +output \(default: stdout\)\n/);
    expect(text).toMatch(/ {2}-h, --help +show this help and exit\n/);
  });

  it('names the option in every usage error', () => {
    const err = (argv: string[]) => {
      try {
        parseCommand(SPEC, argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(['--nope'])).toBe('unknown option --nope');
    expect(err(['--out'])).toMatch(/^--out needs a value/);
    expect(err(['--mode', 'c'])).toBe('--mode: "c" is not one of a, b');
    expect(err(['--quiet=yes'])).toBe('--quiet takes no value');
    expect(err(['stray'])).toBe('unexpected argument stray (options start with --)');
  });

  it('maps outcomes to exit codes: 0 done, 2 usage, 1 failure', async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(await commandExitCode('x', () => undefined)).toBe(0);
      expect(await commandExitCode('x', () => 3)).toBe(3);
      expect(await commandExitCode('x', () => Promise.reject(new UsageError('--a: bad')))).toBe(2);
      expect(await commandExitCode('x', () => {
        throw new Error('disk full');
      })).toBe(1);
    } finally {
      console.error = orig;
    }
    expect(errors).toEqual(['x: --a: bad\n(x --help lists the options)', 'x: disk full']);
  });

  it('dateArg takes real calendar dates only (Date.parse alone would take 2020-02-30 as March 1)', () => {
    expect(dateArg('start', '2020-02-29')).toBe('2020-02-29');
    for (const bad of ['2020-02-30', '2021-02-29', '2020-04-31', '2020-13-01', '2020-1-1', '20200101', 'soon']) {
      expect(() => dateArg('start', bad), bad).toThrow(new UsageError(`--start: "${bad}" is not a date YYYY-MM-DD`));
    }
  });
});
