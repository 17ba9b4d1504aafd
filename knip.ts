// Unused files, exports and dependencies (`npm run knip`; .ci/run runs it). Entry points: the commands, the
// benchmarks, the tests, the notebooks, and lib/'s barrels (lib/*/index.ts), which are the library's public
// API for users' notebooks. An export no entry reaches is dead code. Notebooks are read through a compiler
// that keeps their code cells (their `./lib/...` imports are relative to the repo root, where the kernel starts).
import type { KnipConfig } from 'knip';

const notebookCode = (text: string): string => {
  const nb = JSON.parse(text) as { cells: Array<{ cell_type: string; source: string | string[] }> };
  return nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n')
    .replace(/(['"])\.\//g, '$1../');
};

const config: KnipConfig = {
  // The npm scripts start the commands through scripts/run.mjs (the launcher), so the runner is named here.
  entry: ['scripts/*.ts', 'runner/main.ts', 'bench/*.ts', 'test/**/*.test.ts', 'notebooks/*.ipynb', 'lib/*/index.ts', 'lib/cli.ts', 'runner/index.ts', 'lib/sweep/worker-thread.ts'],
  project: ['lib/**/*.ts', 'runner/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'notebooks/**/*.{ts,ipynb}'],
  compilers: { ipynb: notebookCode },
  // The notebook kernel (tools/tslab, its own package) provides tslab. Plotly's bundle, Swagger UI and autocannon
  // are loaded by file path (inlined into reports, served as static files, run in a child process), not imported.
  ignoreDependencies: ['tslab', 'plotly.js-finance-dist-min', 'swagger-ui-dist', 'autocannon', '@types/autocannon'],
};

export default config;
