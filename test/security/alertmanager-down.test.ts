import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { get, postJson, type Reply } from '../helpers/http.js';
import { freePort } from '../helpers/prometheus.js';
import { pipelineAlert, webhook } from '../http/alerts-payloads.js';

/**
 * docs/reliability.md, "Alertmanager is unreachable": acknowledgements answer 503, at most
 * `alerts.max_queued` manual alerts wait (then 503), and nothing else is affected. The
 * configured Alertmanager is a loopback port nobody listens on.
 */
describe('a configured Alertmanager that is unreachable', () => {
  let tw: TestExporter;
  let logDir: string;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'tw-am-down-'));
    tw = await startExporter({
      TRADEWATCH_ALERTS__ALERTMANAGER_URL: `http://127.0.0.1:${await freePort()}`,
      TRADEWATCH_ALERTS__LOG_DIR: logDir,
      TRADEWATCH_ALERTS__MAX_QUEUED: '2',
      // Retries far apart, so none drains or refills the queue during the test.
      TRADEWATCH_ALERTS__RETRY_DELAYS_SECONDS: '[600]',
      TRADEWATCH_ALERTS__REQUEST_TIMEOUT_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await tw?.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const expectUnavailable = (reply: Reply, error: string): void => {
    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({ error });
  };

  it('answers acknowledgements 503 with Retry-After, while the alert history keeps working', async () => {
    const notified = await postJson(
      tw.url,
      '/alerts/webhook',
      webhook([
        {
          status: 'firing',
          labels: { alertname: 'TradewatchAmDown', severity: 'warning' },
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          fingerprint: 'a1b2c3',
        },
      ]),
    );
    expect(notified.status).toBe(200);
    expect(await tw.exporter.storage.buffer.flush(5000)).toBe(true);
    const history = await get(tw.url, '/alerts/history?since=1h&alertname=TradewatchAmDown');
    expect(history.status).toBe(200);
    const alerts = (history.json as { alerts: { context: { alert_id: string } }[] }).alerts;
    expect(alerts).toHaveLength(1);

    const ack = await postJson(tw.url, `/alerts/${alerts[0]!.context.alert_id}/ack`, {
      acknowledged_by: 'oncall',
    });
    expectUnavailable(ack, 'alertmanager_unavailable');
    expect(Number(ack.headers.get('retry-after'))).toBeGreaterThan(0);
    // Ingest is unaffected.
    const beat = await postJson(tw.url, '/v1/sources/polygon/heartbeat', {});
    expect(beat.status).toBe(200);
  });

  it('queues manual alerts up to alerts.max_queued, then answers 503 and queues nothing more', async () => {
    const now = new Date().toISOString();
    for (const id of ['am_down_1', 'am_down_2']) {
      const reply = await postJson(tw.url, '/v1/alerts', pipelineAlert(id, now));
      expect(reply.status, id).toBe(202);
    }
    expectUnavailable(
      await postJson(tw.url, '/v1/alerts', pipelineAlert('am_down_3', now)),
      'alert_queue_full',
    );
    const queued = await get(tw.url, '/v1/alerts/queued');
    const ids = (queued.json as { queued: { alert_id: string }[] }).queued.map((q) => q.alert_id);
    expect(ids.sort()).toEqual(['am_down_1', 'am_down_2']);
  });
});
