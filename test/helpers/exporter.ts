import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createExporter, type Exporter, type ExporterOptions } from '../../exporter/src/app.js';
import { loadConfig } from '../../exporter/src/config/load.js';
import type { Config } from '../../exporter/src/config/schema.js';
import { createLogger } from '../../exporter/src/log.js';
import { startServer } from '../../exporter/src/server.js';

/** The writer token every test exporter accepts (config requires at least 16 characters). */
export const INGEST_TOKEN = 'tw-test-ingest-token-0123456789';
/** Well-formed but not configured: answers 403. */
export const WRONG_TOKEN = 'tw-test-wrong-token-9876543210';

/**
 * Keeps test exporters off the repository's disk: the embedded database lives in memory, and the
 * alert log (default `logs/alerts` in the working directory) goes to a temporary directory of
 * this test process.
 */
export const ISOLATION_ENV: Record<string, string> = {
  TRADEWATCH_STORAGE__PGLITE_DATA_DIR: 'memory://',
  TRADEWATCH_ALERTS__LOG_DIR: join(tmpdir(), `tradewatch-test-alert-log-${process.pid}`),
};

export interface TestExporter {
  exporter: Exporter;
  config: Config;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * A real exporter, in this process, listening on 127.0.0.1 on a free port. `env` holds
 * `TRADEWATCH_*` overrides exactly as the process would read them (e.g.
 * `TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '2'`); the process environment is not consulted.
 * `options` go to `createExporter` as they are: extra `domains`, or `storage.db` to run on a
 * given database (a real PostgreSQL) instead of the in-memory PGlite.
 */
export async function startExporter(
  env: Record<string, string> = {},
  options: ExporterOptions = {},
): Promise<TestExporter> {
  const config = loadConfig({
    env: {
      TRADEWATCH_INGEST_TOKEN: INGEST_TOKEN,
      TRADEWATCH_HOST: '127.0.0.1',
      TRADEWATCH_PORT: '0',
      TRADEWATCH_LOG_LEVEL: 'silent',
      ...ISOLATION_ENV,
      ...env,
    },
  });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger('silent', discard);
  const exporter = await createExporter(config, logger, options);
  const running = await startServer(
    exporter,
    { host: config.server.host, port: config.server.port, shutdownTimeoutSeconds: 1 },
    logger,
  );
  return { exporter, config, url: running.url, close: running.shutdown };
}
