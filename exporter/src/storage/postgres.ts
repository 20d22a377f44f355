import pg from 'pg';
import {
  isTransientError,
  normalizeParams,
  SHARED_PARSERS,
  type Database,
  type DedicatedConnection,
  type Queryable,
  type Statement,
} from './database.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number | undefined;
  /** How long to wait for a new connection before failing (default 5000 ms). */
  connectionTimeoutMillis?: number;
  /** Errors of idle connections (server gone): reported here instead of crashing the process. */
  onIdleError?: (err: Error) => void;
}

/** Text-format parsers: the shared ones first, then pg's own. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    const shared = format === 'binary' ? undefined : SHARED_PARSERS[oid];
    return shared ?? pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function clientConfig(connectionString: string, connectionTimeoutMillis: number): pg.ClientConfig {
  return {
    connectionString,
    connectionTimeoutMillis,
    keepAlive: true,
    application_name: 'tradewatch',
    // Every session in UTC, as PGlite's: `timestamp` columns hold UTC wall-clock times.
    options: '-c TimeZone=UTC',
    types,
  };
}

type PgQueryable = Pick<pg.ClientBase, 'query'>;

function queryable(target: PgQueryable): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      const result = await target.query(sql, normalizeParams(params));
      return result.rows as T[];
    },
    async exec(sql: string): Promise<void> {
      // Without parameters pg uses the simple protocol, which takes several statements.
      await target.query(sql);
    },
  };
}

/** PostgreSQL through a `pg` pool. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly direct: Queryable;
  private readonly dedicatedClients = new Set<pg.Client>();
  private readonly connectionTimeoutMillis: number;

  constructor(
    private readonly connectionString: string,
    options: PostgresOptions = {},
  ) {
    this.connectionTimeoutMillis = options.connectionTimeoutMillis ?? 5000;
    this.pool = new pg.Pool({
      ...clientConfig(connectionString, this.connectionTimeoutMillis),
      max: options.max ?? 10,
      idleTimeoutMillis: 30_000,
    });
    const onIdleError = options.onIdleError ?? (() => undefined);
    this.pool.on('error', onIdleError);
    this.direct = queryable(this.pool);
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.direct.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client that loses its server emits 'error'; without a listener that would
    // crash the process. The failing query rejects as well, which is what the caller sees.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
    };
    client.on('error', onError);
    let destroy = false;
    try {
      await client.query('BEGIN');
      const result = await fn(queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      destroy = lost !== undefined || isTransientError(err);
      if (!destroy) {
        try {
          await client.query('ROLLBACK');
        } catch {
          destroy = true;
        }
      }
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(destroy ? (lost ?? true) : undefined);
    }
  }

  batch(statements: readonly Statement[]): Promise<void> {
    return this.transaction(async (tx) => {
      for (const statement of statements) await tx.query(statement.sql, statement.params);
    });
  }

  async dedicated(): Promise<DedicatedConnection> {
    const client = new pg.Client(clientConfig(this.connectionString, this.connectionTimeoutMillis));
    const listeners: ((err: Error) => void)[] = [];
    let closing = false;
    let lostError: Error | undefined;
    const lose = (err: Error) => {
      if (closing || lostError) return;
      lostError = err;
      this.dedicatedClients.delete(client);
      for (const listener of listeners) listener(err);
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('connection ended')));
    await client.connect();
    this.dedicatedClients.add(client);
    const q = queryable(client);
    return {
      query: (sql, params) => q.query(sql, params),
      exec: (sql) => q.exec(sql),
      onLost(listener) {
        if (lostError) listener(lostError);
        else listeners.push(listener);
      },
      close: async () => {
        closing = true;
        this.dedicatedClients.delete(client);
        await client.end().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    const clients = [...this.dedicatedClients];
    this.dedicatedClients.clear();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await this.pool.end();
  }
}
