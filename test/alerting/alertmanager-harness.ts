import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
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
  /** `127.0.0.1:port` of the cluster listener; undefined when clustering is off. */
  clusterAddress?: string;
  /** Everything it logged, for failure messages. */
  log(): string;
  /** SIGTERM, then removes its directory. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no goodbye to the cluster), then removes its directory. */
  kill(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** The configuration to run (default: the committed alertmanager.yml as it is). */
  config?: string;
  /**
   * Contents of the secret files the configuration reads from `config.routing.secretsDir`, by
   * file name; a file not named here gets a dummy value (an unreachable URL or `dummy`).
   */
  secrets?: Record<string, string>;
  /** Joins a cluster: listens for gossip on loopback and peers with these `host:port`s. */
  cluster?: {
    peers: string[];
    /** How long a peer waits per position before notifying itself (default 15s). */
    peerTimeout?: string;
    /** Gossip interval (default 200ms); settling takes about ten of them. */
    gossipInterval?: string;
    /** Listen on this port (default: a free one). */
    port?: number;
  };
}

/**
 * Starts prometheus-alertmanager on loopback with the committed configuration (or `options.config`),
 * its secret files pointed at a temporary directory holding dummy values unless
 * `options.secrets` names them (with the dummies the receivers cannot be reached; inhibition is
 * decided before any notification). Clustering is off unless `options.cluster` is given.
 */
export async function startAlertmanager(
  options: AlertmanagerOptions = {},
): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'tradewatch-am-'));
  const secrets = join(dir, 'secrets');
  await mkdir(secrets);
  const text = (options.config ?? (await readFile(ALERTMANAGER_CONFIG, 'utf8'))).replaceAll(
    config.routing.secretsDir,
    secrets,
  );
  for (const m of text.matchAll(new RegExp(`${secrets}/([\\w-]+)`, 'g'))) {
    const name = m[1]!;
    const value =
      options.secrets?.[name] ?? (name.endsWith('url') ? 'http://127.0.0.1:9/' : 'dummy');
    await writeFile(join(secrets, name), value);
  }
  const file = join(dir, 'alertmanager.yml');
  await writeFile(file, text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const clusterAddress = options.cluster
    ? `127.0.0.1:${options.cluster.port ?? (await freePort())}`
    : undefined;
  const clusterArgs = options.cluster
    ? [
        `--cluster.listen-address=${clusterAddress}`,
        `--cluster.advertise-address=${clusterAddress}`,
        ...options.cluster.peers.map((p) => `--cluster.peer=${p}`),
        `--cluster.peer-timeout=${options.cluster.peerTimeout ?? '15s'}`,
        `--cluster.gossip-interval=${options.cluster.gossipInterval ?? '200ms'}`,
      ]
    : ['--cluster.listen-address='];
  const child: ChildProcess = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${file}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...clusterArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-50_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const stop = () => end('SIGTERM');
  const kill = () => end('SIGKILL');
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, clusterAddress, log: () => log, stop, kill };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus-alertmanager did not become ready:\n${log}`);
}

export interface TestRouting {
  /** Where each receiver's notifications go instead, by receiver name (every receiver needs one). */
  receiverUrl: (receiver: string, integration: string) => string;
  /** Root `group_wait`, `group_interval` and `repeat_interval`. */
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  /** Replaces the escalation delay of critical discovery alerts to the pager (a route's group_wait). */
  escalationDelay: string;
  /** Replaces the root `group_by` (a benchmark that needs a new group per run); default as committed. */
  groupBy?: string[];
}

/**
 * The committed alertmanager.yml with its routing tree and inhibition rules as they are, and
 * only what a test must change rewritten: webhook and PagerDuty URLs point at `receiverUrl`,
 * Slack's `api_url_file` secret files hold `receiverUrl` (returned in `secrets`, for
 * `startAlertmanager`), and the root timings and the discovery escalation delay are shortened.
 */
export async function testRoutingConfig(
  routing: TestRouting,
): Promise<{ config: string; secrets: Record<string, string> }> {
  type Receiver = Record<string, Record<string, unknown>[] | string>;
  type Route = Record<string, unknown> & { routes?: Route[] };
  const doc = parse(await readFile(ALERTMANAGER_CONFIG, 'utf8')) as {
    route: Route;
    receivers: Receiver[];
  };
  const secrets: Record<string, string> = {};
  for (const receiver of doc.receivers) {
    const name = receiver.name as string;
    for (const [key, list] of Object.entries(receiver)) {
      if (!key.endsWith('_configs') || !Array.isArray(list)) continue;
      const integration = key.replace(/_configs$/, '');
      for (const entry of list) {
        const target = routing.receiverUrl(name, integration);
        if (integration === 'webhook') entry.url = target;
        else if (integration === 'pagerduty') entry.url = target;
        else if (typeof entry.api_url_file === 'string') {
          secrets[basename(entry.api_url_file)] = target;
        } else throw new Error(`receiver ${name}: cannot point ${integration} at a test URL`);
      }
    }
  }
  const escalation = config.routing.discoveryEscalationDelay;
  let escalations = 0;
  const visit = (route: Route) => {
    if (route.group_wait === escalation) {
      route.group_wait = routing.escalationDelay;
      escalations++;
    }
    route.routes?.forEach(visit);
  };
  doc.route.routes?.forEach(visit);
  if (escalations !== 1) throw new Error(`expected one escalation route, found ${escalations}`);
  Object.assign(doc.route, {
    group_wait: routing.groupWait,
    group_interval: routing.groupInterval,
    repeat_interval: routing.repeatInterval,
    ...(routing.groupBy ? { group_by: routing.groupBy } : {}),
  });
  return { config: stringify(doc), secrets };
}
