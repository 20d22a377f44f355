import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../exporter/src/audit/log.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { bearer, get, postJson } from '../helpers/http.js';
import { run, seedRun, stage } from '../helpers/payloads.js';
import { ADMIN_TOKEN, READER_TOKEN, ROLE_ENV, WRITER_TOKEN } from './tokens.js';

const admin = { authorization: bearer(ADMIN_TOKEN) };

describe('audit log', () => {
  let tw: TestExporter;
  beforeAll(async () => {
    tw = await startExporter(ROLE_ENV);
  });
  afterAll(() => tw?.close());

  const audit = async (query = ''): Promise<AuditEntry[]> => {
    await tw.exporter.storage.buffer.flush(5000);
    const reply = await get(tw.url, `/v1/audit${query}`, admin);
    expect(reply.status).toBe(200);
    return (reply.json as { entries: AuditEntry[] }).entries;
  };

  it('records who, what, when and the correlation id of each write, one row per request', async () => {
    const before = Date.now();
    const batch = [1, 2, 3].map((i) =>
      run({
        pipeline_id: `audit_${i}`,
        pipeline: 'audit',
        start_time: '2025-09-03T14:00:00Z',
        end_time: '2025-09-03T14:10:00Z',
        stages: [stage('load', 10, 5)],
      }),
    );
    const accepted = await postJson(tw.url, '/v1/pipeline-runs', batch, {
      authorization: bearer(WRITER_TOKEN),
      headers: { 'x-correlation-id': 'audit-test-1' },
    });
    expect(accepted.status).toBe(200);
    const refused = await postJson(
      tw.url,
      '/v1/models/m1/baseline',
      { nope: true },
      {
        authorization: bearer(ADMIN_TOKEN),
      },
    );
    expect(refused.status).toBe(400);
    const ack = await postJson(
      tw.url,
      '/alerts/123/ack',
      { acknowledged_by: 'oncall' },
      {
        authorization: bearer(ADMIN_TOKEN),
      },
    );
    // No Alertmanager is configured; the attempt is still audited.
    expect(ack.status).toBeGreaterThanOrEqual(400);
    // Reads, unauthenticated and forbidden requests are not audited.
    await get(tw.url, '/v1/pipeline-runs', { authorization: bearer(READER_TOKEN) });
    await postJson(tw.url, '/v1/pipeline-runs', seedRun(), { authorization: null });
    await postJson(tw.url, '/v1/alerts', [], { authorization: bearer(WRITER_TOKEN) });

    const entries = await audit();
    expect(entries).toHaveLength(3);
    const byKind = (kind: string) => entries.find((e) => e.kind === kind);
    const [ackRow, baselineRow, runRow] = [
      byKind('alert_ack'),
      byKind('baseline'),
      byKind('pipeline_run'),
    ];
    expect(runRow).toMatchObject({
      token_name: 'env-writer',
      role: 'writer',
      method: 'POST',
      route: '/v1/pipeline-runs',
      kind: 'pipeline_run',
      event_count: 3,
      status: 200,
      correlation_id: 'audit-test-1',
    });
    expect(Date.parse(runRow!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(baselineRow).toMatchObject({
      token_name: 'env-admin',
      role: 'admin',
      route: '/v1/models/:model/baseline',
      kind: 'baseline',
      event_count: 1,
      status: 400,
      correlation_id: refused.headers.get('x-correlation-id'),
    });
    expect(ackRow).toMatchObject({ route: '/alerts/:id/ack', kind: 'alert_ack', role: 'admin' });
    expect(ackRow!.status).toBe(ack.status);
    // Never the token itself.
    const text = JSON.stringify(entries);
    for (const token of [ADMIN_TOKEN, WRITER_TOKEN]) expect(text).not.toContain(token);
  });

  it('filters by role, since and limit, and refuses bad queries', async () => {
    expect((await audit('?role=writer')).map((e) => e.role)).toEqual(['writer']);
    expect(await audit('?limit=1')).toHaveLength(1);
    expect(await audit(`?since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
    for (const query of [
      '?since=yesterday',
      '?role=root',
      '?limit=0',
      '?limit=5000',
      '?limit=1&limit=2',
    ]) {
      const reply = await get(tw.url, `/v1/audit${query}`, admin);
      expect(reply.status, query).toBe(400);
      expect(reply.json).toMatchObject({ error: 'invalid_payload' });
    }
  });

  it('is for admins only', async () => {
    expect((await get(tw.url, '/v1/audit')).status).toBe(401);
    expect((await get(tw.url, '/v1/audit', { authorization: bearer(WRITER_TOKEN) })).status).toBe(
      403,
    );
  });
});
