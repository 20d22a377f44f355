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
      target: 'pipeline_id=audit_1,audit_2,audit_3',
      acknowledged_by: null,
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
      target: 'model=m1',
    });
    expect(ackRow).toMatchObject({
      route: '/alerts/:id/ack',
      kind: 'alert_ack',
      role: 'admin',
      target: 'id=123',
      acknowledged_by: 'oncall',
    });
    expect(ackRow!.status).toBe(ack.status);
    // Never the token itself.
    const text = JSON.stringify(entries);
    for (const token of [ADMIN_TOKEN, WRITER_TOKEN]) expect(text).not.toContain(token);
  });

  it('filters by role, token name, kind, correlation id, since and until, and refuses bad queries', async () => {
    expect((await audit('?role=writer')).map((e) => e.role)).toEqual(['writer']);
    expect((await audit('?token_name=env-admin')).map((e) => e.kind).sort()).toEqual([
      'alert_ack',
      'baseline',
    ]);
    expect((await audit('?kind=baseline')).map((e) => e.target)).toEqual(['model=m1']);
    expect((await audit('?correlation_id=audit-test-1')).map((e) => e.kind)).toEqual([
      'pipeline_run',
    ]);
    expect(await audit('?correlation_id=nobody')).toEqual([]);
    expect(await audit('?limit=1')).toHaveLength(1);
    const all = await audit();
    const oldest = all.at(-1)!.at;
    expect(await audit(`?until=${oldest}`)).toEqual([]); // until is exclusive
    expect(await audit(`?since=${oldest}&until=${oldest}`)).toEqual([]);
    expect(await audit(`?since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
    for (const [query, field] of [
      ['?since=yesterday', 'since'],
      ['?until=2025-13-45T00:00:00Z', 'until'],
      ['?role=root', 'role'],
      ['?limit=0', 'limit'],
      ['?limit=5000', 'limit'],
      ['?limit=1&limit=2', 'limit'],
      ['?token_name=', 'token_name'],
      ['?kind=a%00b', 'kind'],
      [`?correlation_id=${'x'.repeat(201)}`, 'correlation_id'],
      ['?cursor=not-a-cursor', 'cursor'],
    ]) {
      const reply = await get(tw.url, `/v1/audit${query}`, admin);
      expect(reply.status, query).toBe(400);
      expect(reply.json, query).toMatchObject({
        error: 'invalid_payload',
        fields: [{ field }],
      });
    }
  });

  it('pages past 1,000 rows with a cursor, without repeating or skipping a row', async () => {
    // 1,005 rows with one timestamp: the order must fall back on audit_id to stay stable.
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await tw.exporter.storage.db.query(
      `INSERT INTO audit_log (audit_id, at, token_name, role, method, route, kind, event_count,
                              status, correlation_id)
       SELECT 'bulk-' || lpad(i::text, 4, '0'), $1, 'bulk', 'writer', 'POST', '/v1/ticks',
              'bulk_tick', 1, 200, NULL
         FROM generate_series(1, 1005) AS i`,
      [at],
    );
    const pageOf = async (query: string) => {
      const reply = await get(tw.url, `/v1/audit?kind=bulk_tick${query}`, admin);
      expect(reply.status).toBe(200);
      return reply.json as { entries: AuditEntry[]; next_cursor: string | null };
    };
    const first = await pageOf('&limit=1000');
    expect(first.entries).toHaveLength(1000);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await pageOf(`&limit=1000&cursor=${first.next_cursor}`);
    expect(second.entries).toHaveLength(5);
    expect(second.next_cursor).toBeNull();
    const ids = [...first.entries, ...second.entries].map((e) => e.audit_id);
    const expected = Array.from(
      { length: 1005 },
      (_, i) => `bulk-${String(i + 1).padStart(4, '0')}`,
    );
    expect(ids).toEqual(expected);
    // Small pages walk the same order.
    const walked: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null && walked.length < 20) {
      const page = await pageOf(`&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...page.entries.map((e) => e.audit_id));
      cursor = page.next_cursor;
    }
    expect(walked).toEqual(expected.slice(0, 21));
  });

  it('deletes rows older than storage.retention_days.audit_log (90 by default)', async () => {
    expect(tw.config.storage.retention_days.audit_log).toBe(90);
    const dayMs = 86_400_000;
    const insert = (id: string, ageDays: number) =>
      tw.exporter.storage.db.query(
        `INSERT INTO audit_log (audit_id, at, token_name, role, method, route, kind,
                                event_count, status)
         VALUES ($1, $2, 'old', 'writer', 'POST', '/v1/ticks', 'retention_tick', 1, 200)`,
        [id, new Date(Date.now() - ageDays * dayMs).toISOString()],
      );
    await insert('retention-91d', 91);
    await insert('retention-89d', 89);
    const deleted = await tw.exporter.storage.retention.runOnce();
    expect(deleted.audit_log).toBe(1);
    const left = await tw.exporter.storage.db.query<{ audit_id: string }>(
      `SELECT audit_id FROM audit_log WHERE kind = 'retention_tick'`,
    );
    expect(left.map((r) => r.audit_id)).toEqual(['retention-89d']);
  });

  it('is for admins only', async () => {
    expect((await get(tw.url, '/v1/audit')).status).toBe(401);
    expect((await get(tw.url, '/v1/audit', { authorization: bearer(WRITER_TOKEN) })).status).toBe(
      403,
    );
  });
});
