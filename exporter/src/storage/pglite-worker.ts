/**
 * The PGlite side of `PgliteDatabase`: a worker thread that owns the embedded database, so its
 * WebAssembly (parsing, planning, writing) runs on a core of its own instead of taking turns with
 * HTTP and scrapes on the exporter's event loop. Started by `pglite.ts`; speaks the messages
 * below over the worker's port. Each request is handled as it arrives (not one after another):
 * PGlite queues statements itself, and the end of a transaction must get through while other
 * statements wait for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { SHARED_PARSERS } from './database.js';

export type WorkerRequest = { id: number } & (
  | { kind: 'query'; sql: string; params: unknown[]; tx?: number }
  | { kind: 'exec'; sql: string; tx?: number }
  /** Opens a transaction; the reply's value is its number, for `tx` of later requests. */
  | { kind: 'begin' }
  | { kind: 'end'; tx: number; commit: boolean }
  /** `Database.batch`: the statements in one transaction, on one message. */
  | { kind: 'batch'; statements: { sql: string; params: unknown[] }[] }
  | { kind: 'close' }
);

/** A database error as plain data (SQLSTATE `code`, `detail`, ...): Errors lose them in transit. */
export type ErrorData = Record<string, string | number | boolean | undefined>;

export type WorkerReply = { id: number } & (
  { ok: true; value?: unknown } | { ok: false; error: ErrorData }
);

/** Posted once when the database is open (or could not be opened). */
export type WorkerReady = { ready: true } | { ready: false; error: ErrorData };

export interface WorkerOptions {
  /** An absolute directory or `memory://`. */
  location: string;
}

interface OpenTransaction {
  tx: Transaction;
  /** Lets the transaction's callback return (commit) or throw (roll back). */
  finish(commit: boolean): void;
  /** Settles when PGlite has committed or rolled back. */
  done: Promise<void>;
}

const ROLLBACK = Symbol('rollback');

function errorData(err: unknown): ErrorData {
  const data: ErrorData = {};
  if (err instanceof Error) {
    data.name = err.name;
    data.message = err.message;
  } else {
    data.message = String(err);
  }
  for (const [key, value] of Object.entries(err ?? {})) {
    if (['string', 'number', 'boolean'].includes(typeof value)) data[key] = value as string;
  }
  return data;
}

async function serve(port: NonNullable<typeof parentPort>, options: WorkerOptions): Promise<void> {
  let db: PGlite;
  try {
    db = await PGlite.create(options.location, { parsers: SHARED_PARSERS });
    await db.exec("SET TimeZone = 'UTC'");
  } catch (err) {
    port.postMessage({ ready: false, error: errorData(err) } satisfies WorkerReady);
    return;
  }
  const transactions = new Map<number, OpenTransaction>();
  let nextTx = 1;

  const begin = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const id = nextTx++;
      let finish: (commit: boolean) => void = () => undefined;
      const decided = new Promise<boolean>((r) => (finish = r));
      const done = db
        .transaction(async (tx) => {
          transactions.set(id, { tx, finish, done });
          resolve(id);
          if (!(await decided)) throw ROLLBACK;
        })
        .catch((err: unknown) => {
          if (err !== ROLLBACK) throw err;
        })
        .finally(() => transactions.delete(id));
      done.catch(reject); // BEGIN itself failed (before resolve); later failures go to `end`
    });

  const target = (tx: number | undefined): Pick<PGlite | Transaction, 'query' | 'exec'> => {
    if (tx === undefined) return db;
    const open = transactions.get(tx);
    if (!open) throw new Error(`transaction ${tx} is not open`);
    return open.tx;
  };

  const handle = async (request: WorkerRequest): Promise<unknown> => {
    switch (request.kind) {
      case 'query':
        return (await target(request.tx).query(request.sql, request.params)).rows;
      case 'exec':
        await target(request.tx).exec(request.sql);
        return undefined;
      case 'begin':
        return begin();
      case 'end': {
        const open = transactions.get(request.tx);
        if (!open) throw new Error(`transaction ${request.tx} is not open`);
        open.finish(request.commit);
        return open.done;
      }
      case 'batch':
        return db.transaction(async (tx) => {
          for (const { sql, params } of request.statements) await tx.query(sql, params);
        });
      case 'close': // the thread is terminated once this is answered
        if (!db.closed) await db.close();
        return undefined;
    }
  };

  port.on('message', (request: WorkerRequest) => {
    handle(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WorkerReply),
      (err: unknown) =>
        port.postMessage({
          id: request.id,
          ok: false,
          error: errorData(err),
        } satisfies WorkerReply),
    );
  });
  port.postMessage({ ready: true } satisfies WorkerReady);
}

if (parentPort) void serve(parentPort, workerData as WorkerOptions);
