import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  normalizeParams,
  type Database,
  type DedicatedConnection,
  type Queryable,
  type Statement,
} from './database.js';
import type {
  ErrorData,
  WorkerOptions,
  WorkerReady,
  WorkerReply,
  WorkerRequest,
} from './pglite-worker.js';

/** A request without its id (the client numbers them). */
type Call = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

function readyReply(ready: WorkerReady): WorkerReply {
  return ready.ready ? { id: 0, ok: true } : { id: 0, ok: false, error: ready.error };
}

/** The error as the worker saw it, with its SQLSTATE and fields, so callers can classify it. */
function toError(data: ErrorData): Error {
  const { message, ...fields } = data;
  return Object.assign(new Error(String(message ?? 'PGlite failed')), fields);
}

/**
 * The worker file next to this one: the build's `.js`; under the test runner, which runs the
 * TypeScript sources, the `.ts` through tsx (a devDependency, never reached from the build).
 */
function startWorker(options: WorkerOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./pglite-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(url, { workerData: options });
  const tsx = import.meta.resolve('tsx/esm/api');
  const load = `import { tsImport } from '${tsx}'; await tsImport('${url.href}', '${url.href}');`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(load)}`), {
    workerData: options,
  });
}

/** Requests to the worker and their answers, matched by id. */
class WorkerChannel {
  /** Settles when the worker has opened the database, or failed to. */
  readonly opened: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly worker: Worker) {
    // The worker's first message, "ready", answers request 0.
    this.opened = new Promise((resolveOpen, reject) =>
      this.pending.set(0, { resolve: resolveOpen, reject }),
    );
    worker.on('message', (message: WorkerReply | WorkerReady) =>
      'ready' in message ? this.settle(readyReply(message)) : this.settle(message),
    );
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the PGlite worker exited (code ${code})`)));
  }

  call(request: Call): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolveCall, reject) => {
      this.pending.set(id, { resolve: resolveCall, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Closes the database, then ends the thread. */
  close(): Promise<void> {
    this.closing ??= this.call({ kind: 'close' })
      .catch(() => undefined)
      .then(() => this.terminate());
    return this.closing;
  }

  /** Ends the thread at once; requests in flight fail. */
  async terminate(): Promise<void> {
    this.fail(new Error('PGlite is closed'));
    await this.worker.terminate();
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(toError(reply.error));
  }

  /** The thread is gone: every request in flight, and every later one, fails. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
  }
}

/**
 * Embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) in a worker thread of this
 * process (`pglite-worker.ts`), so the database works on the second core while the event loop
 * serves HTTP. A single session, as in PGlite itself: statements run one at a time and a
 * transaction holds the database until it ends. Only one process may open a data directory at a
 * time.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(private readonly channel: WorkerChannel) {}

  /** `dataDir` is a directory (created if missing, relative to the working directory) or `memory://`. */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    let location = dataDir;
    if (!dataDir.startsWith('memory://')) {
      location = resolve(dataDir);
      mkdirSync(location, { recursive: true });
    }
    const channel = new WorkerChannel(startWorker({ location }));
    try {
      await channel.opened;
    } catch (err) {
      await channel.terminate();
      throw err;
    }
    return new PgliteDatabase(channel);
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.queryable(undefined).query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.queryable(undefined).exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = (await this.channel.call({ kind: 'begin' })) as number;
    let result: T;
    try {
      result = await fn(this.queryable(tx));
    } catch (err) {
      await this.channel.call({ kind: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.channel.call({ kind: 'end', tx, commit: true });
    return result;
  }

  async batch(statements: readonly Statement[]): Promise<void> {
    const normalized = statements.map(({ sql, params }) => ({
      sql,
      params: normalizeParams(params),
    }));
    await this.channel.call({ kind: 'batch', statements: normalized });
  }

  /** PGlite has one session: the dedicated connection is the database itself. */
  dedicated(): Promise<DedicatedConnection> {
    const direct = this.queryable(undefined);
    return Promise.resolve({
      ...direct,
      onLost: () => undefined,
      close: () => Promise.resolve(),
    });
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  /** Statements on the database itself (`tx` undefined) or inside an open transaction. */
  private queryable(tx: number | undefined): Queryable {
    return {
      query: async <T>(sql: string, params?: readonly unknown[]): Promise<T[]> =>
        (await this.channel.call({
          kind: 'query',
          sql,
          params: normalizeParams(params),
          tx,
        })) as T[],
      exec: async (sql: string): Promise<void> => {
        await this.channel.call({ kind: 'exec', sql, tx });
      },
    };
  }
}

export function openPglite(dataDir: string): Promise<PgliteDatabase> {
  return PgliteDatabase.open(dataDir);
}
