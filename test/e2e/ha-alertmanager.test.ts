/**
 * Issue 9 item 4, Alertmanager side: two Alertmanagers clustered on loopback (gossip on
 * `--cluster.listen-address`, joined with `--cluster.peer`), Prometheus sending every alert to
 * both. Each notification must be delivered once (the peers share their notification log);
 * with the one that delivered it killed, notifications must still arrive, from the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from './capture.js';
import { RECEIVER, startStack, type RunningSimulator, type Stack } from './stack.js';

const ALERT = 'TradewatchCircuitBreakerActive';
const ENGINE = 'e2e-ha';
/** The second peer waits this long (per position) for the first to notify; 15s by default. */
const PEER_TIMEOUT_SECONDS = 3;
/**
 * How long to keep listening for a duplicate after the first delivery: the second peer
 * notifies itself after PEER_TIMEOUT unless the first one's log entry reached it by then.
 */
const DUPLICATE_WINDOW_MS = (PEER_TIMEOUT_SECONDS + 2) * 1000;
/** Receivers the breaker alert is routed to (test/e2e/alerts.test.ts checks the table). */
const RECEIVERS = [RECEIVER.chat, RECEIVER.pager];

let stack: Stack;
let sim: RunningSimulator;

beforeAll(async () => {
  stack = await startStack({ alertmanagers: 2, peerTimeout: `${PEER_TIMEOUT_SECONDS}s` });
  sim = await stack.simulator({ engine: ENGINE, ticksOnly: true });
  await stack.waitFor('both Alertmanagers to see a cluster of two, settled', async () => {
    const states = await Promise.all(
      stack.alertmanagers.map(async (am) => {
        const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as {
          cluster: { status: string; peers: unknown[] };
        };
        return status.cluster.status === 'ready' && status.cluster.peers.length === 2;
      }),
    );
    return states.every(Boolean) ? true : undefined;
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

const ofAlert = (status: 'firing' | 'resolved') => (n: Notification) =>
  n.alertnames.includes(ALERT) && n.status === status;

/**
 * Waits for the first delivery to every receiver; with both peers up, then for a while longer
 * (a duplicate would come from the other peer): exactly one each.
 */
async function deliveredOnce(
  status: 'firing' | 'resolved',
  since: number,
  peersUp: number,
): Promise<number> {
  const first = await Promise.all(
    RECEIVERS.map((r) =>
      stack.capture.waitFor(`${ALERT} ${status}`, r, ofAlert(status), {
        since,
        timeoutMs: 45_000,
      }),
    ),
  );
  if (peersUp > 1) await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS));
  for (const receiver of RECEIVERS) {
    const got = stack.capture.notifications.filter(
      (n) => n.receiver === receiver && n.at >= since && ofAlert(status)(n),
    );
    expect(got.length, `${status} notifications of ${ALERT} at ${receiver}`).toBe(1);
  }
  return Math.max(...first.map((n) => n.at)) - since;
}

/** Notifications an Alertmanager sent through an integration (its own /metrics). */
async function sent(url: string, integration: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(
    `^alertmanager_notifications_total\\{integration="${integration}"\\} (\\S+)$`,
    'm',
  ).exec(text);
  return Number(m?.[1] ?? 0);
}

describe('two Alertmanagers in a cluster', () => {
  it('deliver a notification once, and keep delivering with one of them killed', async () => {
    // Both peers receive the alert from Prometheus; one notifies, the other sees it in the log.
    const on = await sim.fault('circuit_breaker', true);
    const firingMs = await deliveredOnce('firing', on, 2);
    const received = await Promise.all(
      stack.alertmanagers.map(async (am) => {
        const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as {
          labels: Record<string, string>;
        }[];
        return alerts.some((a) => a.labels.alertname === ALERT && a.labels.engine === ENGINE);
      }),
    );
    expect(received, 'Prometheus sent the alert to both peers').toEqual([true, true]);

    // Kill the peer that delivered (a crash: no leave message), so the other must take over.
    const counts = await Promise.all(stack.alertmanagers.map((am) => sent(am.url, 'slack')));
    const deliverer = counts.findIndex((c) => c > 0);
    expect(deliverer, `slack notifications per peer: ${counts.join(', ')}`).toBeGreaterThanOrEqual(
      0,
    );
    await stack.alertmanagers[deliverer]!.kill();

    const off = await sim.fault('circuit_breaker', false);
    const resolvedMs = await deliveredOnce('resolved', off, 1);
    const again = await sim.fault('circuit_breaker', true);
    const againMs = await deliveredOnce('firing', again, 1);
    const survivor = stack.alertmanagers[1 - deliverer]!;
    expect(await sent(survivor.url, 'slack')).toBeGreaterThanOrEqual(2);
    await stack.waitFor(`the new ${ALERT} occurrence in the history`, async () => {
      const entries = (await stack.history(ALERT)).filter(
        (h) => h.context.status === 'firing' && h.context.labels.engine === ENGINE,
      );
      return entries.length >= 2 ? true : undefined;
    });
    console.log(
      `Alertmanager cluster: firing delivered once after ${(firingMs / 1000).toFixed(1)} s; ` +
        `peer ${deliverer} killed; resolved delivered once by the survivor after ` +
        `${(resolvedMs / 1000).toFixed(1)} s, firing again after ${(againMs / 1000).toFixed(1)} s`,
    );
  }, 150_000);
});
