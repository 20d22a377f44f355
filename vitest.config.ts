import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['exporter/test/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/setup/global.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      // The panel plugin's unit tests run under jsdom with their own setup.
      'grafana-plugin/vitest.config.ts',
    ],
  },
});
