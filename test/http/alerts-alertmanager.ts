/**
 * A real Alertmanager (Debian package `prometheus-alertmanager`) for the alert tests, on a free
 * port of 127.0.0.1, clustering off, routing every alert to tradewatch's webhook with the test
 * ingest token. `stop()` and `start()` take it away and bring it back on the same port and data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INGEST_TOKEN } from '../helpers/exporter.js';

export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

export interface RunningAlertmanager {
  url: string;
  /** Points the webhook receiver at the exporter (restarts Alertmanager). */
  route(webhookUrl: string): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function config(webhookUrl: string): string {
  return [
    'route:',
    '  receiver: tradewatch',
    "  group_by: ['...']", // every alert its own group: each is delivered at once
    '  group_wait: 100ms',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: tradewatch',
    '    webhook_configs:',
    `      - url: ${webhookUrl}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    `            credentials: ${INGEST_TOKEN}`,
    '',
  ].join('\n');
}

/** Reserves a port; Alertmanager starts with `route()` (the exporter's URL is known by then). */
export async function alertmanagerForTests(): Promise<RunningAlertmanager> {
  if (spawnSync(ALERTMANAGER_BIN, ['--version']).status !== 0) {
    throw new Error(
      `${ALERTMANAGER_BIN} is not on PATH: apt-get install -y prometheus-alertmanager`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tw-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = () => child?.kill('SIGKILL');
  process.once('exit', kill);

  const start = async () => {
    child = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const until = Date.now() + 20_000;
    for (;;) {
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      if (child.exitCode !== null || Date.now() > until) {
        throw new Error(`alertmanager did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  return {
    url,
    async route(webhookUrl) {
      await stop();
      writeFileSync(configFile, config(webhookUrl));
      await start();
    },
    stop,
    start,
    async close() {
      await stop();
      process.removeListener('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; silencedBy: string[] };
}

/** Alerts Alertmanager holds (`GET /api/v2/alerts`), optionally only those with `alert_id`. */
export async function alertmanagerAlerts(
  url: string,
  alertId?: string,
): Promise<AlertmanagerAlert[]> {
  const filter = alertId ? `?filter=${encodeURIComponent(`alert_id="${alertId}"`)}` : '';
  const response = await fetch(`${url}/api/v2/alerts${filter}`);
  if (!response.ok) throw new Error(`GET /api/v2/alerts answered ${response.status}`);
  return (await response.json()) as AlertmanagerAlert[];
}
