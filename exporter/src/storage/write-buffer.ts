import type { Logger } from '../log.js';
import type { CounterSeries, GaugeSeries, HistogramFamily } from '../metrics/family.js';
import type { FamiliesFor } from '../metrics/registry.js';
import { isTransientError, type Database, type Statement } from './database.js';
import type { storageMetrics } from './metrics.js';

/**
 * A table whose rows are written many at a time: per row, a statement of its own costs about as
 * much as one statement writing hundreds of rows (parse, plan, one round trip), so the buffer
 * merges consecutive rows of one table into one statement.
 */
export interface RowTable<R> {
  /**
   * One idempotent statement that leaves the table as writing `rows` one after another (in
   * order) would: rows for the same key must be collapsed, since one `INSERT ... ON CONFLICT DO
   * UPDATE` cannot touch a row twice.
   */
  statement(rows: readonly R[]): Statement;
}

/** A row for a RowTable; `row` is a snapshot (it is written later, maybe more than once). */
export interface RowWrite<R = unknown> {
  readonly table: RowTable<R>;
  readonly row: R;
}

/**
 * A write of its own: one idempotent statement (`INSERT ... ON CONFLICT DO NOTHING` or `... DO
 * UPDATE`), so a batch whose commit outcome is unknown (the connection died during COMMIT) can
 * be written again without duplicates. RowTable statements are idempotent the same way.
 */
export type WriteOp = Statement;

/** What the buffer holds: a statement of its own, or a row merged with its neighbours. */
export type BufferedWrite = WriteOp | RowWrite;

export type { Statement } from './database.js';

/** Document 000 section 1.2: retry after 1, 2, 4, 8 s; then every 8 s. */
export const RETRY_DELAYS_SECONDS: readonly number[] = [1, 2, 4, 8];

/** Seconds to wait after the `failures`-th failure in a row (1 = the first) before retrying. */
export function retryDelaySeconds(failures: number): number {
  if (!(failures >= 1)) return 0;
  const i = Math.min(Math.floor(failures), RETRY_DELAYS_SECONDS.length) - 1;
  return RETRY_DELAYS_SECONDS[i] as number;
}

/** The buffer cannot take the writes: answer 503 with `Retry-After: retryAfterSeconds`. */
export class BufferFullError extends Error {
  override readonly name = 'BufferFullError';
  readonly status = 503;
  readonly code = 'storage_buffer_full';

  constructor(
    readonly retryAfterSeconds: number,
    readonly capacity: number,
    readonly pending: number,
    readonly offered: number,
  ) {
    super(
      `storage buffer full (${pending} of ${capacity} pending writes, ${offered} offered): retry after ${retryAfterSeconds} s`,
    );
  }
}

export class BufferStoppedError extends Error {
  override readonly name = 'BufferStoppedError';
  readonly status = 503;
  readonly code = 'storage_stopped';
}

export type StorageFamilies = FamiliesFor<typeof storageMetrics>;

export interface WriteBufferOptions {
  /** Pending writes held at most (`storage.buffer_size`). */
  capacity: number;
  /** Writes per transaction (`storage.batch_size`). */
  batchSize: number;
  /** Longest a write waits for its batch to fill (`storage.flush_interval_ms`). */
  flushIntervalMs: number;
  /** While idle and up, how often the database is checked so `up` stays true to fact. */
  healthCheckIntervalMs?: number;
  /** Delay before the next attempt after `failures` failures in a row; tests shorten it. */
  retryDelayMs?: (failures: number) => number;
  /** Run once before the first write, retried like writes until it succeeds (migrations). */
  prepare?: () => Promise<void>;
  /** Start as if an attempt had just failed with this error (the database was down at start). */
  initialFailure?: unknown;
  metrics?: StorageFamilies;
  logger?: Logger;
  /** Called when the database becomes reachable (true) or unreachable (false). */
  onUpChange?: (up: boolean) => void;
}

export interface StopResult {
  /** Whether every accepted write reached the database (or was refused by it) in time. */
  drained: boolean;
  /** Writes still pending when the timeout ran out; they are lost with the process. */
  pending: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

/**
 * Batches writes to the database and rides out outages. `enqueue` only appends to a bounded
 * in-memory queue; a loop takes up to `batchSize` writes at a time (when a batch is full, or
 * `flushIntervalMs` after the oldest pending write arrived) and writes them in one transaction,
 * each run of consecutive rows for one table as one statement.
 *
 * When the database cannot be reached, the batch stays at the head of the queue, `up` turns
 * false and the loop retries after 1, 2, 4, 8, 8, ... s; meanwhile `enqueue` keeps accepting
 * until the queue is full, then throws BufferFullError (never a silent drop). A write the
 * database refuses (a constraint or data error) cannot succeed on retry: its batch is written
 * again one write at a time, and only the refused write is dropped, logged and counted.
 */
export class WriteBuffer {
  readonly capacity: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly healthCheckIntervalMs: number;
  private readonly retryDelayMs: (failures: number) => number;
  private readonly logger: Logger | undefined;

