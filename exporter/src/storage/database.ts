/**
 * The storage layer's one database interface, with two backends that run the same SQL:
 * PostgreSQL through `pg` (when `storage.database_url` / `DATABASE_URL` is set) and embedded
 * PostgreSQL through PGlite (data in a local directory) otherwise.
 *
 * Both backends return rows the same way: `bigint` as a number (a BigInt past 2^53), `numeric`
 * as a string, `json`/`jsonb` parsed, `timestamp` and `timestamptz` as Dates in UTC (sessions
 * run in UTC), `date` as a Date at UTC midnight. Parameters: a Date is sent as its ISO string;
 * pass JSON values as strings (`JSON.stringify`), since `pg` turns a JS array into a PostgreSQL
 * array (which is what `= ANY($1)` wants).
 */
import type { Logger } from '../log.js';

export type Row = Record<string, unknown>;

/** One statement with its `$1`-style parameters. */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
}

/** What a statement can run on: the database itself or an open transaction. */
export interface Queryable {
  /** One statement with `$1`-style parameters; resolves to its rows. */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Inside, use `tx`, not the database (PGlite has one connection: a query on the database
   * itself would wait for the transaction to end).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `statements` in order in one transaction: committed when all succeed, else rolled back
   * and the first error thrown. What the write buffer uses: PGlite's worker thread runs a whole
   * batch on one message, instead of waiting for a turn of the busy event loop per statement.
   */
  batch(statements: readonly Statement[]): Promise<void>;
  /**
   * A session of its own, held until closed (leader election keeps an advisory lock on one).
   * PGlite has a single session, so there it is the database itself and closing it is a no-op.
   */
  dedicated(): Promise<DedicatedConnection>;
  close(): Promise<void>;
}

export interface DedicatedConnection extends Queryable {
  /** Called once if the connection dies (server gone, backend terminated). */
  onLost(listener: (err: Error) => void): void;
  close(): Promise<void>;
}

/** Type parsers both backends share, keyed by type OID, so rows look the same on either. */
export const SHARED_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  20: parseInt8,
  1114: parseTimestampUtc,
  1082: parseDateUtc,
};

function parseInt8(text: string): number | bigint {
  const n = BigInt(text);
  return n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER) ? n : Number(n);
}

/** `timestamp without time zone` read as UTC (PostgreSQL prints `2025-09-03 14:30:22.5`). */
function parseTimestampUtc(text: string): Date | number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const bc = text.endsWith(' BC');
  const iso = `${(bc ? text.slice(0, -3) : text).replace(' ', 'T')}Z`;
  const date = new Date(iso);
  if (bc) date.setUTCFullYear(1 - date.getUTCFullYear());
  return date;
}

function parseDateUtc(text: string): Date | number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  return new Date(`${text}T00:00:00Z`);
}

/** Parameters as both backends should see them: Dates as ISO strings (UTC). */
export function normalizeParams(params: readonly unknown[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((p) => (p instanceof Date ? p.toISOString() : p));
}

/**
 * Whether an error means "the database could not be reached or the outcome is unknown" (retry
 * later) rather than "the database refused this statement" (retrying cannot help). Errors
 * without a SQLSTATE are connection-level (refused, reset, timed out, terminated).
 */
export function isTransientError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  const cls = code.slice(0, 2);
  return (
    cls === '08' || // connection exception
    cls === '53' || // insufficient resources
    cls === '57' || // operator intervention: admin shutdown, crash shutdown, cannot connect now
    cls === '58' || // system error
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock detected
    code === '55P03' // lock not available
  );
}

/** A connection string without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database url)';
  }
}

export interface StorageLocation {
  /** PostgreSQL connection string; without it PGlite is used. */
  database_url?: string | undefined;
  /** PGlite data directory, relative to the working directory, or `memory://`. */
  pglite_data_dir: string;
  /** Connections in the PostgreSQL pool. */
  pool_size?: number;
}

/** Opens PostgreSQL when a connection string is configured, else PGlite in its data directory. */
export async function openDatabase(
  config: { storage: StorageLocation },
  options: { logger?: Logger } = {},
): Promise<Database> {
  const storage = config.storage;
  if (storage.database_url) {
    const { PostgresDatabase } = await import('./postgres.js');
    const logger = options.logger;
    return new PostgresDatabase(storage.database_url, {
      max: storage.pool_size,
      onIdleError: (err) =>
        logger?.debug({ component: 'storage', err: err.message }, 'idle database connection lost'),
    });
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(storage.pglite_data_dir);
}
