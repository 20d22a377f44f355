#!/usr/bin/env node
import { createExporter } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
import { startTracing } from './tracing/setup.js';

/** `tradewatch-exporter [--config file.yaml]`: runs the exporter until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const configIndex = args.indexOf('--config');
  const file = configIndex >= 0 ? args[configIndex + 1] : undefined;
  let config;
  try {
    config = loadConfig({ file });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`tradewatch: ${err.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.log.level);
  const tracing = startTracing();
  logger.info({ component: 'monitoring', traces: tracing.destination }, 'tracing started');
  const exporter = await createExporter(config, logger, { tracing });
  const running = await startServer(
    exporter,
    {
      host: config.server.host,
      port: config.server.port,
      shutdownTimeoutSeconds: config.server.shutdown_timeout_seconds,
      tls: config.server.tls && {
        certFile: config.server.tls.cert_file,
        keyFile: config.server.tls.key_file,
        reloadIntervalSeconds: config.server.tls.reload_interval_seconds,
      },
    },
    logger,
  );
  process.on('SIGHUP', () => running.reloadTls());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ component: 'monitoring', signal }, 'signal received');
      void running
        .shutdown()
        .then(() => tracing.shutdown())
        .catch((err: unknown) =>
          logger.warn({ component: 'monitoring', err }, 'tracing shutdown failed'),
        )
        .then(() => process.exit(0));
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`tradewatch: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