  private items: BufferedWrite[] = [];
  private head = 0;
  /** Time the oldest pending write was accepted (performance.now()). */
  private oldestAt = 0;
  private enqueuedSeq = 0;
  private doneSeq = 0;
  private waiters: Waiter[] = [];

  private isUp = true;
  private failures = 0;
  private nextAttemptAt = 0;
  private lastSuccessAt = performance.now();
  private prepared: boolean;

  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private flushRequested = false;
  private stopping = false;
  private aborted = false;

  private readonly series:
    | {
        up: GaugeSeries;
        buffer: GaugeSeries;
        writes: CounterSeries;
        failures: CounterSeries;
        rejected: CounterSeries;
        duration: HistogramFamily;
      }
    | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: WriteBufferOptions,
  ) {
    if (!(options.capacity >= 1) || !(options.batchSize >= 1)) {
      throw new Error('write buffer capacity and batch size must be at least 1');
    }
    this.capacity = Math.floor(options.capacity);
    this.batchSize = Math.floor(options.batchSize);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs);
    this.healthCheckIntervalMs = options.healthCheckIntervalMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? ((n) => retryDelaySeconds(n) * 1000);
    this.logger = options.logger;
    this.prepared = options.prepare === undefined;
    const m = options.metrics;
    if (m) {
      this.series = {
        up: m.up.labels(),
        buffer: m.bufferEvents.labels(),
        writes: m.writes.labels(),
        failures: m.writeFailures.labels(),
        rejected: m.rejectedWrites.labels(),
        duration: m.flushDuration,
      };
      m.bufferCapacity.set([], this.capacity);
      this.series.up.value = 1;
      this.series.buffer.value = 0;
    }
    if (options.initialFailure !== undefined) this.markDown(options.initialFailure);
  }

  /** Writes accepted and not yet written. */
  get pending(): number {
    return this.items.length - this.head;
  }

  /** Whether the latest attempt to reach the database succeeded. */
  get up(): boolean {
    return this.isUp;
  }

  /** Starts the flush loop (idempotent). */
  start(): void {
    if (this.running || this.stopping) return;
    this.running = this.loop().catch((err: unknown) => {
      this.logger?.error({ component: 'storage', err }, 'write buffer loop failed');
    });
  }

  /**
   * Accepts one write or several, all or none: throws BufferFullError when they do not all fit,
   * so the caller can answer 503 with Retry-After and the sender retries the whole request.
   */
  enqueue(ops: BufferedWrite | readonly BufferedWrite[]): void {
    const list: readonly BufferedWrite[] = isOpList(ops) ? ops : [ops];
    if (this.stopping) throw new BufferStoppedError('storage is shutting down');
    for (const op of list) {
      if (!('table' in op) && !op.sql) throw new TypeError('a write needs its SQL');
    }
    if (list.length === 0) return;
    if (this.pending + list.length > this.capacity) {
      throw new BufferFullError(this.retryAfterSeconds(), this.capacity, this.pending, list.length);
    }
    const wasEmpty = this.pending === 0;
    if (wasEmpty) this.oldestAt = performance.now();
    for (const op of list) this.items.push(op);
    this.enqueuedSeq += list.length;
    this.updateGauge();
    // Wake the loop from its idle wait, or early when a batch is full.
    if (wasEmpty || this.pending >= this.batchSize) this.signal();
  }

  /** Resolves once every write accepted before the call has been written (or refused). */
  whenWritten(): Promise<void> {
    const seq = this.enqueuedSeq;
    if (this.doneSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /**
   * Writes everything pending now, without waiting for batches to fill. Resolves true when it
   * has all been written, false if `timeoutMs` ran out first (the database is down).
   */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    this.start();
    this.flushRequested = true;
    this.signal();
    return withTimeout(this.whenWritten(), timeoutMs);
  }

  /**
   * Graceful shutdown: refuses new writes, drains what is pending for at most `timeoutMs`
   * (retrying on the usual schedule if the database is down), then stops the loop. Writes
   * still pending after that are reported (and logged), not silently dropped.
   */
  async stop(timeoutMs = 10_000): Promise<StopResult> {
    this.stopping = true;
    this.flushRequested = true;
    if (!this.running && this.pending > 0) {
      this.running = this.loop().catch(() => undefined);
    }
    this.signal();
    const drained = await withTimeout(this.whenWritten(), timeoutMs);
    this.aborted = true;
    this.signal();
    await this.running;
    const pending = this.pending;
    if (pending > 0) {
      this.logger?.error(
        { component: 'storage', pending },
        'storage stopped with writes that could not be written',
      );
    }
    return { drained: drained && pending === 0, pending };
  }

  private async loop(): Promise<void> {
    while (!this.aborted) {
      if (this.stopping && this.pending === 0) break;
      if (!this.isUp) {
        const wait = this.nextAttemptAt - performance.now();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
      } else if (this.pending === 0) {
        const idleFor = performance.now() - this.lastSuccessAt;
        if (idleFor < this.healthCheckIntervalMs) {
          await this.sleep(this.healthCheckIntervalMs - idleFor);
          continue;
        }
      } else if (this.pending < this.batchSize && !this.flushRequested && !this.stopping) {
        const waited = performance.now() - this.oldestAt;
        if (waited < this.flushIntervalMs) {
          await this.sleep(this.flushIntervalMs - waited);
          continue;
        }
      }
      if (this.aborted) break;
      if (!this.prepared && !(await this.prepare())) continue;
      if (this.pending === 0) await this.probe();
      else await this.writeBatch();
    }
    this.running = undefined;
  }

  private async prepare(): Promise<boolean> {
    try {
      await this.options.prepare?.();
      this.prepared = true;
      return true;
    } catch (err) {
      this.markDown(err);
      return false;
    }
  }

  private async probe(): Promise<void> {
    try {
      await this.db.query('SELECT 1');
      this.markUp();
    } catch (err) {
      this.markDown(err);
    }
  }

  private async writeBatch(): Promise<void> {
    const batch = this.items.slice(this.head, this.head + this.batchSize);
    const started = performance.now();
    try {
      await this.db.batch(statements(batch));
    } catch (err) {
      if (isTransientError(err)) this.markDown(err);
      else await this.writeOneByOne(batch.length);
      return;
    }
    this.series?.duration.observe([], (performance.now() - started) / 1000);
    this.done(batch.length, 0);
    this.markUp();
  }

  /** After a batch was refused: writes its ops singly so only the refused ones are dropped. */
  private async writeOneByOne(count: number): Promise<void> {
    for (let i = 0; i < count && !this.aborted; i++) {
      const [statement] = statements([this.items[this.head] as BufferedWrite]) as [Statement];
      try {
        await this.db.batch([statement]);
        this.done(1, 0);
        this.markUp();
      } catch (err) {
        if (isTransientError(err)) {
          this.markDown(err);
          return;
        }
        this.logger?.error(
          { component: 'storage', err, sql: statement.sql.slice(0, 500) },
          'the database refused a write; it is dropped',
        );
        this.done(0, 1);
      }
    }
  }

  /** Removes written (and refused) ops from the head and wakes whoever waits for them. */
  private done(written: number, rejected: number): void {
    const n = written + rejected;
    this.head += n;
    this.doneSeq += n;
    if (this.series) {
      this.series.writes.value += written;
      this.series.rejected.value += rejected;
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.pending === 0) {
      this.items = [];
      this.head = 0;
      this.flushRequested = false;
    }
    this.updateGauge();
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.seq <= this.doneSeq);
      this.waiters = this.waiters.filter((w) => w.seq > this.doneSeq);
      for (const w of ready) w.resolve();
    }
  }

  private markUp(): void {
    this.lastSuccessAt = performance.now();
    this.failures = 0;
    if (this.isUp) return;
    this.isUp = true;
    if (this.series) this.series.up.value = 1;
    this.logger?.info(
      { component: 'storage', pending: this.pending },
      'database reachable again; writing buffered events',
    );
    this.options.onUpChange?.(true);
  }

  private markDown(err: unknown): void {
    this.failures++;
    if (this.series) this.series.failures.value++;
    const delay = this.retryDelayMs(this.failures);
    this.nextAttemptAt = performance.now() + delay;
    const message = (err as Error | undefined)?.message ?? String(err);
    if (!this.isUp) {
      this.logger?.debug(
        { component: 'storage', failures: this.failures, retryInMs: delay, err: message },
        'database still unreachable',
      );
      return;
    }
    this.isUp = false;
    if (this.series) this.series.up.value = 0;
    this.logger?.warn(
      { component: 'storage', pending: this.pending, retryInMs: delay, err: message },
      'database unreachable; buffering writes',
    );
    this.options.onUpChange?.(false);
  }

  private retryAfterSeconds(): number {
    if (this.isUp) return 1;
    return Math.max(1, Math.ceil((this.nextAttemptAt - performance.now()) / 1000));
  }

  private updateGauge(): void {
    if (this.series) this.series.buffer.value = this.pending;
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Sleeps up to `ms`, woken early by enqueue (full batch), flush or stop. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }
}

/** The batch as statements: each run of consecutive rows for one table merged into one. */
export function statements(batch: readonly BufferedWrite[]): Statement[] {
  const out: Statement[] = [];
  for (let i = 0; i < batch.length;) {
    const op = batch[i] as BufferedWrite;
    if (!('table' in op)) {
      out.push(op);
      i++;
      continue;
    }
    const rows: unknown[] = [];
    for (; i < batch.length && (batch[i] as RowWrite).table === op.table; i++) {
      rows.push((batch[i] as RowWrite).row);
    }
    out.push(op.table.statement(rows));
  }
  return out;
}

function isOpList(ops: BufferedWrite | readonly BufferedWrite[]): ops is readonly BufferedWrite[] {
  return Array.isArray(ops);
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
