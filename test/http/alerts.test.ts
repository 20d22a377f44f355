import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsDomain, type AlertsHandle } from '../../exporter/src/alerts/index.js';
import { BACKENDS, waitFor, type FreshDatabase } from '../../exporter/test/storage/backends.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { onlyFamilies, sampleValue } from '../helpers/exposition.js';
import { get, postJson, postRaw, scrape, type Reply } from '../helpers/http.js';
import { checkMetrics } from '../helpers/promtool.js';
import {
  alertmanagerAlerts,
  alertmanagerForTests,
  type RunningAlertmanager,
} from './alerts-alertmanager.js';
import { buyMoreAlert, pipelineAlert, webhook, type TestAlert } from './alerts-payloads.js';

interface ErrorReply {
  error: string;
  message: string;
  fields?: { field: string; message: string }[];
}
const errorOf = (reply: Reply): ErrorReply => reply.json as ErrorReply;

const isoAgo = (ms: number): string => new Date(Date.now() - ms).toISOString();
const MINUTE = 60_000;

const firing = (fingerprint: string, labels: Record<string, string>, agoMs: number): TestAlert => ({
  status: 'firing',
  labels,
  annotations: { summary: `${labels.alertname} fired.` },
  startsAt: isoAgo(agoMs),
  fingerprint,
});

