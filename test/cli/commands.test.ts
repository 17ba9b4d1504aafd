/**
 * Every command answers --help (its options with defaults, exit 0) and refuses a bad option (exit 2, the
 * message names it): the scripts, the runner and the benchmarks, each as its own process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, type CommandSpec, type OptionSpec } from '../../lib/cli.js';
import { SPEC as bench } from '../../bench/index.js';
import { SPEC as backtest } from '../../scripts/backtest.js';
import { SPEC as demo } from '../../scripts/demo.js';
import { SPEC as features } from '../../scripts/features.js';
import { SPEC as gateNullCheck } from '../../scripts/gate-null-check.js';
import { SPEC as importLightgbm } from '../../scripts/import-lightgbm.js';
import { SPEC as notebooks } from '../../scripts/notebooks.js';
import { SPEC as sweep } from '../../scripts/sweep.js';
import { SPEC as train } from '../../scripts/train.js';
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

// Every npm script that runs a TypeScript command, with its option table (the runner starts on import, so
// it is checked by its option names). Each runs here through tsx; test/cli/launcher.test.ts checks that the
// npm scripts' launcher gives the same answers.
const COMMANDS: Array<[string, string, CommandSpec<Record<string, OptionSpec>> | string[]]> = [
  ['backtest', 'scripts/backtest.ts', backtest],
  ['demo', 'scripts/demo.ts', demo],
  ['features', 'scripts/features.ts', features],
  ['train', 'scripts/train.ts', train],
  ['import-lightgbm', 'scripts/import-lightgbm.ts', importLightgbm],
  ['gate-null-check', 'scripts/gate-null-check.ts', gateNullCheck],
  ['sweep', 'scripts/sweep.ts', sweep],
  ['worker', 'scripts/worker.ts', worker],
  ['runner', 'runner/main.ts', ['--config', '--state-dir', '--replay-speed', '--exit-when-done', '--no-api', '--fresh']],
  ['bench', 'bench/index.ts', bench],
  ['notebooks', 'scripts/notebooks.ts', notebooks],
];

describe('the command table', () => {
  it('covers every npm script that runs a TypeScript command, each through the launcher', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const commands = Object.entries(scripts).filter(([, cmd]) => /\.ts$/.test(cmd));
    expect(commands.map(([n]) => n).sort()).toEqual(COMMANDS.map(([n]) => n).sort());
    for (const [name, file] of COMMANDS) expect(scripts[name], name).toBe(`node scripts/run.mjs ${file}`);
  });
});

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
      ['scripts/notebooks.ts', ['--timeout', '0'], /notebooks: --timeout: "0" is not a whole number >= 1/],
      ['scripts/import-lightgbm.ts', ['--model', 'm.txt', '--out', '/tmp/x'], /import-lightgbm: --from is required/],
      ['scripts/import-lightgbm.ts', ['--model', 'm.txt', '--out', '/tmp/x', '--from', '2020-13-01'], /import-lightgbm: --from: "2020-13-01" is not a date YYYY-MM-DD/],
      ['scripts/import-lightgbm.ts', ['--model', 'no-such-model.txt', '--out', '/tmp/x', '--from', '2020-01-02'], /import-lightgbm: --model: no-such-model\.txt does not exist/],
      ['scripts/gate-null-check.ts', ['--procedure', 'cpcv'], /gate-null-check: --procedure: "cpcv" is not one of holdout, walk-forward/],
      ['scripts/sweep.ts', ['--config', 'sweep.yaml', '--workers', '0'], /sweep: --workers: "0" is not a whole number >= 1/],
      ['scripts/worker.ts', ['--queue', 'http://localhost'], /worker: --queue: "http:\/\/localhost" must start with redis:\/\//],
      ['scripts/features.ts', ['--list', '--csv', 'x.csv'], /features: --list takes no other option/],
      ['scripts/backtest.ts', ['--start', '2020-02-30'], /backtest: --start: "2020-02-30" is not a date YYYY-MM-DD/],
      ['scripts/sweep.ts', ['--config', 'sweep.yaml', '--queue', 'localhost:6379'], /sweep: --queue: "localhost:6379" must start with redis:\/\//],
      ['scripts/worker.ts', ['--queue', 'redis://127.0.0.1:1', '--lock-ms', '5'], /worker: --lock-ms: "5" is not a whole number >= 100/],
    ];
    const rs = await Promise.all(cases.map(([f, args]) => tsx(f, ...args)));
    rs.forEach((r, i) => {
      expect(r.code, cases[i][1].join(' ')).toBe(2);
      expect(r.err).toMatch(cases[i][2]);
    });
  });

  it('an option the config makes pointless is refused (runner --replay-speed with runner.mode live)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-live-'));
    try {
      const config = join(dir, 'live.yaml');
      writeFileSync(config, 'runner: { mode: live }\n');
      const r = await tsx('runner/main.ts', '--config', config, '--replay-speed', '5', '--no-api');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`runner: --replay-speed is for runner.mode replay (${config} sets runner.mode: live)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failure that is not the command line exits 1 with a message naming what failed', async () => {
    const notAModel = 'test/cli/commands.test.ts';
    const cases: Array<[string, string[], RegExp]> = [
      ['runner/main.ts', ['--config', 'test/no-such-config.yaml'], /^runner: test\/no-such-config\.yaml: cannot read config file/],
      ['scripts/demo.ts', ['--config', 'test/no-such-config.yaml'], /^demo: test\/no-such-config\.yaml: cannot read config file/],
      ['scripts/gate-null-check.ts', ['--config', 'test/no-such-config.yaml'], /^gate-null-check: test\/no-such-config\.yaml: cannot read config file/],
      ['scripts/backtest.ts', ['--csv', 'test/no-such.csv', '--no-report'], /^backtest: .*test\/no-such\.csv/],
      ['scripts/features.ts', ['--csv', 'test/no-such.csv'], /^features: .*test\/no-such\.csv/],
      ['scripts/train.ts', ['--csv', 'test/no-such.csv', '--out', '/tmp/never-written'], /^train: .*test\/no-such\.csv/],
      ['scripts/import-lightgbm.ts', ['--model', notAModel, '--from', '2020-01-02', '--out', '/tmp/never-written'], /^import-lightgbm: .*commands\.test\.ts/],
      ['scripts/sweep.ts', ['--config', 'test/no-such-sweep.yaml'], /^sweep: .*cannot read the sweep file/],
      ['scripts/worker.ts', ['--queue', 'redis://127.0.0.1:1'], /^worker: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/],
    ];
    const rs = await Promise.all(cases.map(([f, args]) => tsx(f, ...args)));
    rs.forEach((r, i) => {
      expect(r.code, `${cases[i][0]} ${cases[i][1].join(' ')}: ${r.err}`).toBe(1);
      expect(r.err).toMatch(cases[i][2]);
    });
  });

  it('setup:notebooks takes --help and refuses options', async () => {
    const h = await run('bash', ['scripts/setup-notebooks.sh', '--help']);
    expect([h.code, h.out]).toEqual([0, expect.stringMatching(/^usage: npm run setup:notebooks/)]);
    const b = await run('bash', ['scripts/setup-notebooks.sh', '--frobnicate']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('unknown option --frobnicate');
  });
});
