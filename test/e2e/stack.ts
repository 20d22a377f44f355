import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradewatchClient } from '../../exporter/src/client/index.js';
import { startControlServer, type ControlServer } from '../../exporter/src/simulator/control.js';
import { FaultSwitch, type FaultName } from '../../exporter/src/simulator/faults.js';
import { Simulator, type Sender } from '../../exporter/src/simulator/run.js';
import { config as mixin } from '../../mixin/config.js';
import {
  startAlertmanager,
  testRoutingConfig,
  type RunningAlertmanager,
} from '../alerting/alertmanager-harness.js';
import { renderRulesForTest } from '../alerting/rules-harness.js';
import { INGEST_TOKEN } from '../helpers/exporter.js';
import { get } from '../helpers/http.js';
import { listeningUrl, spawnExporter, type ExporterProcess } from '../helpers/process.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { startCapture, type CaptureServer } from './capture.js';

/**
 * The whole alerting path on loopback for the end-to-end tests: the built exporter (a process),
 * simulators feeding it with their fault control ports, a real Prometheus evaluating the
 * generated rules (1 s intervals, `for` durations in seconds instead of minutes), one or more
 * real Alertmanagers running the committed routing tree with the receivers pointed at a
 * capture server (the alert history receiver at the exporter's own webhook).
 */

/** Test timings: Prometheus and Alertmanager, in seconds. */
export interface Timing {
  scrape: number;
  evaluation: number;
  groupWait: number;
  groupInterval: number;
  repeatInterval: string;
  escalation: number;
  resendDelay: number;
}

export const TIMING: Timing = {
  scrape: 1,
  evaluation: 1,
  groupWait: 1,
  groupInterval: 1,
  /** Long: a firing alert is notified once per group, so counting notifications means something. */
  repeatInterval: '1h',
  /** The discovery pager's escalation delay (5 minutes in production). */
  escalation: 4,
  /**
   * Prometheus re-sends a firing alert this often (1m by default); an alert it does not hear
   * about for 4 times this long is resolved by Alertmanager, so it must outlast a stall.
   */
  resendDelay: 5,
};

/** Heartbeat interval of the main simulator's data sources. */
const SOURCE_INTERVAL_MS = 3_000;

/** The simulated engine counts its sentiment errors of the last "hour" over this many ms. */
export const SENTIMENT_ERROR_WINDOW_MS = 5_000;

/** A generated `for` of minutes becomes as many seconds (`2m` → `2s`); `0m` stays 0. */
export function testFor(generated: string | undefined): string | undefined {
  if (generated === undefined) return undefined;
  const m = /^(\d+)([smhdw])$/.exec(generated);
  if (!m) throw new Error(`unexpected for: ${generated}`);
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 's'];
  return `${Math.round(seconds / 60)}s`;
}

/** The receivers of the routing table (alert-rules/alertmanager.yml). */
export const RECEIVER = {
  history: 'tradewatch-history',
  chat: 'chat',
  pager: 'pager',
  retraining: 'retraining-webhook',
  deadMansSwitch: 'deadmans-switch',
} as const;

/** One line of `GET /alerts/history` (document 001's alert log format). */
export interface HistoryEntry {
  timestamp: string;
  rule: string;
  context: {
    status: 'firing' | 'resolved';
    fingerprint: string;
    starts_at: string;
    labels: Record<string, string>;
    receiver: string;
    received_at: string;
  };
}

export interface RunningSimulator {
  simulator: Simulator;
  control: ControlServer;
  /** Switches a fault through the control port; resolves with Date.now() once it answered. */
  fault(name: FaultName, on: boolean): Promise<number>;
  stop(): Promise<void>;
}

export interface SimulatorSpec {
  /** The engine name (the `engine` label of its alerts). */
  engine: string;
  /** Sends only engine ticks (an engine of its own, beside the main simulator's pipeline). */
  ticksOnly?: boolean;
  /** Daily loss (percent) at which the engine's breaker trips (the simulator's default 5). */
  circuitBreakerPct?: number;
  /** Called with each engine snapshot the exporter accepted, and Date.now() then. */
  onTick?: (tick: Record<string, unknown>, acceptedAt: number) => void;
}

