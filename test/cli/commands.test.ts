/**
 * Every command answers --help (its options with defaults, exit 0) and refuses a bad option (exit 2, the
 * message names it): the scripts, the runner and the benchmarks, each as its own process.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { helpText, type CommandSpec, type OptionSpec } from '../../lib/cli.js';
import { SPEC as backtest } from '../../scripts/backtest.js';
import { SPEC as demo } from '../../scripts/demo.js';
import { SPEC as features } from '../../scripts/features.js';
import { SPEC as sweep } from '../../scripts/sweep.js';
import { SPEC as worker } from '../../scripts/worker.js';

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, out, err }));
  });
}

const tsx = (file: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', file, ...args]);

// Specs that are cheap to import here; the others (they run on import) are checked by their option names.
const COMMANDS: Array<[string, string, CommandSpec<Record<string, OptionSpec>> | string[]]> = [
  ['backtest', 'scripts/backtest.ts', backtest],
  ['demo', 'scripts/demo.ts', demo],
  ['features', 'scripts/features.ts', features],
  ['sweep', 'scripts/sweep.ts', sweep],
  ['worker', 'scripts/worker.ts', worker],
  ['train', 'scripts/train.ts', ['--out', '--csv', '--symbols', '--config', '--model', '--walk-forward', '--train-bars', '--retrain-every', '--window', '--trees', '--depth', '--epochs', '--seed', '--threshold', '--quiet']],
  ['runner', 'runner/main.ts', ['--config', '--state-dir', '--replay-speed', '--exit-when-done', '--no-api', '--fresh']],
  ['bench', 'bench/index.ts', []],
  ['notebooks', 'scripts/notebooks.ts', ['--timeout']],
  ['gate-null-check', 'scripts/gate-null-check.ts', ['--config', '--procedure', '--seeds', '--json']],
];

describe('every command', () => {
  it.each(COMMANDS)('%s --help lists its options with defaults and exits 0 without running', async (name, file, spec) => {
    const r = await tsx(file, '--help');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: /);
    const flags = Array.isArray(spec) ? spec : Object.keys(spec.options).map((k) => `--${k}`);
    for (const f of [...flags, '--help']) expect(r.out, f).toMatch(new RegExp(`^ +(-\\w, )?${f}\\b`, 'm'));
    if (!Array.isArray(spec)) {
      for (const [k, o] of Object.entries(spec.options)) {
        const shown = o.defaultText ?? o.default;
        if (shown !== undefined) expect(r.out.replace(/\s+/g, ' '), `--${k} default`).toContain(`default: ${shown}`);
      }
    }
    // nothing but the help: the job did not start
    if (!Array.isArray(spec)) expect(r.out).toBe(helpText(spec));
    else expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/show this help and exit$|^exit codes: /);
  });

  it.each(COMMANDS)('%s refuses an unknown option with exit 2 and names it', async (name, file) => {
    const r = await tsx(file, '--frobnicate', '3');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${name}: unknown option --frobnicate`);
    expect(r.out).toBe('');
  });

  it('a bad option value is a usage error naming the option (exit 2)', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['runner/main.ts', ['--replay-speed', 'fast'], /runner: --replay-speed: "fast" is not a number >= 0/],
      ['scripts/train.ts', ['--out', '/tmp/x', '--model', 'svm'], /train: --model: "svm" is not one of rf, gbdt, mlp/],
      ['scripts/train.ts', ['--trees', '10'], /train: --out models\/NAME is required/],
      ['scripts/train.ts', ['--out', '/tmp/x', '--window', 'expanding'], /train: --window needs --walk-forward/],
      ['scripts/train.ts', ['--out', '/tmp/x', '--model', 'rf', '--epochs', '5'], /train: --epochs is for --model mlp \(training rf\)/],
      ['scripts/demo.ts', ['--config'], /demo: --config needs a value/],
      ['bench/index.ts', ['nosuch'], /bench: no benchmark named nosuch\*/],
      ['scripts/notebooks.ts', ['notebooks/missing.ipynb'], /notebooks: notebooks\/missing\.ipynb: no such notebook/],
      ['scripts/sweep.ts', ['--config', 'sweep.yaml', '--workers', '0'], /sweep: --workers: "0" is not a whole number >= 1/],
      ['scripts/sweep.ts', ['--config', 'sweep.yaml', '--queue', 'localhost:6379'], /sweep: --queue: "localhost:6379" must start with redis:\/\//],
      ['scripts/worker.ts', ['--queue', 'redis://127.0.0.1:1', '--lock-ms', '5'], /worker: --lock-ms: "5" is not a whole number >= 100/],
    ];
    const rs = await Promise.all(cases.map(([f, args]) => tsx(f, ...args)));
    rs.forEach((r, i) => {
      expect(r.code, cases[i][1].join(' ')).toBe(2);
      expect(r.err).toMatch(cases[i][2]);
    });
  });

  it('a failure that is not the command line exits 1 (runner with a bad config, sweep with a missing sweep file)', async () => {
    const r = await tsx('runner/main.ts', '--config', 'test/no-such-config.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^runner: test\/no-such-config\.yaml: cannot read config file/);
    const s = await tsx('scripts/sweep.ts', '--config', 'test/no-such-sweep.yaml');
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/^sweep: test\/no-such-sweep\.yaml: cannot read the sweep file/);
  });

  it('setup:notebooks takes --help and refuses options', async () => {
    const h = await run('bash', ['scripts/setup-notebooks.sh', '--help']);
    expect([h.code, h.out]).toEqual([0, expect.stringMatching(/^usage: npm run setup:notebooks/)]);
    const b = await run('bash', ['scripts/setup-notebooks.sh', '--frobnicate']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('unknown option --frobnicate');
  });
});
