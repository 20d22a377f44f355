import type { Logger } from '../log.js';
import type { CounterFamily } from '../metrics/family.js';
import type { Database } from './database.js';

/** The tables retention prunes, and the time column each is pruned by. */
export const RETENTION_COLUMNS = {
  alerts: 'received_at',
  prices: 'time',
  pipeline_runs: 'received_at',
  rankings: 'time',
  thesis_strength_history: 'evaluation_date',
  recommendation_tracking: 'discovery_date',
  audit_log: 'at',
} as const;

export type RetentionTable = keyof typeof RETENTION_COLUMNS;

/** Days each table keeps its rows; 0 (or absent) keeps them forever. */
export type RetentionDays = Partial<Record<RetentionTable, number>>;

const DAY_MS = 86_400_000;
/** Rows deleted per statement, so a large backlog never holds long locks. */
const DELETE_BATCH = 10_000;

/**
 * Deletes rows older than each table's age, in batches, and returns how many went per table
 * (tables kept forever are left out).
 */
export async function deleteExpired(
  db: Database,
  days: RetentionDays,
  now: Date = new Date(),
  batchSize = DELETE_BATCH,
): Promise<Partial<Record<RetentionTable, number>>> {
  const deleted: Partial<Record<RetentionTable, number>> = {};
  for (const [table, column] of Object.entries(RETENTION_COLUMNS) as [RetentionTable, string][]) {
    const keep = days[table] ?? 0;
    if (!(keep > 0)) continue;
    const cutoff = new Date(now.getTime() - keep * DAY_MS);
    let total = 0;
    for (;;) {
      const rows = await db.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT $2
           )) RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        [cutoff, batchSize],
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < batchSize) break;
    }
    deleted[table] = total;
  }
  return deleted;
}

export interface RetentionOptions {
  days: RetentionDays;
  intervalMs: number;
  /** Only the leader prunes (replicas share the tables); without one, always. */
  leader?: { isLeader(): boolean };
  /** `tradewatch_storage_retention_deleted_rows_total{table}`. */
  counter?: CounterFamily;
  logger?: Logger;
  now?: () => Date;
}

/** Runs `deleteExpired` every `intervalMs` while this replica is the leader. */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly options: RetentionOptions,
  ) {
    for (const [table, keep] of Object.entries(options.days)) {
      if (keep > 0) options.counter?.init(table);
    }
  }

  /** Schedules runs; the first after `firstDelayMs`. */
  start(firstDelayMs = this.options.intervalMs): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runIfLeader().finally(() => {
        if (!this.stopped) this.start(this.options.intervalMs);
      });
    }, firstDelayMs);
    this.timer.unref();
  }

  /** One pass if this replica is the leader; resolves to the rows deleted per table. */
  async runIfLeader(): Promise<Partial<Record<RetentionTable, number>> | undefined> {
    if (this.stopped || (this.options.leader && !this.options.leader.isLeader())) return undefined;
    if (this.running) return undefined;
    const run = this.runOnce();
    this.running = run;
    try {
      return await run;
    } catch (err) {
      this.options.logger?.warn(
        { component: 'storage', err: (err as Error).message },
        'retention run failed; retrying at the next interval',
      );
      return undefined;
    } finally {
      this.running = undefined;
    }
  }

  /** One pass regardless of leadership. */
  async runOnce(): Promise<Partial<Record<RetentionTable, number>>> {
    const deleted = await deleteExpired(this.db, this.options.days, this.options.now?.());
    for (const [table, n] of Object.entries(deleted)) {
      this.options.counter?.inc([table], n);
    }
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);
    if (total > 0) {
      this.options.logger?.info({ component: 'storage', deleted }, 'retention deleted old rows');
    }
    return deleted;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
