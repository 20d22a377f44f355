/**
 * Issue 9 item 4, exporter side, as Prometheus and Alertmanager see it: two exporter replicas
 * on one real PostgreSQL, both scraped, the alert history behind a load balancer. The metrics
 * computed from the shared tables come from the advisory-lock leader only; the leader killed,
 * `TradewatchExporterDown` fires for it, its notification lands in the history the surviving
 * replica serves, and the survivor takes over the shared metrics. (The takeover itself, at the
 * exporter's /metrics, is test/replicas.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../helpers/http.js';
import { seedRecommendation } from '../helpers/payloads.js';
import {
  createTestDatabase,
  startThrowawayPostgres,
  type PostgresServer,
} from '../setup/postgres.js';
import { RECEIVER, startStack, type Stack } from './stack.js';

/** A family exported from the shared tables (by the leader only). */
const SHARED = 'tradewatch_recommendations_open';

let server: PostgresServer;
let stack: Stack;

beforeAll(async () => {
  server = await startThrowawayPostgres();
  const { url } = await createTestDatabase(server.url);
  stack = await startStack({
    exporters: 2,
    exporterEnv: {
      DATABASE_URL: url,
      TRADEWATCH_STORAGE__LEADER_RETRY_SECONDS: '0.5',
      TRADEWATCH_STORAGE__SHARED_METRICS_INTERVAL_SECONDS: '0.5',
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await server?.close();
});

/** `instance` → value of an instant query's series. */
async function byInstance(query: string): Promise<Map<string, number>> {
  const data = await stack.prometheus.api<{
    result: { metric: Record<string, string>; value: [number, string] }[];
  }>('/api/v1/query', { query });
  return new Map(data.result.map((r) => [r.metric.instance!, Number(r.value[1])]));
}

describe('two exporter replicas on one PostgreSQL, under Prometheus', () => {
  it('the leader killed: ExporterDown reaches the history, the other exports the shared metrics', async () => {
    const instances = stack.exporters.map((e) => new URL(e.url).host);
    const accepted = await postJson(stack.exporters[1]!.url, '/v1/recommendations', [
      seedRecommendation(),
    ]);
    expect(accepted.status, accepted.text).toBe(200);

    // In Prometheus: one leader, and the shared family from that instance only.
    const leader = await stack.waitFor('one leader exporting the shared family', async () => {
      const leaders = await byInstance('tradewatch_storage_leader == 1');
      const shared = await byInstance(`count by (instance) (${SHARED})`);
      const [only] = [...leaders.keys()];
      return leaders.size === 1 && shared.size === 1 && shared.has(only!) ? only : undefined;
    });
    const leaderIndex = instances.indexOf(leader);
    expect(leaderIndex).toBeGreaterThanOrEqual(0);
    const follower = instances[1 - leaderIndex]!;

    const killedAt = Date.now();
    stack.exporters[leaderIndex]!.process.child.kill('SIGKILL');

    await stack.waitFor(
      `the follower ${follower} to take over the shared family`,
      async () => {
        const leaders = await byInstance('tradewatch_storage_leader == 1');
        const shared = await byInstance(`count by (instance) (${SHARED})`);
        return leaders.has(follower) && shared.has(follower) ? true : undefined;
      },
      45_000,
    );
    const tookOverMs = Date.now() - killedAt;

    // The dead replica's alert, through Alertmanager, into the history the survivor serves.
    const entry = await stack.waitFor(
      `TradewatchExporterDown for ${leader} in the history`,
      async () =>
        (await stack.history('TradewatchExporterDown')).find(
          (h) => h.context.status === 'firing' && h.context.labels.instance === leader,
        ),
      45_000,
    );
    await stack.capture.waitFor(
      'TradewatchExporterDown firing',
      RECEIVER.pager,
      (n) => n.alertnames.includes('TradewatchExporterDown') && n.status === 'firing',
      { since: killedAt, timeoutMs: 30_000 },
    );
    console.log(
      `exporter replicas: leader ${leader} killed; ${follower} exported the shared metrics ` +
        `after ${(tookOverMs / 1000).toFixed(1)} s (as Prometheus saw it); ExporterDown in the ` +
        `history after ${((Date.parse(entry.context.received_at) - killedAt) / 1000).toFixed(1)} s`,
    );
  }, 120_000);
});
