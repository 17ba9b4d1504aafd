import { defineConfig } from 'vitest/config';

// The notebook HTML check needs `npm run notebooks` to have executed the notebooks first; that command runs it.
const notebookHtml = process.env.NOTEBOOK_HTML === '1';

export default defineConfig({
  test: {
    include: notebookHtml ? ['test/notebooks/html.test.ts'] : ['test/**/*.test.ts'],
    exclude: notebookHtml ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/notebooks/html.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
