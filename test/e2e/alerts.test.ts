/**
 * Issue 9 item 3: every fault scenario of the simulator, end to end. The simulator's fault is
 * switched on through its control port; the exporter turns it into metrics; a real Prometheus
 * scrapes them and evaluates the generated alert rules; a real Alertmanager routes the alert
 * with the committed routing tree to the receivers it names (stand-ins here, the alert history
 * at the exporter's own webhook); then the fault is switched off and the alert must resolve
 * everywhere it went. Times from fault to notification are measured and printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultName } from '../../exporter/src/simulator/faults.js';
import { ALERTMANAGER_CONFIG, run } from '../alerting/alertmanager-harness.js';
import { generatedAlerts } from '../alerting/rules-harness.js';
import type { Notification } from './capture.js';
import {
  prometheusAlerts,
  RECEIVER,
  startStack,
  TIMING,
  type HistoryEntry,
  type RunningSimulator,
  type Stack,
} from './stack.js';

interface Expected {
  alertname: string;
  /** Labels that tell this scenario's alert from others of the same name. */
  labels: Record<string, string>;
  /** False when the alert outlives its fault by design (reported with the reason). */
  resolves: boolean | string;
}

interface Scenario {
  fault: FaultName;
  /** The simulator it runs on: its own engine, or the main one (pipeline and models). */
  engine: string;
  ticksOnly: boolean;
  alerts: Expected[];
}

const MAIN = 'e2e-main';
const SCENARIOS: Scenario[] = [
  {
    fault: 'circuit_breaker',
    engine: 'e2e-breaker',
    ticksOnly: true,
    alerts: [
      {
        alertname: 'TradewatchCircuitBreakerActive',
        labels: { engine: 'e2e-breaker' },
        resolves: true,
      },
    ],
  },
  {
    fault: 'heartbeat_stop',
    engine: 'e2e-heartbeat',
    ticksOnly: true,
    alerts: [
      {
        alertname: 'TradewatchHeartbeatLapsed',
        labels: { engine: 'e2e-heartbeat' },
        resolves: true,
      },
    ],
  },
  {
    fault: 'no_volume_spike',
    engine: MAIN,
    ticksOnly: false,
    alerts: [
      {
        alertname: 'TradewatchDiscoveryNoCandidates',
        labels: { pipeline: 'discovery' },
        resolves: true,
      },
    ],
  },
  {
    fault: 'drawdown_crash',
    engine: 'e2e-crash',
    ticksOnly: true,
    alerts: [
      {
        alertname: 'TradewatchDrawdownLongWindow',
        labels: { engine: 'e2e-crash' },
        resolves:
          'a drawdown is measured against the equity peak of the last 1d: it stays until the peak ages out',
      },
      {
        alertname: 'TradewatchDrawdownShortWindow',
        labels: { engine: 'e2e-crash' },
        resolves:
          'a drawdown is measured against the equity peak of the last 1h: it stays until the peak ages out',
      },
      // The crash trips the breaker; switching the fault off is the operator's reset.
      {
        alertname: 'TradewatchCircuitBreakerActive',
        labels: { engine: 'e2e-crash' },
        resolves: true,
      },
    ],
  },
  {
    fault: 'drift',
    engine: MAIN,
    ticksOnly: false,
    alerts: [
      {
        alertname: 'TradewatchModelFeatureDrift',
        labels: { model: 'move_classifier' },
        resolves: true,
      },
    ],
  },
];

/** What the committed routing table says for an alert's labels (`amtool config routes test`). */
async function routedReceivers(alertname: string): Promise<string[]> {
  const rule = generatedAlerts().find((a) => a.alert === alertname);
  if (!rule) throw new Error(`no generated alert ${alertname}`);
  const result = await run('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${ALERTMANAGER_CONFIG}`,
    `alertname=${alertname}`,
    ...Object.entries(rule.labels).map(([k, v]) => `${k}=${v}`),
  ]);
  if (result.code !== 0) throw new Error(result.output);
  return result.output
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('Warning'))
    .join(',')
    .split(',');
}

