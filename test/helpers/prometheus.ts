import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusOptions {
  /** `host:port` targets scraped as job `tradewatch`. */
  targets: string[];
  scrapeIntervalSeconds?: number;
  /** Feature flags for `--enable-feature` (e.g. `exemplar-storage`). */
  features?: string[];
  /** Rule files, by absolute path. */
  ruleFiles?: string[];
  /** Rule evaluation interval (default: the scrape interval); a rule group's own `interval` wins. */
  evaluationIntervalSeconds?: number;
  /** Alertmanagers (`http://host:port`) every firing and resolved alert is sent to. */
  alertmanagers?: string[];
  /** Job name of the scrape config (default `tradewatch`, the mixin's selector). */
  job?: string;
  /** Further command-line flags, e.g. `--rules.alert.resend-delay=5s`. */
  args?: string[];
}

export interface RunningPrometheus {
  url: string;
  /** GET on the HTTP API; throws unless Prometheus answers `status: success`. */
  api<T = unknown>(path: string, params?: Record<string, string>): Promise<T>;
  /** Polls `check` every 250 ms until it returns a value other than undefined. */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
  /** The last 20,000 characters Prometheus logged, for failure messages. */
  log(): string;
}

/** A free TCP port on loopback (Prometheus cannot report the port it got for :0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The machine's real `prometheus` (Debian package `prometheus`, installed with promtool by the
 * test setup) on loopback with a throwaway config and data directory.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const evaluation = `${options.evaluationIntervalSeconds ?? options.scrapeIntervalSeconds ?? 1}s`;
  const alertmanagers = (options.alertmanagers ?? []).map((u) => new URL(u).host);
  const config = {
    global: { scrape_interval: interval, evaluation_interval: evaluation },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      { job_name: options.job ?? 'tradewatch', static_configs: [{ targets: options.targets }] },
    ],
    ...(alertmanagers.length > 0
      ? {
          alerting: {
            alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: alertmanagers }] }],
          },
        }
      : {}),
  };
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.features ?? []).map((f) => `--enable-feature=${f}`),
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr
    ?.setEncoding('utf8')
    .on('data', (chunk: string) => (log = (log + chunk).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const waitFor = async <T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs = 30_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what} (${String(lastError)}); prometheus log: ${log}`);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  await waitFor('prometheus to be ready', async () =>
    (await fetch(`${url}/-/ready`)).ok ? true : undefined,
  ).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url, api, waitFor, stop, log: () => log };
}
