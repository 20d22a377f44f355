import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real `prometheus` (the Debian package's binary) on loopback, with a temporary config. */
export interface RunningPrometheus {
  url: string;
  /** Everything it logged, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  job: string;
  /** `host:port` of the exporter. */
  target: string;
  /** Rule files to load, as their YAML text. */
  rules: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * Scrapes every second (so `$__rate_interval` is 4 s) with exemplar storage on, as the
 * provisioned Prometheus datasource expects; resolves once Prometheus answers /-/ready.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'tradewatch-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const ruleFiles = options.rules.map((_, i) => join(dir, `rules-${i}.yml`));
  await Promise.all(options.rules.map((text, i) => writeFile(ruleFiles[i]!, text)));
  await writeFile(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: [{ job_name: options.job, static_configs: [{ targets: [options.target] }] }],
    }),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, log: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within 30 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface QueryResult {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: object; value?: [number, string]; values?: [number, string][] }[];
  };
}

/** GET on the HTTP API, form-encoded parameters; the JSON answer, errors included. */
export async function api(
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<QueryResult> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  return (await response.json()) as QueryResult;
}
