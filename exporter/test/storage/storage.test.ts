import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { MetricRegistry } from '../../src/metrics/registry.js';
import type { Database, Queryable } from '../../src/storage/database.js';
import { startStorage } from '../../src/storage/index.js';
import { storageMetrics } from '../../src/storage/metrics.js';
import { migrate, MIGRATIONS, MigrationError } from '../../src/storage/migrations.js';
import { deleteExpired, RetentionJob } from '../../src/storage/retention.js';
import { WriteBuffer, type WriteOp } from '../../src/storage/write-buffer.js';
import { BACKENDS, type FreshDatabase } from './backends.js';

/** Every migration this exporter knows, and the schema version they lead to. */
const VERSIONS = MIGRATIONS.map((m) => m.version);
const LATEST = Math.max(...VERSIONS);

const silent = createLogger('silent');
const DAY = 86_400_000;

function registry(): MetricRegistry {
  return new MetricRegistry({ maxSeriesPerMetric: 1000, maxLabelValueLength: 128 });
}

function priceWrite(symbol: string, time: Date, price: number): WriteOp {
  return {
    sql: 'INSERT INTO prices (symbol, time, price) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    params: [symbol, time, price],
  };
}

/** Columns of a table as information_schema describes them, in order. */
async function columns(db: Database, table: string): Promise<string[]> {
  const rows = await db.query<{
    column_name: string;
    data_type: string;
    character_maximum_length: number | null;
    numeric_precision: number | null;
    numeric_scale: number | null;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
            is_nullable, column_default
       FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => {
    let type = r.data_type;
    if (r.character_maximum_length !== null) type += `(${r.character_maximum_length})`;
    if (type === 'numeric') type += `(${r.numeric_precision},${r.numeric_scale})`;
    const nullable = r.is_nullable === 'NO' ? ' not null' : '';
    const def = r.column_default ? ` default ${r.column_default.replace(/::[a-z ]+$/, '')}` : '';
    return `${r.column_name} ${type}${nullable}${def}`;
  });
}

async function indexes(db: Database, table: string): Promise<string[]> {
  const rows = await db.query<{ indexname: string }>(
    'SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname',
    [table],
  );
  return rows.map((r) => r.indexname);
}

async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await db.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

