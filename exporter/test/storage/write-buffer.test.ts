import { describe, expect, it } from 'vitest';
import { MetricRegistry } from '../../src/metrics/registry.js';
import type { Database, Queryable, Statement } from '../../src/storage/database.js';
import { isTransientError } from '../../src/storage/database.js';
import { storageMetrics } from '../../src/storage/metrics.js';
import {
  BufferFullError,
  BufferStoppedError,
  retryDelaySeconds,
  WriteBuffer,
  type RowTable,
  type WriteOp,
} from '../../src/storage/write-buffer.js';
import { waitFor } from './backends.js';

/**
 * A database that keeps committed writes in memory and can be switched off: while down every
 * transaction fails as a dropped connection does.
 */
class FakeDatabase implements Database {
  readonly kind = 'postgres' as const;
  down = false;
  committed: WriteOp[] = [];
  transactions: number[] = [];
  attemptsAt: number[] = [];

  query<T>(): Promise<T[]> {
    this.attemptsAt.push(performance.now());
    return this.down ? Promise.reject(connectionError()) : Promise.resolve([]);
  }

  exec(): Promise<void> {
    return Promise.resolve();
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.attemptsAt.push(performance.now());
    if (this.down) throw connectionError();
    const staged: WriteOp[] = [];
    const tx: Queryable = {
      query: <R>(sql: string, params?: readonly unknown[]) => {
        if (sql === 'REFUSE') {
          return Promise.reject(Object.assign(new Error('violates check'), { code: '23514' }));
        }
        staged.push({ sql, params });
        return Promise.resolve([] as R[]);
      },
      exec: () => Promise.resolve(),
    };
    const result = await fn(tx);
    this.committed.push(...staged);
    this.transactions.push(staged.length);
    return result;
  }

  batch(statements: readonly Statement[]): Promise<void> {
    return this.transaction(async (tx) => {
      for (const { sql, params } of statements) await tx.query(sql, params);
    });
  }

