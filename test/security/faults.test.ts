import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_TOKEN, startExporter } from '../helpers/exporter.js';
import { sampleValue } from '../helpers/exposition.js';
import { get, postJson, scrape } from '../helpers/http.js';
import { run, stage } from '../helpers/payloads.js';
import { listeningUrl, spawnExporter, type ExporterProcess } from '../helpers/process.js';
import {
  createTestDatabase,
  startThrowawayPostgres,
  type PostgresServer,
} from '../setup/postgres.js';

/**
 * Fault injection (issue 10): each test checks one promise of docs/reliability.md. The
 * Alertmanager promises are checked in test/http/alerts.test.ts ("queues manual alerts while
 * Alertmanager is down ..." and "keeps queued alerts across a restart") and
 * test/security/alertmanager-down.test.ts (acknowledgements 503, alerts.max_queued), the
 * buffer-full answer in test/http/persistence.test.ts; they are not repeated here.
 */
const RUNS = '/v1/pipeline-runs';

const runNumber = (pipeline: string, i: number) =>
  run({
    pipeline_id: `${pipeline}_${String(i).padStart(5, '0')}`,
    pipeline,
    start_time: '2025-09-03T14:00:00Z',
    end_time: '2025-09-03T14:10:00Z',
    stages: [stage('load', 10, 5)],
  });

