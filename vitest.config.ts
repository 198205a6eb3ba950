import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'cdk.out/**', '.tend/**'],
    // The local services start once per run; integration tests reach them through `inject`.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep workers few so timing-sensitive local services are not starved.
    maxWorkers: 2,
  },
});