  dedicated(): never {
    throw new Error('not used');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function connectionError(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

const op = (i: number): WriteOp => ({ sql: `INSERT ${i}`, params: [i] });

/** A table whose statement lists its rows; a row 'bad' makes the database refuse it. */
const table = (name: string): RowTable<string> => ({
  statement: (rows) => ({ sql: rows.includes('bad') ? 'REFUSE' : `INSERT ${name}`, params: rows }),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function metrics() {
  return new MetricRegistry({ maxSeriesPerMetric: 100, maxLabelValueLength: 128 }).registerAll(
    storageMetrics,
  );
}

describe('retryDelaySeconds', () => {
  it('follows document 000 section 1.2: 1, 2, 4, 8 s, then every 8 s', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 8, 8, 8]);
  });

  it('is 0 before any failure', () => {
    expect(retryDelaySeconds(0)).toBe(0);
    expect(retryDelaySeconds(Number.NaN)).toBe(0);
  });
});

describe('isTransientError', () => {
  it.each([
    [connectionError(), true],
    [new Error('Connection terminated unexpectedly'), true],
    [Object.assign(new Error('admin shutdown'), { code: '57P01' }), true],
    [Object.assign(new Error('too many connections'), { code: '53300' }), true],
    [Object.assign(new Error('connection failure'), { code: '08006' }), true],
    [Object.assign(new Error('deadlock'), { code: '40P01' }), true],
    [Object.assign(new Error('duplicate key'), { code: '23505' }), false],
    [Object.assign(new Error('syntax error'), { code: '42601' }), false],
    [Object.assign(new Error('numeric overflow'), { code: '22003' }), false],
  ])('%s -> %s', (err, transient) => {
    expect(isTransientError(err)).toBe(transient);
  });
});

describe('WriteBuffer', () => {
  it('keeps the order of writes and batches them', async () => {
    const db = new FakeDatabase();
    const buffer = new WriteBuffer(db, { capacity: 1000, batchSize: 4, flushIntervalMs: 5 });
    buffer.start();
    for (let i = 0; i < 10; i++) buffer.enqueue(op(i));
    await buffer.whenWritten();
    expect(db.committed.map((o) => o.params?.[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(db.transactions).toEqual([4, 4, 2]);
    await buffer.stop();
  });

  it('accepts all of a list or none of it, and says when to retry', () => {
    const db = new FakeDatabase();
    const m = metrics();
    const buffer = new WriteBuffer(db, {
      capacity: 5,
      batchSize: 5,
      flushIntervalMs: 1000,
      metrics: m,
    });
    buffer.enqueue([op(1), op(2), op(3)]);
    const err = (() => {
      try {
        buffer.enqueue([op(4), op(5), op(6)]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BufferFullError);
    expect(err).toMatchObject({
      status: 503,
      retryAfterSeconds: 1,
      capacity: 5,
      pending: 3,
      offered: 3,
    });
    expect(buffer.pending).toBe(3);
    buffer.enqueue([op(4), op(5)]);
    expect(buffer.pending).toBe(5);
    expect(m.bufferEvents.labels().value).toBe(5);
    expect(m.bufferCapacity.labels().value).toBe(5);
    expect(() => buffer.enqueue(op(6))).toThrow(BufferFullError);
  });

  it('while the database is down: buffers, reports down, retries on the schedule, flushes on recovery', async () => {
    const db = new FakeDatabase();
    db.down = true;
    const m = metrics();
    const ups: boolean[] = [];
    // The real schedule scaled down 1000 to 25 ms: 25, 50, 100, 200, 200 ms.
    const buffer = new WriteBuffer(db, {
      capacity: 100,
      batchSize: 10,
      flushIntervalMs: 1,
      retryDelayMs: (n) => retryDelaySeconds(n) * 25,
      metrics: m,
      onUpChange: (up) => ups.push(up),
    });
    buffer.start();
    buffer.enqueue([op(1), op(2)]);
    await waitFor(() => db.attemptsAt.length >= 5, 5000, 'five attempts');
    expect(m.up.labels().value).toBe(0);
    expect(buffer.up).toBe(false);
    expect(buffer.pending).toBe(2);
    const gaps = db.attemptsAt.slice(1).map((t, i) => t - (db.attemptsAt[i] as number));
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    const expected = [25, 50, 100, 200];
    gaps.slice(0, 4).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((expected[i] as number) - 2);
      expect(gap).toBeLessThan((expected[i] as number) + 100);
    });
    // full while down: refused, with the time until the next attempt (at least 1 s)
    expect(() => buffer.enqueue(Array.from({ length: 99 }, (_, i) => op(i)))).toThrow(
      expect.objectContaining({ name: 'BufferFullError', retryAfterSeconds: 1 }),
    );
    buffer.enqueue(op(3));
    db.down = false;
    expect(await buffer.flush(2000)).toBe(true);
    expect(db.committed.map((o) => o.params?.[0])).toEqual([1, 2, 3]);
    expect(m.up.labels().value).toBe(1);
    expect(ups).toEqual([false, true]);
    expect(m.writeFailures.labels().value).toBe(gaps.length + 1);
    expect(m.writes.labels().value).toBe(3);
    await buffer.stop();
  });

  it('notices an outage while idle through its health check', async () => {
    const db = new FakeDatabase();
    const m = metrics();
    const buffer = new WriteBuffer(db, {
      capacity: 10,
      batchSize: 10,
      flushIntervalMs: 1,
      healthCheckIntervalMs: 20,
      retryDelayMs: () => 20,
      metrics: m,
    });
    buffer.start();
    db.down = true;
    await sleep(100);
    expect(m.up.labels().value).toBe(0);
    db.down = false;
    await sleep(100);
    expect(m.up.labels().value).toBe(1);
    await buffer.stop();
  });

  it('runs prepare (migrations) before the first write, retrying it like writes', async () => {
    const db = new FakeDatabase();
    let prepared = 0;
    let failPrepare = 2;
    const buffer = new WriteBuffer(db, {
      capacity: 10,
      batchSize: 10,
      flushIntervalMs: 1,
      retryDelayMs: () => 10,
      initialFailure: connectionError(),
      prepare: () => {
        if (failPrepare-- > 0) return Promise.reject(connectionError());
        prepared++;
        return Promise.resolve();
      },
    });
    expect(buffer.up).toBe(false);
    buffer.start();
    buffer.enqueue(op(1));
    expect(await buffer.flush(1000)).toBe(true);
    expect(prepared).toBe(1);
    expect(db.committed).toHaveLength(1);
    await buffer.stop();
  });

  it('isolates a refused write and keeps the rest of its batch', async () => {
    const db = new FakeDatabase();
    const m = metrics();
    const buffer = new WriteBuffer(db, {
      capacity: 10,
      batchSize: 10,
      flushIntervalMs: 1,
      metrics: m,
    });
    buffer.start();
    buffer.enqueue([op(1), { sql: 'REFUSE' }, op(3)]);
    expect(await buffer.flush(1000)).toBe(true);
    expect(db.committed.map((o) => o.params?.[0])).toEqual([1, 3]);
    expect(m.rejectedWrites.labels().value).toBe(1);
    expect(m.up.labels().value).toBe(1);
    await buffer.stop();
  });

  it('writes consecutive rows of one table as one statement, in order', async () => {
    const db = new FakeDatabase();
    const m = metrics();
    const buffer = new WriteBuffer(db, {
      capacity: 100,
      batchSize: 6,
      flushIntervalMs: 1,
      metrics: m,
    });
    buffer.start();
    const [runs, prices] = [table('runs'), table('prices')];
    buffer.enqueue([
      { table: runs, row: 'a' },
      { table: runs, row: 'b' },
      op(1),
      { table: runs, row: 'c' },
      { table: prices, row: 'p' },
      { table: prices, row: 'q' },
      { table: prices, row: 'r' }, // the next batch: a statement of its own
    ]);
    expect(await buffer.flush(1000)).toBe(true);
    expect(db.committed).toEqual([
      { sql: 'INSERT runs', params: ['a', 'b'] },
      { sql: 'INSERT 1', params: [1] },
      { sql: 'INSERT runs', params: ['c'] },
      { sql: 'INSERT prices', params: ['p', 'q'] },
      { sql: 'INSERT prices', params: ['r'] },
    ]);
    expect(db.transactions).toEqual([4, 1]);
    expect(m.writes.labels().value).toBe(7); // rows, not statements
    await buffer.stop();
  });

  it('when a merged statement is refused, writes its rows singly and drops only the bad one', async () => {
    const db = new FakeDatabase();
    const m = metrics();
    const buffer = new WriteBuffer(db, {
      capacity: 10,
      batchSize: 10,
      flushIntervalMs: 1,
      metrics: m,
    });
    buffer.start();
    const runs = table('runs');
    buffer.enqueue(['a', 'bad', 'c'].map((row) => ({ table: runs, row })));
    expect(await buffer.flush(1000)).toBe(true);
    expect(db.committed).toEqual([
      { sql: 'INSERT runs', params: ['a'] },
      { sql: 'INSERT runs', params: ['c'] },
    ]);
    expect(m.rejectedWrites.labels().value).toBe(1);
    expect(m.writes.labels().value).toBe(2);
    await buffer.stop();
  });

  it('stop drains what is pending, then refuses new writes', async () => {
    const db = new FakeDatabase();
    const buffer = new WriteBuffer(db, { capacity: 100, batchSize: 10, flushIntervalMs: 60_000 });
    buffer.start();
    for (let i = 0; i < 25; i++) buffer.enqueue(op(i));
    expect(await buffer.stop(1000)).toEqual({ drained: true, pending: 0 });
    expect(db.committed).toHaveLength(25);
    expect(() => buffer.enqueue(op(99))).toThrow(BufferStoppedError);
  });

  it('stop gives up after its timeout when the database stays down, reporting what is left', async () => {
    const db = new FakeDatabase();
    db.down = true;
    const buffer = new WriteBuffer(db, {
      capacity: 100,
      batchSize: 10,
      flushIntervalMs: 1,
      retryDelayMs: () => 10,
    });
    buffer.start();
    buffer.enqueue([op(1), op(2)]);
    const started = performance.now();
    expect(await buffer.stop(100)).toEqual({ drained: false, pending: 2 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses an empty statement', () => {
    const buffer = new WriteBuffer(new FakeDatabase(), {
      capacity: 1,
      batchSize: 1,
      flushIntervalMs: 1,
    });
    expect(() => buffer.enqueue({ sql: '' })).toThrow(TypeError);
  });
});