describe.each(BACKENDS)('storage on $name', (backend) => {
  let fresh: FreshDatabase | undefined;
  const open = async () => (fresh = await backend.fresh());
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  describe('database', () => {
    it('returns rows the same way on both backends', async () => {
      const { db } = await open();
      const [row] = await db.query<Record<string, unknown>>(
        `SELECT 3::int8 AS big, 1.5::numeric AS num, '{"a":[1]}'::jsonb AS doc,
                '2025-09-03 14:30:22.5'::timestamp AS ts, $1::timestamptz AS tstz,
                '2025-09-03'::date AS d, $2::text[] AS arr`,
        [new Date('2025-09-03T14:30:22.500Z'), ['a', 'b']],
      );
      expect(row).toEqual({
        big: 3,
        num: '1.5',
        doc: { a: [1] },
        ts: new Date('2025-09-03T14:30:22.500Z'),
        tstz: new Date('2025-09-03T14:30:22.500Z'),
        d: new Date('2025-09-03T00:00:00Z'),
        arr: ['a', 'b'],
      });
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      const { db } = await open();
      await db.exec('CREATE TABLE t (a int PRIMARY KEY); CREATE TABLE u (b int)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [1]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES ($1)', [2]);
          await tx.query('INSERT INTO t VALUES ($1)', [1]); // duplicate key
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await db.query('SELECT a FROM t ORDER BY a')).toEqual([{ a: 1 }]);
      // the database is usable after the rollback
      expect(await db.query('SELECT count(*)::int AS n FROM u')).toEqual([{ n: 0 }]);
    });
  });

  describe('migrations', () => {
    it('creates the tables of document 000 column for column, with their indexes', async () => {
      const { db } = await open();
      const result = await migrate(db);
      expect(result).toEqual({ applied: VERSIONS, version: LATEST, unknown: [] });
      const recommendationColumns = await columns(db, 'recommendation_tracking');
      // Document 000's columns first, unchanged; later migrations only add columns after them.
      expect(recommendationColumns.slice(0, 25)).toEqual([
        'tracking_id character varying(50) not null',
        'symbol character varying(10) not null',
        'discovery_date timestamp without time zone not null',
        'discovery_price numeric(10,4) not null',
        'composite_score double precision not null',
        'vigl_score double precision not null',
        'pattern_features jsonb not null',
        'bought boolean default false',
        'price_1d numeric(10,4)',
        'price_7d numeric(10,4)',
        'price_14d numeric(10,4)',
        'price_30d numeric(10,4)',
        'return_1d numeric(8,4)',
        'return_7d numeric(8,4)',
        'return_14d numeric(8,4)',
        'return_30d numeric(8,4)',
        'peak_price numeric(10,4)',
        'peak_return numeric(8,4)',
        'days_to_peak integer',
        'max_drawdown numeric(8,4)',
        'outcome_category character varying(20)',
        'missed_opportunity boolean default false',
        'learning_notes text',
        'created_at timestamp without time zone default now()',
        'updated_at timestamp without time zone default now()',
      ]);
      // Migration 3 (recommendation_details): what tracking needs beyond document 000's columns.
      expect(recommendationColumns.slice(25)).toEqual([
        'tracking_period_days integer not null default 30',
        "checkpoint_days ARRAY not null default '{1,7,14,30}'::integer[]",
        'missed_opportunity_min_return double precision not null default 0.25',
        'major_move_min_return double precision not null default 0.5',
        'volume_spike_ratio double precision',
        'confidence double precision',
        'thesis text',
        'not_bought_reason text',
        'payload jsonb',
        "checkpoints jsonb not null default '[]'",
        'price_observations integer not null default 0',
        'tracking_closed_at timestamp with time zone',
      ]);
      expect(await indexes(db, 'recommendation_tracking')).toEqual([
        'idx_rec_tracking_bought',
        'idx_rec_tracking_discovery_date',
        'idx_rec_tracking_missed', // migration 3
        'idx_rec_tracking_open', // migration 3
        'idx_rec_tracking_outcome',
        'idx_rec_tracking_symbol',
        'recommendation_tracking_pkey',
      ]);
      expect(await columns(db, 'thesis_strength_history')).toEqual([
        "id integer not null default nextval('thesis_strength_history_id_seq'::regclass)",
        'symbol character varying(10) not null',
        'evaluation_date timestamp without time zone not null',
        'original_thesis text not null',
        'thesis_date timestamp without time zone not null',
        'strength_score numeric(4,3) not null',
        'volume_thesis_match numeric(4,3)',
        'catalyst_timeline_status character varying(20)',
        'technical_pattern_integrity numeric(4,3)',
        'market_regime_alignment numeric(4,3)',
        'current_price numeric(10,4)',
        'entry_price numeric(10,4)',
        'volume_vs_avg numeric(8,2)',
        'days_since_entry integer',
        'evaluation_notes text',
        'created_at timestamp without time zone default now()',
      ]);
      expect(await indexes(db, 'thesis_strength_history')).toEqual([
        'idx_thesis_strength_evaluation_date',
        'thesis_strength_history_pkey',
      ]);
      expect(await indexes(db, 'prices')).toEqual(['idx_prices_time', 'prices_pkey']);
      expect(await indexes(db, 'alerts')).toEqual([
        'alerts_fingerprint_starts_at_key',
        'alerts_pkey',
        'idx_alerts_received_at',
        'idx_alerts_starts_at',
      ]);
      expect(await indexes(db, 'rankings')).toContain('idx_rankings_time');
      expect(await indexes(db, 'pipeline_runs')).toContain('idx_pipeline_runs_received_at');
      expect(
        await db.query('SELECT version, name FROM schema_migrations ORDER BY version'),
      ).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    });

    it('is idempotent: running again applies nothing and keeps the data', async () => {
      const { db } = await open();
      await migrate(db);
      await db.query('INSERT INTO prices (symbol, time, price) VALUES ($1, $2, $3)', [
        'AAPL',
        new Date(),
        1,
      ]);
      expect(await migrate(db)).toEqual({ applied: [], version: LATEST, unknown: [] });
      expect(await migrate(db)).toEqual({ applied: [], version: LATEST, unknown: [] });
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(1);
    });

    it('is safe when several start at once: one applies, the others find nothing to do', async () => {
      const { db, openAnother } = await open();
      const dbs =
        backend.name === 'postgres'
          ? [db, openAnother(), openAnother(), openAnother()]
          : [db, db, db, db];
      const results = await Promise.all(dbs.map((d) => migrate(d)));
      expect(results.map((r) => r.applied).sort()).toEqual([[], [], [], VERSIONS]);
      expect(await count(db, 'SELECT count(*)::int AS n FROM schema_migrations')).toBe(
        VERSIONS.length,
      );
    });

    it('applies pending migrations all or none', async () => {
      const { db } = await open();
      const broken = [
        ...MIGRATIONS,
        { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE nope (x no_such_type)' },
      ];
      const err = await migrate(db, broken).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toMatch(
        new RegExp(`migration ${LATEST + 1} \\(broken\\) failed`),
      );
      const tables = await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name IN ('prices', 'schema_migrations')",
      );
      expect(tables).toEqual([]);
      expect((await migrate(db)).applied).toEqual(VERSIONS);
    });

    it('refuses a database whose recorded migration differs, and reports unknown newer ones', async () => {
      const { db } = await open();
      await migrate(db);
      await db.query(
        "INSERT INTO schema_migrations (version, name) VALUES (99, 'from_the_future')",
      );
      expect(await migrate(db)).toEqual({ applied: [], version: 99, unknown: [99] });
      await db.query("UPDATE schema_migrations SET name = 'other' WHERE version = 1");
      await expect(migrate(db)).rejects.toThrow(/version 1 as "other"/);
    });
  });

  describe('write buffer', () => {
    it('writes in batches of batch_size, each in one transaction', async () => {
      const { db } = await open();
      await migrate(db);
      const reg = registry();
      const metrics = reg.registerAll(storageMetrics);
      const buffer = new WriteBuffer(db, {
        capacity: 1000,
        batchSize: 100,
        flushIntervalMs: 10_000,
        metrics,
      });
      buffer.start();
      const t0 = Date.UTC(2025, 8, 3);
      buffer.enqueue(
        Array.from({ length: 250 }, (_, i) => priceWrite('AAPL', new Date(t0 + i * 1000), i)),
      );
      // Two full batches go at once; the remaining 50 wait for the flush interval (10 s here).
      await new Promise((r) => setTimeout(r, 500));
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(200);
      expect(buffer.pending).toBe(50);
      expect(metrics.flushDuration.labels().count).toBe(2);
      expect(await buffer.flush(5000)).toBe(true);
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(250);
      expect(metrics.writes.labels().value).toBe(250);
      expect(metrics.bufferEvents.labels().value).toBe(0);
      expect(await buffer.stop(1000)).toEqual({ drained: true, pending: 0 });
    });

    it('writes a partial batch after flush_interval_ms', async () => {
      const { db } = await open();
      await migrate(db);
      const buffer = new WriteBuffer(db, { capacity: 100, batchSize: 50, flushIntervalMs: 50 });
      buffer.start();
      buffer.enqueue(priceWrite('MSFT', new Date(), 1));
      await new Promise((r) => setTimeout(r, 20));
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(0);
      await buffer.whenWritten();
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(1);
      await buffer.stop();
    });

    it('retries a batch whose commit outcome is unknown without writing anything twice', async () => {
      const { db } = await open();
      await migrate(db);
      // Commits for real, then reports a dropped connection, as if COMMIT's answer was lost.
      let lies = 2;
      const flaky: Database = Object.create(db) as Database;
      flaky.batch = async (statements) => {
        await db.batch(statements);
        if (lies-- > 0) throw new Error('Connection terminated unexpectedly');
      };
      const reg = registry();
      const metrics = reg.registerAll(storageMetrics);
      const buffer = new WriteBuffer(flaky, {
        capacity: 100,
        batchSize: 10,
        flushIntervalMs: 1,
        retryDelayMs: () => 20,
        metrics,
      });
      buffer.start();
      const t0 = Date.UTC(2025, 8, 3);
      buffer.enqueue(Array.from({ length: 10 }, (_, i) => priceWrite('NVDA', new Date(t0 + i), i)));
      buffer.enqueue({
        sql: `INSERT INTO alerts (fingerprint, status, labels, starts_at) VALUES ($1, 'firing', $2, $3)
              ON CONFLICT (fingerprint, starts_at) DO UPDATE SET status = EXCLUDED.status`,
        params: ['abc', JSON.stringify({ alertname: 'X' }), new Date(t0)],
      });
      expect(await buffer.flush(5000)).toBe(true);
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(10);
      expect(await count(db, 'SELECT count(*)::int AS n FROM alerts')).toBe(1);
      expect(metrics.writeFailures.labels().value).toBe(2);
      expect(metrics.writes.labels().value).toBe(11);
      expect(metrics.up.labels().value).toBe(1);
      await buffer.stop();
    });

    it('drops only the write the database refuses, and counts it', async () => {
      const { db } = await open();
      await migrate(db);
      const reg = registry();
      const metrics = reg.registerAll(storageMetrics);
      const buffer = new WriteBuffer(db, {
        capacity: 100,
        batchSize: 10,
        flushIntervalMs: 1,
        metrics,
      });
      buffer.start();
      buffer.enqueue([
        priceWrite('A', new Date(), 1),
        {
          sql: 'INSERT INTO prices (symbol, time, price) VALUES ($1, $2, $3)',
          params: ['B', new Date(), null],
        },
        priceWrite('C', new Date(), 3),
      ]);
      expect(await buffer.flush(5000)).toBe(true);
      const rows = await db.query<{ symbol: string }>('SELECT symbol FROM prices ORDER BY symbol');
      expect(rows.map((r) => r.symbol)).toEqual(['A', 'C']);
      expect(metrics.rejectedWrites.labels().value).toBe(1);
      expect(metrics.writes.labels().value).toBe(2);
      expect(metrics.up.labels().value).toBe(1);
      await buffer.stop();
    });
  });

  describe('retention', () => {
    it('deletes only rows older than their table keeps them, in batches', async () => {
      const { db } = await open();
      await migrate(db);
      const now = new Date(Date.UTC(2025, 8, 30, 12));
      const ago = (days: number) => new Date(now.getTime() - days * DAY);
      for (let i = 0; i < 7; i++) {
        await db.query('INSERT INTO prices (symbol, time, price) VALUES ($1, $2, 1)', [
          'OLD',
          ago(31 + i),
        ]);
      }
      await db.query('INSERT INTO prices (symbol, time, price) VALUES ($1, $2, 1)', [
        'NEW',
        ago(29),
      ]);
      const alert = `INSERT INTO alerts (fingerprint, status, labels, starts_at, received_at)
                     VALUES ($1, 'resolved', '{}', $2, $2)`;
      await db.query(alert, ['old', ago(91)]);
      await db.query(alert, ['new', ago(89)]);
      await db.query(
        `INSERT INTO recommendation_tracking (tracking_id, symbol, discovery_date, discovery_price,
           composite_score, vigl_score, pattern_features) VALUES ('r1', 'OLD', $1, 1, 1, 1, '{}')`,
        [ago(400)],
      );
      await db.query(
        `INSERT INTO thesis_strength_history (symbol, evaluation_date, original_thesis, thesis_date,
           strength_score) VALUES ('OLD', $1, 't', $1, 0.5), ('NEW', $2, 't', $2, 0.5)`,
        [ago(30.5), ago(29.5)],
      );

      const reg = registry();
      const metrics = reg.registerAll(storageMetrics);
      const days = {
        alerts: 90,
        prices: 30,
        pipeline_runs: 30,
        rankings: 30,
        thesis_strength_history: 30,
        recommendation_tracking: 0,
      };
      const job = new RetentionJob(db, {
        days,
        intervalMs: 3_600_000,
        counter: metrics.retentionDeletedRows,
        now: () => now,
      });
      expect(await job.runOnce()).toEqual({
        alerts: 1,
        prices: 7,
        pipeline_runs: 0,
        rankings: 0,
        thesis_strength_history: 1,
      });
      expect(await db.query('SELECT symbol FROM prices')).toEqual([{ symbol: 'NEW' }]);
      expect(await db.query('SELECT fingerprint FROM alerts')).toEqual([{ fingerprint: 'new' }]);
      expect(await db.query('SELECT symbol FROM thesis_strength_history')).toEqual([
        { symbol: 'NEW' },
      ]);
      expect(await count(db, 'SELECT count(*)::int AS n FROM recommendation_tracking')).toBe(1);
      expect(metrics.retentionDeletedRows.labels('prices').value).toBe(7);
      expect(metrics.retentionDeletedRows.labels('rankings').value).toBe(0);

      // batches smaller than the backlog still delete all of it
      for (let i = 0; i < 5; i++) {
        await db.query('INSERT INTO prices (symbol, time, price) VALUES ($1, $2, 1)', [
          'OLD',
          ago(40 + i),
        ]);
      }
      expect(await deleteExpired(db, { prices: 30 }, now, 2)).toEqual({ prices: 5 });
    });

    it('runs only on the leader', async () => {
      const { db } = await open();
      await migrate(db);
      await db.query('INSERT INTO prices (symbol, time, price) VALUES ($1, $2, 1)', [
        'OLD',
        new Date(Date.now() - 40 * DAY),
      ]);
      let leader = false;
      const job = new RetentionJob(db, {
        days: { prices: 30 },
        intervalMs: 1000,
        leader: { isLeader: () => leader },
      });
      expect(await job.runIfLeader()).toBeUndefined();
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(1);
      leader = true;
      expect(await job.runIfLeader()).toEqual({ prices: 1 });
      await job.stop();
    });
  });

  describe('startStorage', () => {
    it('migrates, starts the buffer, elects itself leader and exposes its metrics', async () => {
      const { db, url } = await open();
      const config = parseConfig({
        storage: {
          ...(url ? { database_url: url } : { pglite_data_dir: 'memory://' }),
          batch_size: 10,
          flush_interval_ms: 5,
        },
      });
      const reg = registry();
      const storage = await startStorage(config, reg, silent, { db });
      expect(storage.db.kind).toBe(backend.name);
      expect(storage.leader.isLeader()).toBe(true);
      storage.buffer.enqueue(priceWrite('AAPL', new Date(), 1));
      await storage.buffer.whenWritten();
      expect(await count(db, 'SELECT count(*)::int AS n FROM prices')).toBe(1);
      const text = await reg.renderToString('text');
      expect(text).toContain('\ntradewatch_storage_up 1\n');
      expect(text).toContain('\ntradewatch_storage_leader 1\n');
      expect(text).toContain('\ntradewatch_storage_buffer_capacity_events 100000\n');
      expect(text).toContain('\ntradewatch_storage_writes_total 1\n');
      expect(text).toContain('tradewatch_storage_retention_deleted_rows_total{table="alerts"} 0\n');
      expect(await storage.stop(1000)).toEqual({ drained: true, pending: 0 });
      expect(storage.leader.isLeader()).toBe(false);
    });
  });
});
