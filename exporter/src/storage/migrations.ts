import type { Database } from './database.js';
import { initial } from './migrations/001_initial.js';
import { trackedSymbols } from './migrations/002_tracked_symbols.js';
import { recommendationDetails } from './migrations/003_recommendation_details.js';
import { positions } from './migrations/005_positions.js';
import { trackingWatermark } from './migrations/006_tracking_watermark.js';
import { modelMonitoring } from './migrations/008_model_monitoring.js';
import { alertHistory } from './migrations/009_alert_history.js';
import { correlationTracking } from './migrations/010_correlation_tracking.js';
import { auditLog } from './migrations/011_audit_log.js';
import { auditTargets } from './migrations/012_audit_targets.js';

/** One schema change: SQL run once, in order, recorded in `schema_migrations`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  trackedSymbols,
  recommendationDetails,
  positions,
  trackingWatermark,
  modelMonitoring,
  alertHistory,
  correlationTracking,
  auditLog,
  auditTargets,
];

/** Advisory lock key that serialises migrating between processes sharing one database. */
export const MIGRATION_LOCK_KEY = 7_472_647_701;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationResult {
  /** Versions this call applied (empty when the schema was current). */
  applied: number[];
  /** The highest version recorded after the call. */
  version: number;
  /** Versions recorded in the database that this exporter does not know (a newer replica ran). */
  unknown: number[];
}

/**
 * Brings the schema up to date: takes a transaction-scoped advisory lock (so two processes
 * starting at once migrate one after the other, the second finding nothing to do), creates
 * `schema_migrations` if missing, then runs every pending migration and records it, all in one
 * transaction: either every pending migration is applied or none is.
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  checkList(migrations);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    )`);
    const rows = await tx.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    const recorded = new Map(rows.map((r) => [r.version, r.name]));
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const [version, name] of recorded) {
      const m = known.get(version);
      if (m && m.name !== name) {
        throw new MigrationError(
          `schema_migrations has version ${version} as "${name}", this exporter knows it as "${m.name}"`,
        );
      }
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (recorded.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError(
          `migration ${m.version} (${m.name}) failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    const all = [...recorded.keys(), ...applied];
    return {
      applied,
      version: all.length === 0 ? 0 : Math.max(...all),
      unknown: [...recorded.keys()].filter((v) => !known.has(v)),
    };
  });
}

function checkList(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new MigrationError(
        `migration versions must be ascending integers from 1 (${m.version})`,
      );
    }
    previous = m.version;
  }
}
