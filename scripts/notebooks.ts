/**
 * npm run notebooks [-- notebooks/NAME.ipynb ...]: the command-line front of scripts/run-notebooks.sh (which
 * installs the kernel, executes the notebooks headless, exports HTML and checks the charts in Chromium), so
 * it takes --help and refuses bad arguments like every other command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { intArg, parseCommand, runCommand, UsageError } from '../lib/cli.js';

export const SPEC = {
  name: 'notebooks',
  usage: 'npm run notebooks [-- [--timeout S] notebooks/NAME.ipynb ...]',
  summary:
    'Execute notebooks headless with the tstrader TypeScript kernel (installed first), export HTML to\n' +
    'reports/notebooks/, and check in headless Chromium that every chart rendered. A failing cell fails the\n' +
    'command and prints the cell and its error. Needs Jupyter (see README.md).',
  positionals: { arg: 'NOTEBOOK ...', help: 'notebooks to run (default: every notebooks/*.ipynb)' },
  options: {
    timeout: { type: 'string', arg: 'S', help: 'seconds one cell may take', defaultText: 'NOTEBOOK_TIMEOUT or 300' },
  },
} as const;

function main(): number {
  const parsed = parseCommand(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  for (const p of parsed.positionals) {
    if (!p.endsWith('.ipynb')) throw new UsageError(`${p} is not a notebook (.ipynb)`);
    if (!existsSync(p) || !statSync(p).isFile()) throw new UsageError(`${p}: no such notebook`);
  }
  const env = { ...process.env };
  if (parsed.values.timeout !== undefined) env.NOTEBOOK_TIMEOUT = String(intArg('timeout', parsed.values.timeout));
  const r = spawnSync('bash', [resolve('scripts/run-notebooks.sh'), ...parsed.positionals], { stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status === 0 ? 0 : 1;
}

// Run only as the command: tests import SPEC.
if ((process.argv[1] ?? '').endsWith('notebooks.ts')) runCommand('notebooks', main);
