import type { Logger } from '../log.js';
import type { CounterFamily } from '../metrics/family.js';
import type { Database } from '../storage/database.js';
import type { LeaderElection } from '../storage/leader.js';
import {
  BufferStoppedError,
  type BufferedWrite,
  type WriteBuffer,
} from '../storage/write-buffer.js';
import { sameColumns, toColumns } from './columns.js';
import { canonicalJson } from './duplicates.js';
import {
  advancePerformance,
  type OutcomeThresholds,
  type PerformanceState,
  type PricePoint,
} from './performance.js';
import { foldableStates } from './late-prices.js';
import {
  loadForTracking,
  loadPriceWindows,
  openSymbols,
  updateTracking,
  type PriceWindow,
  type TrackingRow,
  type TrackingTarget,
} from './tracking-store.js';

const DAY = 86_400;
/** Symbols per database round trip (their recommendations, then their prices). */
export const SYMBOLS_PER_QUERY = 100;

export interface TrackerOptions {
  db: Database;
  buffer: WriteBuffer;
  leader: LeaderElection;
  thresholds: OutcomeThresholds;
  /** The periodic pass over every open recommendation (checkpoints and windows pass with time). */
  intervalMs: number;
  updates: CounterFamily;
  failures: CounterFamily;
  logger: Logger;
  now?: () => number;
}

/**
 * Keeps `recommendation_tracking`'s performance columns up to date (`trackPerformance`'s record).
 *
 * - Accepted prices (and new recommendations) mark their symbols dirty with the earliest time
 *   they affect; one pass at a time takes every dirty symbol, has the writes accepted before it
 *   written (without waiting for the batch to fill) and waits for them, then recomputes only those symbols' recommendations
 *   (open ones, and closed ones whose window the new prices fall in). A burst of price batches
 *   arriving during a pass is handled by the next one, together.
 * - The leader also passes over every open recommendation every `intervalMs` (and when it becomes
 *   leader): checkpoints fill and windows close with time, without new prices.
 * - Symbols are processed `SYMBOLS_PER_QUERY` at a time: one query for their recommendations, one
 *   counting prices for the late-price checks, one for each symbol's prices within its
 *   recommendations' windows. Only records whose stored values (or running state) change are
 *   written (through the write buffer).
 * - Tracking is incremental: a record stored with its running state (`advancePerformance`,
 *   watermark in `recommendation_tracking_state`) reads only the prices after its watermark and
 *   folds them in, unless a count of its stored prices shows a late one at or before the
 *   watermark (`lateCheck`): then, and for records without a state, the whole window is read
 *   and recomputed.
 * - A pass that fails (database unreachable, buffer full) puts its symbols back; the next pass
 *   retries them.
 */
