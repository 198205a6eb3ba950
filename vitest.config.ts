import { defineConfig } from 'vitest/config';

const exclude = ['node_modules/**', 'cdk.out/**', '.tend/**'];

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep workers few so the local services are not starved.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: [...exclude, 'test/**'] },
      },
      {
        extends: true,
        // The local services start once per run; these tests reach them through `inject`.
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