export interface RunningExporter {
  process: ExporterProcess;
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** The built exporter in a process of its own (`npm run build` first; `npm test` does). */
export async function startExporterProcess(env: Record<string, string>): Promise<RunningExporter> {
  const proc = spawnExporter(env);
  let url: URL;
  try {
    url = await listeningUrl(proc);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw err;
  }
  return {
    process: proc,
    url: url.origin,
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
      }
      await proc.exited;
    },
  };
}

/**
 * A load balancer in front of exporter replicas, as a deployment puts one: each request goes
 * to the first replica (round robin) that accepts the connection.
 */
async function startBalancer(
  targets: () => string[],
): Promise<{ url: string; stop(): Promise<void> }> {
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const all = targets();
        const start = next++;
        for (let i = 0; i < all.length; i++) {
          const target = all[(start + i) % all.length]!;
          try {
            const headers = Object.fromEntries(
              Object.entries(req.headers)
                .filter(([k]) => !['host', 'connection', 'content-length'].includes(k))
                .map(([k, v]) => [k, String(v)]),
            );
            const answer = await fetch(`${target}${req.url ?? '/'}`, {
              method: req.method ?? 'GET',
              headers,
              ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
            });
            res.writeHead(answer.status, {
              'content-type': answer.headers.get('content-type') ?? 'text/plain',
            });
            res.end(Buffer.from(await answer.arrayBuffer()));
            return;
          } catch {
            // not reachable: the next replica
          }
        }
        res.writeHead(502).end('no replica reachable');
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Stack {
  timing: Timing;
  /** The first exporter replica (the one simulators send to). */
  exporter: RunningExporter;
  exporters: RunningExporter[];
  prometheus: RunningPrometheus;
  alertmanagers: RunningAlertmanager[];
  capture: CaptureServer;
  simulator(spec: SimulatorSpec): Promise<RunningSimulator>;
  /** The exporter's stored notifications of an alert, oldest first (through the balancer). */
  history(alertname: string): Promise<HistoryEntry[]>;
  /** Polls `check` every 200 ms until it returns a value; fails with `what` and the logs. */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Alertmanagers to run; two or more form a cluster on loopback. */
  alertmanagers?: number;
  /** Cluster peer timeout (how long the second peer waits before notifying itself). */
  peerTimeout?: string;
  /** Cluster gossip interval; a peer settles after about 30 of them (default 100ms). */
  gossipInterval?: string;
  /**
   * Exporter replicas (default 1), all scraped; with more than one, Alertmanager's history
   * webhook goes through a load balancer in front of them (they must share a database).
   */
  exporters?: number;
  /** More `TRADEWATCH_*` (or DATABASE_URL) environment for every replica. */
  exporterEnv?: Record<string, string>;
  /** Other timings than TIMING (a benchmark's). */
  timing?: Partial<Timing>;
  /** `for` of named alerts instead of their generated one (scaled by testFor). */
  ruleFor?: Record<string, string>;
  /** Replaces the routing's root group_by (see testRoutingConfig). */
  groupBy?: string[];
}

async function stopAll(parts: ({ stop(): Promise<unknown> } | undefined)[]): Promise<void> {
  await Promise.allSettled(parts.map((p) => p?.stop()));
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const timing: Timing = { ...TIMING, ...options.timing };
  const dir = await mkdtemp(join(tmpdir(), 'tw-e2e-'));
  const capture = await startCapture();
  const simulators: RunningSimulator[] = [];
  const alertmanagers: RunningAlertmanager[] = [];
  const exporters: RunningExporter[] = [];
  let balancer: { url: string; stop(): Promise<void> } | undefined;
  let prometheus: RunningPrometheus | undefined;
  const cleanup = async () => {
    await stopAll(simulators);
    await stopAll([prometheus, ...alertmanagers, balancer]);
    await stopAll(exporters);
    await capture.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const replicas = options.exporters ?? 1;
    exporters.push(
      ...(await Promise.all(
        Array.from({ length: replicas }, (_, i) =>
          startExporterProcess({
            TRADEWATCH_ALERTS__LOG_DIR: join(dir, `alerts-${i}`),
            TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '0',
            // The trading system's own thresholds, shortened like the intervals below.
            TRADEWATCH_ENGINE__HEARTBEAT_INTERVAL_SECONDS: '2',
            TRADEWATCH_DRIFT__EVALUATION_INTERVAL_SECONDS: '1',
            TRADEWATCH_DRIFT__CURRENT_WINDOW_SECONDS: '3',
            ...options.exporterEnv,
          }),
        ),
      )),
    );
    let historyUrl = exporters[0]!.url;
    if (replicas > 1) {
      const live = exporters;
      balancer = await startBalancer(() =>
        live.filter((e) => e.process.child.exitCode === null).map((e) => e.url),
      );
      historyUrl = balancer.url;
    }
    const routing = await testRoutingConfig({
      receiverUrl: (receiver, integration) =>
        receiver === RECEIVER.history
          ? `${historyUrl}/alerts/webhook`
          : capture.url(receiver, integration),
      groupWait: `${timing.groupWait}s`,
      groupInterval: `${timing.groupInterval}s`,
      repeatInterval: timing.repeatInterval,
      escalationDelay: `${timing.escalation}s`,
      ...(options.groupBy ? { groupBy: options.groupBy } : {}),
    });
    const secrets = { ...routing.secrets, 'tradewatch-webhook-token': INGEST_TOKEN };
    const count = options.alertmanagers ?? 1;
    const cluster = {
      gossipInterval: options.gossipInterval ?? '100ms',
      ...(options.peerTimeout ? { peerTimeout: options.peerTimeout } : {}),
    };
    const first = await startAlertmanager({
      config: routing.config,
      secrets,
      ...(count > 1 ? { cluster: { peers: [], ...cluster } } : {}),
    });
    alertmanagers.push(first);
    for (let i = 1; i < count; i++) {
      alertmanagers.push(
        await startAlertmanager({
          config: routing.config,
          secrets,
          cluster: { peers: [first.clusterAddress!], ...cluster },
        }),
      );
    }
    const ruleFiles = await Promise.all(
      ['recording.yml', 'alerts.yml'].map(async (file) => {
        const path = join(dir, file);
        await writeFile(
          path,
          renderRulesForTest(file, {
            interval: `${timing.evaluation}s`,
            for: (generated, alert) => options.ruleFor?.[alert] ?? testFor(generated),
          }),
        );
        return path;
      }),
    );
    prometheus = await startPrometheus({
      targets: exporters.map((e) => new URL(e.url).host),
      scrapeIntervalSeconds: timing.scrape,
      evaluationIntervalSeconds: timing.evaluation,
      ruleFiles,
      alertmanagers: alertmanagers.map((a) => a.url),
      job: /job="([^"]+)"/.exec(mixin.tradewatchSelector)?.[1],
      // Firing alerts are sent again every 1m by default: one that fired before Prometheus had
      // found its Alertmanagers (the watchdog, at the first evaluation) would wait that long.
      args: [`--rules.alert.resend-delay=${timing.resendDelay}s`],
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const exp = exporters[0]!;
  const prom = prometheus;

  const logs = () =>
    [
      `--- prometheus ---\n${prom.log().slice(-3000)}`,
      ...alertmanagers.map((a, i) => `--- alertmanager ${i} ---\n${a.log().slice(-3000)}`),
    ].join('\n');

  const waitFor: Stack['waitFor'] = async (what, check, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}` +
            `${lastError ? ` (last error: ${String(lastError)})` : ''}\n${logs()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const simulator = async (spec: SimulatorSpec): Promise<RunningSimulator> => {
    const client = new TradewatchClient({ baseUrl: exp.url, token: INGEST_TOKEN });
    const ok = () => Promise.resolve({ ok: true as const, accepted: 0, duplicates: 0 });
    const sendTicks: Sender['sendTicks'] = async (t) => {
      const result = await client.sendTicks(t);
      if (result.ok) spec.onTick?.(t as unknown as Record<string, unknown>, Date.now());
      return result;
    };
    const sender: Sender = spec.ticksOnly
      ? {
          sendTicks,
          sendPipelineRuns: ok,
          sourceHeartbeat: ok,
          sendRecommendations: ok,
          sendPrices: ok,
          sendRankings: ok,
        }
      : {
          sendTicks,
          sendPipelineRuns: (...a) => client.sendPipelineRuns(...a),
          sourceHeartbeat: (...a) => client.sourceHeartbeat(...a),
          sendRecommendations: (...a) => client.sendRecommendations(...a),
          sendPrices: (...a) => client.sendPrices(...a),
          sendRankings: (...a) => client.sendRankings(...a),
        };
    const faults = new FaultSwitch();
    const sim = new Simulator({
      client: sender,
      ...(spec.ticksOnly ? {} : { models: client }),
      seed: 7,
      faults,
      engineName: spec.engine,
      // The engine's hour of sentiment errors, compressed like the `for` durations (so that the
      // alert resolves within the test once the provider works again).
      sentimentErrorWindowMs: SENTIMENT_ERROR_WINDOW_MS,
      // No history: the alert scenarios start from a calm market, not from days of rankings.
      backfillDays: 0,
      ...(spec.circuitBreakerPct === undefined
        ? {}
        : { circuitBreakerPct: spec.circuitBreakerPct }),
      tickIntervalMs: 250,
      runIntervalMs: spec.ticksOnly ? 60_000 : 1_000,
      priceIntervalMs: 1_000,
      predictionIntervalMs: 250,
      ...(spec.ticksOnly ? { universeSize: 50 } : {}),
      sources: spec.ticksOnly
        ? []
        : // A source is stale past 2 intervals; with 1 s scrapes and evaluations a heartbeat is up
          // to ~2 s old when a rule sees it, so an interval under 2 s would flap without a fault.
          [
            { name: 'polygon', intervalMs: SOURCE_INTERVAL_MS },
            { name: 'sentiment_feed', intervalMs: SOURCE_INTERVAL_MS },
          ],
    });
    const control = await startControlServer(faults, { port: 0 });
    sim.start();
    const running: RunningSimulator = {
      simulator: sim,
      control,
      fault: async (name, on) => {
        const response = await fetch(`${control.url}/faults/${name}`, {
          method: on ? 'PUT' : 'DELETE',
        });
        const state = (await response.json()) as { active: boolean };
        if (!response.ok || state.active !== on) {
          throw new Error(`switching ${name} ${on ? 'on' : 'off'}: ${JSON.stringify(state)}`);
        }
        return Date.now();
      },
      stop: async () => {
        await sim.stop();
        await control.close();
      },
    };
    simulators.push(running);
    return running;
  };

  const history = async (alertname: string): Promise<HistoryEntry[]> => {
    const reply = await get(
      balancer?.url ?? exp.url,
      `/alerts/history?since=1h&limit=1000&alertname=${alertname}`,
    );
    if (reply.status !== 200) throw new Error(`GET /alerts/history: ${reply.status} ${reply.text}`);
    return [...(reply.json as { alerts: HistoryEntry[] }).alerts].reverse();
  };

  return {
    timing,
    exporter: exp,
    exporters,
    prometheus: prom,
    alertmanagers,
    capture,
    simulator,
    history,
    waitFor,
    stop: cleanup,
  };
}

/** Alerts Prometheus holds in a state, as `{labels}` (GET /api/v1/alerts). */
export async function prometheusAlerts(
  prometheus: RunningPrometheus,
  alertname: string,
  state: 'pending' | 'firing',
): Promise<Record<string, string>[]> {
  const data = await prometheus.api<{
    alerts: { labels: Record<string, string>; state: string }[];
  }>('/api/v1/alerts');
  return data.alerts
    .filter((a) => a.labels.alertname === alertname && a.state === state)
    .map((a) => a.labels);
}