const matches = (labels: Record<string, string>, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => labels[k] === v);

/** A notification about this alert: its name, and (where it shows) its distinguishing labels. */
function about(n: Notification, e: Expected, status: 'firing' | 'resolved'): boolean {
  if (!n.alertnames.includes(e.alertname)) return false;
  if (n.alerts) {
    return n.alerts.some(
      (a) =>
        a.status === status && a.labels.alertname === e.alertname && matches(a.labels, e.labels),
    );
  }
  if (n.status !== status) return false;
  // Slack's text lists each alert's description; PagerDuty's trigger lists its labels.
  if (status === 'firing') return Object.values(e.labels).every((v) => n.text.includes(v));
  return true;
}

interface Measured {
  scenario: FaultName;
  alertname: string;
  receiver: string;
  firingMs: number;
  resolvedMs?: number;
}
const measured: Measured[] = [];

let stack: Stack;
const simulators = new Map<string, RunningSimulator>();

beforeAll(async () => {
  stack = await startStack();
  for (const engine of new Set(SCENARIOS.map((s) => s.engine))) {
    const ticksOnly = SCENARIOS.find((s) => s.engine === engine)!.ticksOnly;
    simulators.set(engine, await stack.simulator({ engine, ticksOnly }));
  }
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  if (measured.length === 0) return;
  const rows = measured.map(
    (m) =>
      `${m.scenario.padEnd(16)} ${m.alertname.padEnd(32)} ${m.receiver.padEnd(19)} ` +
      `${(m.firingMs / 1000).toFixed(1).padStart(5)} s ${
        m.resolvedMs === undefined ? '    -' : `${(m.resolvedMs / 1000).toFixed(1).padStart(5)} s`
      }`,
  );
  console.log(
    [
      `fault → notification (scrape ${TIMING.scrape} s, evaluation ${TIMING.evaluation} s, ` +
        `group_wait ${TIMING.groupWait} s, group_interval ${TIMING.groupInterval} s):`,
      `${'scenario'.padEnd(16)} ${'alert'.padEnd(32)} ${'receiver'.padEnd(19)} firing  resolved`,
      ...rows,
    ].join('\n'),
  );
});

/** Waits for the alert's firing (or resolved) entry in the exporter's history; its arrival time. */
async function inHistory(e: Expected, status: 'firing' | 'resolved', since: number) {
  const entry = await stack.waitFor(
    `${e.alertname} ${JSON.stringify(e.labels)} ${status} in GET /alerts/history`,
    async () =>
      (await stack.history(e.alertname)).find(
        (h: HistoryEntry) =>
          h.context.status === status &&
          matches(h.context.labels, e.labels) &&
          Date.parse(h.context.received_at) >= since,
      ),
    45_000,
  );
  return Date.parse(entry.context.received_at);
}

