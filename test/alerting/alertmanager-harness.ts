import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config } from '../../mixin/config.js';
import { RULES_DIR } from './rules-harness.js';

export const ALERTMANAGER_CONFIG = join(RULES_DIR, 'alertmanager.yml');

/** Runs a command to completion, collecting its output. */
export function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts prometheus-alertmanager on loopback with the committed configuration, its secret
 * files pointed at a temporary directory holding dummy values (the receivers cannot be
 * reached; inhibition is decided before any notification).
 */
export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'tradewatch-am-'));
  const secrets = join(dir, 'secrets');
  await mkdir(secrets);
  const text = (await readFile(ALERTMANAGER_CONFIG, 'utf8')).replaceAll(
    config.routing.secretsDir,
    secrets,
  );
  for (const m of text.matchAll(new RegExp(`${secrets}/([\\w-]+)`, 'g'))) {
    await writeFile(join(secrets, m[1]!), m[1]!.endsWith('url') ? 'http://127.0.0.1:9/' : 'dummy');
  }
  const file = join(dir, 'alertmanager.yml');
  await writeFile(file, text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${file}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus-alertmanager did not become ready:\n${log}`);
}
