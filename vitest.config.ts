import { defineConfig } from 'vitest/config';

// The notebook HTML checks need `npm run notebooks` to have executed the notebooks first; that command runs them.
const notebookHtml = process.env.NOTEBOOK_HTML === '1';

export default defineConfig({
  test: {
    include: notebookHtml ? ['test/notebooks/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: notebookHtml ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/notebooks/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
