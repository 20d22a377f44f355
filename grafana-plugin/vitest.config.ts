import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'grafana-plugin',
    root: fileURLToPath(new URL('.', import.meta.url)),
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    // @grafana/* ship ESM that imports CommonJS (moment-timezone) by named export, which
    // Node's loader refuses; letting vite transform them resolves the interop.
    server: { deps: { inline: [/@grafana\//] } },
  },
});