async function storedRuns(url: string, pipeline: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ pipeline_id: string }>(
      'SELECT pipeline_id FROM pipeline_runs WHERE pipeline = $1 ORDER BY pipeline_id',
      [pipeline],
    );
    return rows.rows.map((r) => r.pipeline_id);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault injection', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startThrowawayPostgres();
  }, 120_000);
  afterAll(() => server?.close());

  it('PostgreSQL stopped and restarted mid-stream: every accepted event and its audit row stored exactly once', async () => {
    const { url } = await createTestDatabase(server.url);
    const tw = await startExporter({
      DATABASE_URL: url,
      TRADEWATCH_STORAGE__FLUSH_INTERVAL_MS: '20',
      TRADEWATCH_RATE_LIMIT__INGEST_REQUESTS: '0',
    });
    const accepted: string[] = [];
    const refused: number[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const body = runNumber('midstream', i);
        const reply = await postJson(tw.url, RUNS, body);
        if (reply.status === 200) accepted.push(body.pipeline_id);
        else refused.push(reply.status);
        await sleep(5);
      }
    })();
    try {
      await sleep(500);
      await server.stop(); // fast shutdown: open connections are cut mid-stream
      await sleep(1500);
      const down = await get(tw.url, '/readyz');
      expect(down.status).toBe(200); // still ready: writes are buffered
      expect(down.json).toMatchObject({ storage: { up: false } });
      await server.start();
      await sleep(500);
      sending = false;
      await sender;
      expect(refused).toEqual([]); // the buffer (100,000 writes) never filled
      expect(await tw.exporter.storage.buffer.flush(30_000)).toBe(true);
      const stored = await storedRuns(url, 'midstream');
      expect(stored).toEqual([...accepted].sort());
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const audit = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM audit_log WHERE kind = 'pipeline_run' AND status = 200",
        );
        expect(audit.rows[0]!.n).toBe(accepted.length);
      } finally {
        await client.end();
      }
      expect(sampleValue((await scrape(tw.url)).text, 'tradewatch_storage_up')).toBe(1);
    } finally {
      sending = false;
      await sender;
      await tw.close();
    }
  }, 90_000);

  it('PostgreSQL down: reads of stored data answer 503, status reads answer from memory', async () => {
    const { url } = await createTestDatabase(server.url);
    // Ranking quality answers from a snapshot at most this old (1 s here, 15 s by default).
    const tw = await startExporter({
      DATABASE_URL: url,
      TRADEWATCH_STORAGE__SHARED_METRICS_INTERVAL_SECONDS: '1',
    });
    const admin = { authorization: `Bearer ${INGEST_TOKEN}` }; // admin: no admin token is set
    const stored = [
      '/v1/recommendations/trk_1',
      '/alerts/history',
      '/alerts/dashboard',
      '/v1/audit',
      '/learning/missed-opportunities',
      '/dip-detection/portfolio-analysis',
      '/v1/rankings/quality',
      '/api/tracing/correlation/4bf92f3577b34da6a3ce929d0e0e4736',
    ];
    const fromMemory = ['/v1/pipeline-runs', '/v1/alerts/queued'];
    const statusOf = async (path: string) => (await get(tw.url, path, admin)).status;
    try {
      expect((await postJson(tw.url, RUNS, runNumber('down_reads', 1))).status).toBe(200);
      expect(await tw.exporter.storage.buffer.flush(10_000)).toBe(true);
      await server.stop();
      await sleep(1100); // past the ranking-quality snapshot's age

      const answers: Record<string, number> = {};
      for (const path of [...stored, ...fromMemory]) answers[path] = await statusOf(path);
      const expected = Object.fromEntries([
        ...stored.map((p) => [p, 503]),
        ...fromMemory.map((p) => [p, 200]),
      ]);
      expect(answers).toEqual(expected);
      const reply = await get(tw.url, '/alerts/history', admin);
      expect(reply.json).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      await server.start();
      // Back: the stored reads answer again (the pool reconnects on the next query).
      const back = Date.now() + 15_000;
      while ((await statusOf('/alerts/history')) !== 200 && Date.now() < back) await sleep(200);
      expect(await statusOf('/v1/audit')).toBe(200);
    } finally {
      await tw.close();
    }
  }, 90_000);

  describe('the exporter killed with SIGKILL and restarted', () => {
    let dbUrl: string;
    let proc: ExporterProcess | undefined;
    beforeAll(async () => {
      dbUrl = (await createTestDatabase(server.url)).url;
    });
    afterAll(async () => {
      proc?.child.kill('SIGKILL');
      await proc?.exited;
    });

    it('keeps what was written before the kill (pending_writes 0), counters restart, the restarted process takes writes again', async () => {
      const env = { DATABASE_URL: dbUrl, TRADEWATCH_STORAGE__FLUSH_INTERVAL_MS: '200' };
      proc = spawnExporter(env);
      let url = (await listeningUrl(proc)).origin;
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) {
        const body = runNumber('killed', i);
        expect((await postJson(url, RUNS, body)).status).toBe(200);
        ids.push(body.pipeline_id);
      }
      // The promise: once /readyz reports no pending writes, the accepted events are stored.
      for (let tries = 0; tries < 100; tries++) {
        const ready = (await get(url, '/readyz')).json as { storage: { pending_writes: number } };
        if (ready.storage.pending_writes === 0) break;
        await sleep(100);
      }
      proc.child.kill('SIGKILL');
      expect((await proc.exited).signal).toBe('SIGKILL');
      expect(await storedRuns(dbUrl, 'killed')).toEqual(ids);

      proc = spawnExporter(env);
      url = (await listeningUrl(proc)).origin;
      const { text } = await scrape(url);
      // Counters start from zero (Prometheus' rate() treats it as a reset); the latest run's
      // gauges are restored from the store.
      expect(text).not.toMatch(/^tradewatch_pipeline_runs_total\{pipeline="killed"/m);
      expect(
        sampleValue(text, 'tradewatch_pipeline_final_candidates', { pipeline: 'killed' }),
      ).toBe(5);
      // A client retrying a run it never saw answered is told it is a duplicate, not stored twice.
      const retry = await postJson(url, RUNS, runNumber('killed', 49));
      expect(retry.json).toEqual({ accepted: 0, duplicates: 1 });
      expect((await postJson(url, RUNS, runNumber('killed', 50))).status).toBe(200);
      proc.child.kill('SIGTERM');
      await proc.exited;
      proc = undefined;
      expect(await storedRuns(dbUrl, 'killed')).toHaveLength(51);
    }, 90_000);
  });

  it('the OTLP endpoint down: ingest is unaffected, spans are dropped and counted', async () => {
    const proc = spawnExporter({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', // discard port: nothing listens
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    });
    try {
      const url = (await listeningUrl(proc)).origin;
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        expect((await postJson(url, RUNS, runNumber('otlp_down', i))).status).toBe(200);
        expect(performance.now() - started).toBeLessThan(2000);
      }
      let text = '';
      for (let tries = 0; tries < 50; tries++) {
        text = (await scrape(url)).text;
        if ((sampleValue(text, 'tradewatch_tracing_span_export_failures_total') ?? 0) > 0) break;
        await sleep(200);
      }
      expect(sampleValue(text, 'tradewatch_tracing_span_export_failures_total')).toBeGreaterThan(0);
      expect(sampleValue(text, 'tradewatch_tracing_spans_exported_total') ?? 0).toBe(0);
      expect((await get(url, '/readyz')).status).toBe(200);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  }, 60_000);
});
