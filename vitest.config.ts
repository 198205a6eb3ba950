import { defineConfig } from 'vitest/config';

const exclude = ['node_modules/**', 'cdk.out/**', '.tend/**'];
/** Kills and restarts a whole stack of its own (`npm start`), so it runs alone, after the rest. */
const KILL_TEST = 'test/integration/kill-restart.test.ts';

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
          exclude: [...exclude, KILL_TEST],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        // Two Java and Node stacks started, killed and started again: beside other tests it
        // starves them (and they it) on two cores.
        test: { name: 'kill', include: [KILL_TEST], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