describe.concurrent('fault scenarios, from the simulator to the receivers', () => {
  it.each(SCENARIOS.map((s) => [s.fault, s] as const))(
    '%s',
    async (_fault, scenario) => {
      const sim = simulators.get(scenario.engine)!;
      const routes = new Map<string, string[]>();
      for (const e of scenario.alerts) routes.set(e.alertname, await routedReceivers(e.alertname));

      // Before the fault: the simulator is running and none of these alerts fires.
      await stack.waitFor(`the ${scenario.engine} engine in Prometheus`, async () => {
        const data = await stack.prometheus.api<{ result: unknown[] }>('/api/v1/query', {
          query: `tradewatch_engine_heartbeat_timestamp_seconds{engine="${scenario.engine}"}`,
        });
        return data.result.length > 0 ? true : undefined;
      });
      // (Polled: with a 5% significance level per feature, drift tests flag calm data now and
      // then; such a blip passes within the few seconds of the current window.)
      await stack.waitFor(
        `none of ${scenario.alerts.map((e) => e.alertname).join(', ')} pending or firing ` +
          `before ${scenario.fault} is switched on`,
        async () => {
          for (const e of scenario.alerts) {
            for (const state of ['pending', 'firing'] as const) {
              const active = await prometheusAlerts(stack.prometheus, e.alertname, state);
              if (active.some((l) => matches(l, e.labels))) return undefined;
            }
          }
          return true;
        },
      );
      const on = await sim.fault(scenario.fault, true);
      const firingAt = new Map<string, number>();
      await Promise.all(
        scenario.alerts.flatMap((e) =>
          routes.get(e.alertname)!.map(async (receiver) => {
            const at =
              receiver === RECEIVER.history
                ? await inHistory(e, 'firing', on)
                : (
                    await stack.capture.waitFor(
                      `${e.alertname} firing`,
                      receiver,
                      (n) => about(n, e, 'firing'),
                      { since: on, timeoutMs: 45_000 },
                    )
                  ).at;
            firingAt.set(`${e.alertname} ${receiver}`, at);
          }),
        ),
      );

      if (scenario.fault === 'no_volume_spike') {
        // Critical discovery alerts go to chat first (after group_wait) and page only after the
        // escalation delay (the pager route's own group_wait).
        const chat = firingAt.get(`TradewatchDiscoveryNoCandidates ${RECEIVER.chat}`)!;
        const pager = firingAt.get(`TradewatchDiscoveryNoCandidates ${RECEIVER.pager}`)!;
        expect(pager - chat, 'the pager escalation comes after chat').toBeGreaterThanOrEqual(
          (TIMING.escalation - TIMING.groupWait - 0.5) * 1000,
        );
      }

      const off = await sim.fault(scenario.fault, false);
      const resolvedAt = new Map<string, number>();
      await Promise.all(
        scenario.alerts
          .filter((e) => e.resolves === true)
          .flatMap((e) =>
            routes.get(e.alertname)!.map(async (receiver) => {
              const at =
                receiver === RECEIVER.history
                  ? await inHistory(e, 'resolved', off)
                  : (
                      await stack.capture.waitFor(
                        `${e.alertname} resolved (a group resolves once all its alerts have)`,
                        receiver,
                        (n) => about(n, e, 'resolved'),
                        { since: off, timeoutMs: 45_000 },
                      )
                    ).at;
              resolvedAt.set(`${e.alertname} ${receiver}`, at);
            }),
          ),
      );
      for (const e of scenario.alerts.filter((a) => a.resolves !== true)) {
        // Still firing once the others resolved: the look-back window, not a stuck pipeline.
        const firing = (await prometheusAlerts(stack.prometheus, e.alertname, 'firing')).filter(
          (l) => matches(l, e.labels),
        );
        expect(firing.length, `${e.alertname}: ${String(e.resolves)}`).toBe(1);
      }

      for (const e of scenario.alerts) {
        for (const receiver of routes.get(e.alertname)!) {
          const key = `${e.alertname} ${receiver}`;
          const resolved = resolvedAt.get(key);
          measured.push({
            scenario: scenario.fault,
            alertname: e.alertname,
            receiver,
            firingMs: firingAt.get(key)! - on,
            ...(resolved === undefined ? {} : { resolvedMs: resolved - off }),
          });
        }
      }
    },
    120_000,
  );

  it('the watchdog reaches the dead man’s switch and the history', async () => {
    expect(await routedReceivers('TradewatchWatchdog')).toEqual([
      RECEIVER.history,
      RECEIVER.deadMansSwitch,
    ]);
    await stack.capture.waitFor(
      'TradewatchWatchdog firing',
      RECEIVER.deadMansSwitch,
      (n) => n.alertnames.includes('TradewatchWatchdog'),
      { timeoutMs: 20_000 },
    );
    await stack.waitFor(
      'TradewatchWatchdog in the history',
      async () => ((await stack.history('TradewatchWatchdog')).length > 0 ? true : undefined),
      20_000,
    );
  }, 60_000);
});
