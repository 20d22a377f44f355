import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter } from '../helpers/exporter.js';
import { sampleValue } from '../helpers/exposition.js';
import { get, postJson, scrape } from '../helpers/http.js';
import { run, seedRun, stage } from '../helpers/payloads.js';
import {
  createTestDatabase,
  startThrowawayPostgres,
  type PostgresServer,
} from '../setup/postgres.js';

const RUNS = '/v1/pipeline-runs';
const discovery = { pipeline: 'discovery' };

describe('pipeline runs survive a restart (embedded store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { TRADEWATCH_STORAGE__PGLITE_DATA_DIR: dir };

  it('answers the latest run and restores the latest-run gauges, without counting it again', async () => {
    const first = await startExporter(env);
    expect((await postJson(first.url, RUNS, seedRun())).json).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    await first.close(); // drains the write buffer

    const second = await startExporter(env);
    try {
      expect((await get(second.url, '/monitoring/discovery/pipeline')).json).toEqual(seedRun());
      const { text } = await scrape(second.url);
      expect(sampleValue(text, 'tradewatch_pipeline_final_candidates', discovery)).toBe(8);
      expect(
        sampleValue(text, 'tradewatch_pipeline_last_success_timestamp_seconds', discovery),
      ).toBe(Date.UTC(2025, 8, 3, 14, 35, 18) / 1000);
      const priceFilter = { ...discovery, stage: 'price_filtering' };
      expect(sampleValue(text, 'tradewatch_pipeline_stage_symbols_output', priceFilter)).toBe(1249);
      // Counters restart from zero; the stored run is not counted again, nor is its retry.
      expect(text).not.toMatch(/^tradewatch_pipeline_runs_total\{pipeline="discovery"/m);
      expect((await postJson(second.url, RUNS, seedRun())).json).toEqual({
        accepted: 0,
        duplicates: 1,
      });
    } finally {
      await second.close();
    }
  });
});

describe('a PostgreSQL outage: buffered, refused when full, stored once on recovery', () => {
  let server: PostgresServer;
  let url: string;
  beforeAll(async () => {
    server = await startThrowawayPostgres();
    url = (await createTestDatabase(server.url)).url;
  });
  afterAll(() => server?.close());

  const runNumber = (i: number) =>
    run({
      pipeline_id: `outage_${i}`,
      pipeline: 'outage',
      start_time: '2025-09-03T14:00:00Z',
      end_time: `2025-09-03T14:${String(10 + i).padStart(2, '0')}:00Z`,
      stages: [stage('load', 10, 5)],
    });

  it('answers 503 with Retry-After once the buffer is full and loses no accepted run', async () => {
    const tw = await startExporter({
      DATABASE_URL: url,
      // Each post writes three times: the run, its correlation record (docs/tracing.md) and
      // its audit row (docs/security.md; a refused post's audit row goes to the log instead).
      TRADEWATCH_STORAGE__BUFFER_SIZE: '15',
      TRADEWATCH_STORAGE__FLUSH_INTERVAL_MS: '10',
    });
    try {
      expect((await postJson(tw.url, RUNS, runNumber(0))).status).toBe(200);
      await tw.exporter.storage.buffer.flush(5000);
      await server.stop();

      for (let i = 1; i <= 5; i++)
        expect((await postJson(tw.url, RUNS, runNumber(i))).status).toBe(200);
      const before = await scrape(tw.url);
      const refused = await postJson(tw.url, RUNS, runNumber(6));
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ error: 'storage_buffer_full' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const after = await scrape(tw.url);
      const count = (text: string) =>
        sampleValue(text, 'tradewatch_pipeline_runs_total', {
          pipeline: 'outage',
          status: 'completed',
        });
      expect(count(before.text)).toBe(6);
      expect(count(after.text)).toBe(6); // the refused run changed nothing
      expect(sampleValue(after.text, 'tradewatch_storage_up')).toBe(0);
      expect(sampleValue(after.text, 'tradewatch_storage_buffer_events')).toBe(15);

      await server.start();
      await tw.exporter.storage.buffer.flush(30_000);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ pipeline_id: string }>(
          "SELECT pipeline_id FROM pipeline_runs WHERE pipeline = 'outage' ORDER BY pipeline_id",
        );
        expect(rows.rows.map((r) => r.pipeline_id)).toEqual(
          [0, 1, 2, 3, 4, 5].map((i) => `outage_${i}`),
        );
        const correlations = await client.query(
          "SELECT 1 FROM correlation_tracking WHERE pipeline_ids::text LIKE '%outage_%'",
        );
        expect(correlations.rowCount).toBe(6);
      } finally {
        await client.end();
      }
      expect(sampleValue((await scrape(tw.url)).text, 'tradewatch_storage_up')).toBe(1);
    } finally {
      await tw.close();
    }
  });
});