describe.each(BACKENDS)('alert history and manual alerts over HTTP on $name', (backend) => {
  let fresh: FreshDatabase;
  let tw: TestExporter;
  let am: RunningAlertmanager;
  let handle: AlertsHandle;
  let logDir: string;

  /** The test database again: a new connection pool once an exporter has closed one. */
  const reopen = () => (fresh.url ? fresh.openAnother() : fresh.db);
  const start = async (db = fresh.db): Promise<TestExporter> => {
    const domain = createAlertsDomain({ onStart: (h) => (handle = h) });
    return startExporter(
      {
        TRADEWATCH_ALERTS__ALERTMANAGER_URL: am.url,
        TRADEWATCH_ALERTS__LOG_DIR: logDir,
        TRADEWATCH_ALERTS__RETRY_DELAYS_SECONDS: '[0.1, 0.2]',
        TRADEWATCH_ALERTS__CIRCUIT_BREAKER: '{failure_threshold: 3, open_seconds: 1}',
        TRADEWATCH_ALERTS__REQUEST_TIMEOUT_SECONDS: '1',
      },
      { domains: [domain], storage: { db } },
    );
  };
  const flush = async () => expect(await tw.exporter.storage.buffer.flush()).toBe(true);
  const count = async (table: string): Promise<number> => {
    await flush();
    const rows = await tw.exporter.storage.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table}`,
    );
    return rows[0]!.n;
  };
  const logLines = (): Record<string, unknown>[] =>
    readdirSync(logDir)
      .sort()
      .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n'))
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const alertMetricsText = async () =>
    onlyFamilies((await scrape(tw.url)).text, ['tradewatch_alerts_']);
  const dashboard = async () => {
    await flush();
    const reply = await get(tw.url, '/alerts/dashboard');
    expect(reply.status).toBe(200);
    return reply.json as {
      alert_summary: Record<string, number>;
      priority_alerts: { alert_id: string; severity: string; component: string }[];
      alert_categories: Record<string, Record<string, unknown>>;
    };
  };
  /** The history's occurrence id of the notification with this alertname (newest first). */
  const alertIdOf = async (alertname: string): Promise<string> => {
    await flush();
    const reply = await get(tw.url, `/alerts/history?since=1h&alertname=${alertname}`);
    const alerts = (reply.json as { alerts: { context: { alert_id: string } }[] }).alerts;
    expect(alerts.length).toBeGreaterThan(0);
    return alerts[0]!.context.alert_id;
  };

  beforeAll(async () => {
    fresh = await backend.fresh();
    logDir = mkdtempSync(join(tmpdir(), 'tw-alert-log-'));
    am = await alertmanagerForTests();
    tw = await start();
    await am.route(`${tw.url}/alerts/webhook`);
  });
  afterAll(async () => {
    await tw?.close();
    await am?.close();
    await fresh?.cleanup();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('stores webhook notifications once each, and logs them in document 001 format', async () => {
    const critical = firing(
      'a1b2c3d4e5f60001',
      { alertname: 'TradewatchPipelineFailed', severity: 'critical', component: 'discovery' },
      20 * MINUTE,
    );
    const warning = firing(
      'a1b2c3d4e5f60002',
      { alertname: 'TradewatchHeartbeatLapsed', severity: 'warning', component: 'trading' },
      5 * MINUTE,
    );
    const first = await postJson(tw.url, '/alerts/webhook', webhook([critical, warning]));
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ accepted: 2, duplicates: 0 });
    // Alertmanager repeats notifications (repeat_interval, retries): nothing new.
    const again = await postJson(tw.url, '/alerts/webhook', webhook([critical, warning]));
    expect(again.json).toEqual({ accepted: 0, duplicates: 2 });
    const resolved = { ...warning, status: 'resolved' as const, endsAt: isoAgo(MINUTE) };
    expect((await postJson(tw.url, '/alerts/webhook', webhook([resolved]))).json).toEqual({
      accepted: 1,
      duplicates: 0,
    });

    expect(await count('alerts')).toBe(2);
    expect(await count('alert_notifications')).toBe(3);
    const lines = logLines();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(
        ['acknowledged', 'context', 'message', 'rule', 'severity', 'timestamp'].sort(),
      );
    }
    expect(lines[0]).toMatchObject({
      timestamp: critical.startsAt,
      severity: 'CRITICAL',
      rule: 'TradewatchPipelineFailed',
      message: 'TradewatchPipelineFailed fired.',
      acknowledged: false,
      context: { status: 'firing', fingerprint: 'a1b2c3d4e5f60001', component: 'discovery' },
    });
    expect(lines[2]).toMatchObject({ timestamp: resolved.endsAt, context: { status: 'resolved' } });

    const text = await alertMetricsText();
    const received = (status: string, severity: string) =>
      sampleValue(text, 'tradewatch_alerts_received_total', { status, severity });
    expect(received('firing', 'critical')).toBe(1);
    expect(received('firing', 'warning')).toBe(1);
    expect(received('resolved', 'warning')).toBe(1);
  });

  it('answers the dashboard in document 000 section 4.2 shape, computed from the history', async () => {
    const board = await dashboard();
    expect(board.alert_summary).toEqual({
      total_active_alerts: 1,
      critical_alerts: 1,
      warning_alerts: 0,
      info_alerts: 0,
      unacknowledged_alerts: 1,
    });
    expect(board.priority_alerts).toEqual([
      expect.objectContaining({
        severity: 'CRITICAL',
        component: 'discovery',
        message: 'TradewatchPipelineFailed fired.',
        age_minutes: 20,
        requires_immediate_action: true,
        estimated_revenue_impact_usd: null,
      }),
    ]);
    expect(board.alert_categories.discovery_health).toEqual({
      active_count: 1,
      trend: 'worsening',
      last_24h_count: 1,
    });
    expect(board.alert_categories.trading).toMatchObject({ active_count: 0, last_24h_count: 1 });
  });

  it('queries the history by time, status and labels', async () => {
    await flush();
    const all = await get(tw.url, '/alerts/history?since=1h');
    expect((all.json as { alerts: unknown[] }).alerts).toHaveLength(3);
    const resolved = await get(tw.url, '/alerts/history?since=1h&status=resolved');
    expect((resolved.json as { alerts: { rule: string }[] }).alerts.map((a) => a.rule)).toEqual([
      'TradewatchHeartbeatLapsed',
    ]);
    const future = await get(tw.url, `/alerts/history?since=${new Date().toISOString()}&until=1s`);
    expect(future.status).toBe(400);
    expect(errorOf(future).fields?.[0]?.field).toBe('since');
    const bad = await get(tw.url, '/alerts/history?since=yesterday&severity=page&limit=0');
    expect(bad.status).toBe(400);
    expect(errorOf(bad).fields?.map((f) => f.field)).toEqual(['since', 'severity', 'limit']);
  });

  it('sends document 000 manual alerts to Alertmanager, whose webhook brings them back', async () => {
    const pipeline = pipelineAlert('discovery_failure_e2e', isoAgo(MINUTE));
    const reply = await postJson(tw.url, '/v1/alerts', pipeline);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ state: 'sent', accepted: 1, duplicates: 0 });
    const buyMore = buyMoreAlert('buy_more_QUBT_e2e', isoAgo(MINUTE));
    expect((await postJson(tw.url, '/v1/alerts', [buyMore])).status).toBe(200);

    const [sent] = await alertmanagerAlerts(am.url, 'discovery_failure_e2e');
    expect(sent?.labels).toEqual({
      alertname: 'TradewatchPipelineAlert',
      severity: 'critical',
      component: 'discovery',
      stage: 'volume_filtering',
      alert_id: 'discovery_failure_e2e',
    });
    expect(JSON.parse(sent?.annotations.payload ?? '')).toEqual(pipeline);

    // Alertmanager delivers both to the webhook (group_wait 100 ms).
    await waitFor(async () => (await count('alerts')) === 4, 10_000, 'the webhook deliveries');
    const board = await dashboard();
    expect(board.alert_summary).toMatchObject({ critical_alerts: 2, info_alerts: 1 });
    expect(board.alert_categories.buy_the_dip).toEqual({
      active_count: 1,
      trend: 'worsening',
      last_24h_count: 1,
      total_opportunity_usd: 225,
      highest_confidence: 0.82,
    });
  });

  it('acknowledges through an Alertmanager silence and records who did it', async () => {
    const id = await alertIdOf('TradewatchPipelineAlert');
    const reply = await postJson(tw.url, `/alerts/${id}/ack`, {
      acknowledged_by: 'alice',
      comment: 'looking at the volume thresholds',
      duration_minutes: 30,
    });
    expect(reply.status).toBe(200);
    const ack = reply.json as { silence_id: string; acknowledged_by: string; expires_at: string };
    expect(ack.acknowledged_by).toBe('alice');

    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as {
      id: string;
      createdBy: string;
      comment: string;
      matchers: { name: string; value: string }[];
    }[];
    const silence = silences.find((s) => s.id === ack.silence_id);
    expect(silence).toMatchObject({
      createdBy: 'alice',
      comment: 'looking at the volume thresholds',
    });
    expect(silence?.matchers).toContainEqual(
      expect.objectContaining({ name: 'alert_id', value: 'discovery_failure_e2e' }),
    );
    const [silenced] = await alertmanagerAlerts(am.url, 'discovery_failure_e2e');
    expect(silenced?.status.silencedBy).toEqual([ack.silence_id]);

    const twice = await postJson(tw.url, `/alerts/${id}/ack`, { acknowledged_by: 'bob' });
    expect(twice.status).toBe(409);
    expect(errorOf(twice).message).toContain('alice');
    expect(await count('alert_acknowledgements')).toBe(1);
    const board = await dashboard();
    expect(board.alert_summary.unacknowledged_alerts).toBe(2);
    expect(board.priority_alerts.map((p) => p.alert_id)).not.toContain(id);
    expect(logLines().at(-1)).toMatchObject({
      acknowledged: true,
      rule: 'TradewatchPipelineAlert',
      context: { acknowledged_by: 'alice', silence_id: ack.silence_id, alert_id: id },
    });
    expect(sampleValue(await alertMetricsText(), 'tradewatch_alerts_acknowledgements_total')).toBe(
      1,
    );

    expect((await postJson(tw.url, '/alerts/999999/ack', { acknowledged_by: 'x' })).status).toBe(
      404,
    );
    const noName = await postJson(tw.url, `/alerts/${id}/ack`, { comment: 'who?' });
    expect(noName.status).toBe(400);
    expect(errorOf(noName).fields?.[0]?.field).toBe('acknowledged_by');
    const badId = await postJson(tw.url, '/alerts/abc/ack', { acknowledged_by: 'x' });
    expect(errorOf(badId).fields?.[0]?.field).toBe('id');
  });

  describe('bad input: a clear 4xx naming the field, nothing stored or sent', () => {
    const now = () => isoAgo(0);
    const huge = 'x'.repeat(5000);
    const pipeline = () => pipelineAlert('p1', now());
    const buyMore = () => buyMoreAlert('b1', now());
    const cases: [string, string, string, () => unknown][] = [
      ['/v1/alerts', 'no title', 'title', () => ({ ...pipeline(), title: undefined })],
      [
        '/v1/alerts',
        'an unknown severity',
        'severity',
        () => ({ ...pipeline(), severity: 'SEVERE' }),
      ],
      ['/v1/alerts', 'a huge message', 'message', () => ({ ...pipeline(), message: huge })],
      ['/v1/alerts', 'a huge alert id', 'alert_id', () => pipelineAlert(huge, now())],
      [
        '/v1/alerts',
        'another alert_type',
        'alert_type',
        () => ({ ...buyMore(), alert_type: 'SELL' }),
      ],
      [
        '/v1/alerts',
        'a string price',
        'current_price',
        () => ({ ...buyMore(), current_price: '2' }),
      ],
      [
        '/v1/alerts',
        'one bad alert of two',
        '[1].created_at',
        () => [pipeline(), { ...pipeline(), created_at: 'today' }],
      ],
      ['/alerts/webhook', 'version 3', 'version', () => ({ ...webhook([]), version: '3' })],
      [
        '/alerts/webhook',
        'an unknown severity',
        'alerts[0].labels.severity',
        () => webhook([firing('ab01', { alertname: 'X', severity: 'page' }, 0)]),
      ],
      [
        '/alerts/webhook',
        'a huge label value',
        'alerts[0].labels.team',
        () => webhook([firing('ab01', { alertname: 'X', team: huge }, 0)]),
      ],
      [
        '/alerts/webhook',
        'a resolved alert without an end',
        'alerts[0].endsAt',
        () => webhook([{ ...firing('ab01', { alertname: 'X' }, 0), status: 'resolved' }]),
      ],
      [
        '/alerts/webhook',
        'a fingerprint that is not hex',
        'alerts[0].fingerprint',
        () => webhook([firing('zz', { alertname: 'X' }, 0)]),
      ],
    ];
    let before: {
      alerts: number;
      notifications: number;
      queued: number;
      metrics: string;
      am: number;
    };
    const snapshot = async () => ({
      alerts: await count('alerts'),
      notifications: await count('alert_notifications'),
      queued: await count('manual_alerts'),
      metrics: (await alertMetricsText()).replace(/^tradewatch_alerts_alertmanager_.*$/gm, ''),
      am: (await alertmanagerAlerts(am.url)).length,
    });
    beforeAll(async () => {
      before = await snapshot();
    });

    it.each(cases)('%s, %s: 400 naming %s', async (path, _name, field, body) => {
      const reply = await postJson(tw.url, path, body());
      expect(reply.status).toBe(400);
      expect(errorOf(reply).error).toBe('invalid_payload');
      expect(errorOf(reply).fields?.map((f) => f.field)).toContain(field);
    });

    it('malformed JSON and a missing token are refused too', async () => {
      expect((await postRaw(tw.url, '/v1/alerts', '{"alert_id":')).status).toBe(400);
      const anonymous = await postJson(tw.url, '/alerts/webhook', webhook([]), {
        authorization: null,
      });
      expect(anonymous.status).toBe(401);
    });

    it('changed nothing', async () => {
      expect(await snapshot()).toEqual(before);
    });
  });

  it('queues manual alerts while Alertmanager is down, opens the breaker, and delivers on its return', async () => {
    await am.stop();
    const queued = await postJson(tw.url, '/v1/alerts', pipelineAlert('outage_1', isoAgo(0)));
    expect(queued.status).toBe(202);
    expect(queued.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(queued.json).toMatchObject({ state: 'queued', accepted: 1, queued: 1 });
    expect((queued.json as { message: string }).message).toMatch(/ECONNREFUSED/);

    // The retries (0.1, 0.2 s) add failures until the breaker opens (3 in a row).
    await waitFor(() => handle.calls!.breaker.state === 'open', 5000, 'the breaker to open');
    const started = performance.now();
    const fast = await postJson(tw.url, '/v1/alerts', buyMoreAlert('outage_2', isoAgo(0)));
    expect(performance.now() - started).toBeLessThan(500); // no waiting on a dead service
    expect(fast.status).toBe(202);
    expect((fast.json as { message: string }).message).toMatch(/circuit breaker is open/);
    const repeat = await postJson(tw.url, '/v1/alerts', buyMoreAlert('outage_2', isoAgo(0)));
    expect(repeat.json).toMatchObject({ state: 'sent', accepted: 0, duplicates: 1 });

    expect(await count('manual_alerts')).toBe(2);
    const list = await get(tw.url, '/v1/alerts/queued');
    expect((list.json as { queued: { alert_id: string }[] }).queued.map((q) => q.alert_id)).toEqual(
      ['outage_1', 'outage_2'],
    );
    let text = await alertMetricsText();
    expect(
      sampleValue(text, 'tradewatch_alerts_alertmanager_circuit_breaker_state', { state: 'open' }),
    ).toBe(1);
    expect(sampleValue(text, 'tradewatch_alerts_manual_pending')).toBe(2);

    await am.start();
    await handle.outbox!.drained(10_000);
    expect(await alertmanagerAlerts(am.url, 'outage_1')).toHaveLength(1);
    expect(await alertmanagerAlerts(am.url, 'outage_2')).toHaveLength(1);
    expect(await count('manual_alerts')).toBe(0);
    expect(handle.calls!.breaker.state).toBe('closed');
    text = await alertMetricsText();
    expect(sampleValue(text, 'tradewatch_alerts_manual_pending')).toBe(0);
    expect(sampleValue(text, 'tradewatch_alerts_manual_queued_total', { kind: 'pipeline' })).toBe(
      1,
    );
    expect(sampleValue(text, 'tradewatch_alerts_manual_sent_total', { kind: 'buy_more' })).toBe(2);
    expect((await checkMetrics((await scrape(tw.url)).text)).output).toBe('');
  });

  it('keeps queued alerts across a restart of the exporter', async () => {
    await am.stop();
    const reply = await postJson(tw.url, '/v1/alerts', pipelineAlert('restart_1', isoAgo(0)));
    expect(reply.status).toBe(202);
    await tw.close(); // drains the write buffer: the queued alert is in the database
    tw = await start(reopen());
    await am.start();
    await handle.outbox!.drained(10_000);
    expect(await alertmanagerAlerts(am.url, 'restart_1')).toHaveLength(1);
    expect(await count('manual_alerts')).toBe(0);
  });

  it('answers 503 for manual alerts and acknowledgements without an Alertmanager', async () => {
    const bare = await startExporter(
      {},
      { domains: [createAlertsDomain()], storage: { db: reopen() } },
    );
    try {
      const reply = await postJson(bare.url, '/v1/alerts', pipelineAlert('none_1', isoAgo(0)));
      expect(reply.status).toBe(503);
      expect(errorOf(reply).error).toBe('alertmanager_not_configured');
      const id = await alertIdOf('TradewatchHeartbeatLapsed');
      const ack = await postJson(bare.url, `/alerts/${id}/ack`, { acknowledged_by: 'alice' });
      expect(ack.status).toBe(503);
      expect(errorOf(ack).error).toBe('alertmanager_not_configured');
    } finally {
      await bare.close();
    }
  });
});
