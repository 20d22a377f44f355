import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Exporter } from './app.js';
import type { Logger } from './log.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** How often the files' modification times are checked (a change reloads them). */
  reloadIntervalSeconds: number;
}

export interface RunningServer {
  server: HttpServer | HttpsServer;
  url: string;
  /**
   * Reads the certificate and key again and serves them to new connections (SIGHUP calls it;
   * so does the file check). False, with the old certificate kept, when they cannot be loaded.
   */
  reloadTls(): boolean;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then flushes logs. */
  shutdown(): Promise<void>;
}

export async function startServer(
  exporter: Exporter,
  options: { host: string; port: number; shutdownTimeoutSeconds: number; tls?: TlsFiles },
  logger: Logger,
): Promise<RunningServer> {
  const tls = options.tls;
  const readPair = (files: TlsFiles) => ({
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
  });
  const server = tls
    ? createHttpsServer(readPair(tls), exporter.handle)
    : createServer(exporter.handle);
  server.listen(options.port, options.host);
  await once(server, 'listening');

  const stamp = (files: TlsFiles): string => {
    try {
      return [files.certFile, files.keyFile].map((f) => statSync(f).mtimeMs).join('/');
    } catch {
      return 'missing';
    }
  };
  let loadedStamp = tls ? stamp(tls) : '';
  const reloadTls = (): boolean => {
    if (!tls) return false;
    // Also on failure: broken files are retried when they change again, not every check.
    loadedStamp = stamp(tls);
    try {
      const pair = readPair(tls);
      (server as HttpsServer).setSecureContext(pair);
      logger.info({ component: 'monitoring', cert: tls.certFile }, 'TLS certificate loaded');
      return true;
    } catch (err) {
      logger.warn(
        { component: 'monitoring', err, cert: tls.certFile },
        'TLS certificate not reloaded: keeping the previous one',
      );
      return false;
    }
  };
  const watch = tls
    ? setInterval(() => {
        const now = stamp(tls);
        if (now !== loadedStamp && now !== 'missing') reloadTls();
      }, tls.reloadIntervalSeconds * 1000).unref()
    : undefined;
  server.keepAliveTimeout = 65_000; // longer than typical scrape intervals behind proxies
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  exporter.ready = true;
  logger.info({ component: 'monitoring', url }, 'tradewatch exporter listening');

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      exporter.ready = false;
      clearInterval(watch);
      logger.info({ component: 'monitoring' }, 'shutting down: finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections go idle as their last response ends: close them as they do.
      server.closeIdleConnections();
      const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(resolve, options.shutdownTimeoutSeconds * 1000, 'timeout').unref(),
      );
      if ((await Promise.race([closed, timeout])) === 'timeout') {
        logger.warn({ component: 'monitoring' }, 'shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }
      clearInterval(closeIdle);
      await exporter.close();
      logger.info({ component: 'monitoring' }, 'stopped');
      logger.flush();
    })());
  return { server, url, reloadTls, shutdown };
}