export class RecommendationTracker {
  private dirty = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private dirtyQueued = false;
  private sweepQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: TrackerOptions) {
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  /** Starts the periodic pass (and runs one now, and whenever this replica becomes leader). */
  start(): void {
    this.options.leader.onChange((leader) => {
      if (leader) void this.sweep();
    });
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Prices (or a recommendation) observed for `symbol` from `sinceSeconds` on. */
  touch(symbol: string, sinceSeconds: number): void {
    const known = this.dirty.get(symbol);
    if (known === undefined || sinceSeconds < known) this.dirty.set(symbol, sinceSeconds);
    this.scheduleDirty();
  }

  /** The periodic pass: every open recommendation, on the leader only. */
  sweep(): Promise<void> {
    if (this.sweepQueued || this.stopped) return this.chain;
    this.sweepQueued = true;
    return this.enqueue(async () => {
      this.sweepQueued = false;
      if (this.dirty.size > 0) this.scheduleDirty(); // symbols a failed pass put back
      if (!this.options.leader.isLeader()) return;
      try {
        const symbols = await openSymbols(this.options.db);
        await this.recompute(symbols.map((symbol) => ({ symbol, since: null })));
      } catch (err) {
        this.failed(err, 'periodic recommendation tracking pass failed');
      }
    });
  }

  /** Resolves once no pass is queued or running (tests). */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  private scheduleDirty(): void {
    if (this.dirtyQueued || this.stopped) return;
    this.dirtyQueued = true;
    void this.enqueue(async () => {
      this.dirtyQueued = false;
      const batch = this.dirty;
      this.dirty = new Map();
      if (batch.size === 0) return;
      try {
        // The prices (and recommendations) that marked these symbols are read from the database:
        // have them written now, not when the write batch fills or the flush interval ends (every
        // pass would wait for that), or, while the database is unreachable, whenever they are.
        if (!(await this.options.buffer.flush())) await this.options.buffer.whenWritten();
        await this.recompute(
          [...batch].map(([symbol, since]) => ({ symbol, since: new Date(since * 1000) })),
        );
      } catch (err) {
        for (const [symbol, since] of batch) {
          const known = this.dirty.get(symbol);
          if (known === undefined || since < known) this.dirty.set(symbol, since);
        }
        this.failed(err, 'recommendation tracking pass failed; its symbols are retried');
      }
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job).catch((err: unknown) => {
      this.failed(err, 'recommendation tracking pass failed');
    });
    return this.chain;
  }

  private failed(err: unknown, message: string): void {
    if (err instanceof BufferStoppedError) {
      this.stop(); // storage is shutting down: no further passes
      return;
    }
    this.options.failures.inc([]);
    this.options.logger.warn({ component: 'recommendations', err }, message);
  }

  private async recompute(targets: readonly TrackingTarget[]): Promise<void> {
    for (let i = 0; i < targets.length; i += SYMBOLS_PER_QUERY) {
      const chunk = targets.slice(i, i + SYMBOLS_PER_QUERY);
      const rows = await loadForTracking(this.options.db, chunk);
      if (rows.length === 0) continue;
      const nowSeconds = this.now();
      const states = await foldableStates(this.options.db, rows, chunk);
      // Rows with a state read only the prices after their watermark; the rest (no state yet, or
      // a late price) read the whole window.
      const prices = await loadPriceWindows(
        this.options.db,
        priceWindows(rows, (row, k) => states[k]?.lastTime ?? row.discoverySeconds),
      );
      const ops: BufferedWrite[] = [];
      const declined: TrackingRow[] = [];
      for (const [k, row] of rows.entries()) {
        const all = prices.get(row.symbol) ?? [];
        const state = states[k] ?? null;
        const newer = state ? all.filter((p) => p.timeSeconds > state.lastTime) : all;
        const result = this.evaluate(row, state, newer, nowSeconds);
        if (result === undefined) declined.push(row);
        else if (result.changed) ops.push(result.op);
      }
      if (declined.length > 0) {
        // A checkpoint whose price lies before the watermark and is not known: whole history.
        const full = await loadPriceWindows(this.options.db, priceWindows(declined));
        for (const row of declined) {
          const result = this.evaluate(row, null, full.get(row.symbol) ?? [], nowSeconds);
          if (result?.changed) ops.push(result.op);
        }
      }
      this.options.buffer.enqueue(ops); // throws when full: the pass fails and is retried
      this.options.updates.inc([], ops.length);
    }
  }

  /**
   * The row's record with `prices` folded into `state` (`null`: recomputed from `prices`, the
   * whole history), and the write that stores it; `undefined` when the fold needs the whole
   * history.
   */
  private evaluate(
    row: TrackingRow,
    state: PerformanceState | null,
    prices: readonly PricePoint[],
    nowSeconds: number,
  ): { changed: boolean; op: BufferedWrite } | undefined {
    const result = advancePerformance(state, prices, {
      discoverySeconds: row.discoverySeconds,
      discoveryPrice: row.discoveryPrice,
      checkpointDays: row.checkpointDays,
      trackingDays: row.trackingDays,
      nowSeconds,
      thresholds: this.options.thresholds,
    });
    if (result === undefined) return undefined;
    const columns = toColumns(result.record, {
      bought: row.bought,
      missedOpportunityMinReturn: row.missedOpportunityMinReturn,
      thresholds: this.options.thresholds,
      windowOver: nowSeconds >= row.discoverySeconds + row.trackingDays * DAY,
    });
    // The state comes back from JSONB with its keys reordered: compare canonical forms.
    const changed =
      !sameColumns(columns, row.stored) || canonicalJson(result.state) !== canonicalJson(row.state);
    return { changed, op: updateTracking(row.trackingId, columns, result.state) };
  }
}

/**
 * One window per symbol: from the earliest `from` of its rows (by default their discovery; the
 * tracker passes the watermark of the rows it folds incrementally) to the end of its latest
 * tracking period.
 */
export function priceWindows(
  rows: readonly TrackingRow[],
  from: (row: TrackingRow, index: number) => number = (row) => row.discoverySeconds,
): PriceWindow[] {
  const bySymbol = new Map<string, PriceWindow>();
  for (const [index, row] of rows.entries()) {
    const end = row.discoverySeconds + row.trackingDays * DAY;
    const start = from(row, index);
    const window = bySymbol.get(row.symbol);
    if (!window)
      bySymbol.set(row.symbol, {
        symbol: row.symbol,
        fromSeconds: start,
        toSeconds: end,
      });
    else {
      window.fromSeconds = Math.min(window.fromSeconds, start);
      window.toSeconds = Math.max(window.toSeconds, end);
    }
  }
  return [...bySymbol.values()];
}
