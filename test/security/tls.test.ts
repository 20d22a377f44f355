import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExporter, type Exporter } from '../../exporter/src/app.js';
import { loadConfig } from '../../exporter/src/config/load.js';
import { createLogger } from '../../exporter/src/log.js';
import { startServer, type RunningServer } from '../../exporter/src/server.js';
import { INGEST_TOKEN, ISOLATION_ENV } from '../helpers/exporter.js';
import { seedRun } from '../helpers/payloads.js';

/** A self-signed certificate for 127.0.0.1 whose subject CN is `cn` (openssl req). */
function makeCertificate(dir: string, cn: string): { cert: string; key: string } {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

interface Answer {
  status: number;
  body: string;
  cn: string;
}

function httpsCall(url: string, path: string, options: RequestOptions = {}, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { rejectUnauthorized: false, agent: false, ...options },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, cn: String(peer.subject?.CN) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS from certificate files, reloaded without a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-tls-'));
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  let exporter: Exporter;
  let running: RunningServer;
  const install = (cn: string) => {
    const pair = makeCertificate(dir, cn);
    // Renamed into place, as certificate tooling (cert-manager, certbot) does.
    renameSync(pair.cert, certFile);
    renameSync(pair.key, keyFile);
  };

  beforeAll(async () => {
    install('first.tradewatch.test');
    const config = loadConfig({
      env: {
        TRADEWATCH_INGEST_TOKEN: INGEST_TOKEN,
        TRADEWATCH_LOG_LEVEL: 'silent',
        ...ISOLATION_ENV,
      },
    });
    const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
    exporter = await createExporter(config, logger);
    running = await startServer(
      exporter,
      {
        host: '127.0.0.1',
        port: 0,
        shutdownTimeoutSeconds: 1,
        tls: { certFile, keyFile, reloadIntervalSeconds: 0.1 },
      },
      logger,
    );
  });
  afterAll(async () => {
    await running?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves scrapes and ingest over HTTPS with the configured certificate', async () => {
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const scrape = await httpsCall(running.url, '/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.cn).toBe('first.tradewatch.test');
    expect(scrape.body).toMatch(/^# HELP tradewatch_build_info/m);
    const post = await httpsCall(
      running.url,
      '/v1/pipeline-runs',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      },
      JSON.stringify(seedRun()),
    );
    expect(post.status).toBe(200);
  });

  it('serves a renewed certificate once the files change (file check) and on reloadTls (SIGHUP)', async () => {
    install('second.tradewatch.test');
    const deadline = Date.now() + 10_000;
    let cn = '';
    while (Date.now() < deadline) {
      cn = (await httpsCall(running.url, '/healthz')).cn;
      if (cn === 'second.tradewatch.test') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(cn).toBe('second.tradewatch.test');

    install('third.tradewatch.test');
    expect(running.reloadTls()).toBe(true);
    expect((await httpsCall(running.url, '/healthz')).cn).toBe('third.tradewatch.test');
  });

  it('keeps serving the previous certificate when the new files are broken', async () => {
    writeFileSync(certFile, 'not a certificate');
    expect(running.reloadTls()).toBe(false);
    const answer = await httpsCall(running.url, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.cn).toBe('third.tradewatch.test');
  });
});
