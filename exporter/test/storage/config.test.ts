import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, redactUrl } from '../../src/storage/database.js';

describe('storage configuration', () => {
  it('has the documented defaults', () => {
    const { storage } = loadConfig({ env: {} });
    expect(storage).toEqual({
      pglite_data_dir: '.tradewatch/data',
      buffer_size: 100_000,
      batch_size: 500,
      flush_interval_ms: 200,
      retention_days: {
        alerts: 90,
        prices: 45,
        pipeline_runs: 30,
        rankings: 30,
        thesis_strength_history: 30,
        recommendation_tracking: 0,
        audit_log: 90,
      },
      retention_interval_seconds: 3600,
      leader_retry_seconds: 5,
      shared_metrics_interval_seconds: 15,
    });
  });

  it('takes DATABASE_URL as is, over the file and TRADEWATCH_STORAGE__DATABASE_URL', () => {
    const url = 'postgres://tw:p%40ss:word@db:5432/tradewatch?sslmode=disable';
    expect(loadConfig({ env: { DATABASE_URL: url } }).storage.database_url).toBe(url);
    const both = loadConfig({
      env: { DATABASE_URL: url, TRADEWATCH_STORAGE__DATABASE_URL: 'postgres://other/db' },
    });
    expect(both.storage.database_url).toBe(url);
    expect(loadConfig({ env: { DATABASE_URL: '' } }).storage.database_url).toBeUndefined();
  });

  it('reads the other keys from TRADEWATCH_STORAGE__*', () => {
    const { storage } = loadConfig({
      env: {
        TRADEWATCH_STORAGE__BUFFER_SIZE: '10',
        TRADEWATCH_STORAGE__RETENTION_DAYS: '{alerts: 7}',
      },
    });
    expect(storage.buffer_size).toBe(10);
    expect(storage.retention_days).toMatchObject({ alerts: 7, prices: 45 });
  });

  it('names bad values', () => {
    expect(() => loadConfig({ env: { TRADEWATCH_STORAGE__BATCH_SIZE: '0' } })).toThrow(
      /storage\.batch_size must be >= 1/,
    );
    expect(() => loadConfig({ env: { TRADEWATCH_STORAGE__RETENTION_DAYS: '{logs: 3}' } })).toThrow(
      /storage\.retention_days\.logs is not an allowed key/,
    );
  });

  it('keeps a password out of the logged location', () => {
    expect(redactUrl('postgres://tw:secret@db:5432/x')).toBe('postgres://tw:***@db:5432/x');
    expect(redactUrl('not a url')).not.toContain('not a url');
  });

  it('keeps PGlite data in its directory across restarts', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tw-pglite-')), 'nested', 'data');
    try {
      const first = await openDatabase({ storage: { pglite_data_dir: dir } });
      expect(first.kind).toBe('pglite');
      await first.exec('CREATE TABLE kept (a int); INSERT INTO kept VALUES (42)');
      await first.close();
      const second = await openDatabase({ storage: { pglite_data_dir: dir } });
      expect(await second.query('SELECT a FROM kept')).toEqual([{ a: 42 }]);
      await second.close();
    } finally {
      rmSync(join(dir, '..', '..'), { recursive: true, force: true });
    }
  });
});
