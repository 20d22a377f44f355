import type { Logger } from '../log.js';
import type { FamiliesFor } from '../metrics/registry.js';
import type { Queryable } from '../storage/database.js';
import { BufferStoppedError, type WriteBuffer } from '../storage/write-buffer.js';
import type { AlertmanagerClient } from './alertmanager.js';
import type { GuardedCalls } from './guard.js';
import { manualAlertId, toAlertmanagerAlert } from './manual.js';
import type { alertMetrics } from './metrics.js';
import type { ManualAlert } from './schema.js';
import { deleteQueued, loadQueued, saveQueued, type QueuedAlert } from './store.js';

/** Alerts per `POST /api/v2/alerts` when the queue drains. */
const SEND_BATCH = 100;

export interface OutboxOptions {
  client: AlertmanagerClient;
  calls: GuardedCalls;
  buffer: WriteBuffer;
  db: Queryable;
  families: FamiliesFor<typeof alertMetrics>;
  logger: Logger;
  /** Delays after the 1st, 2nd, ... failure in a row; the last repeats (document 000 1.2). */
  retryDelaysMs: readonly number[];
  maxQueued: number;
}

export type SubmitResult =
  | { state: 'sent'; accepted: number; duplicates: number }
  | {
      state: 'queued';
      accepted: number;
      duplicates: number;
      queued: number;
      reason: string;
      retryAfterSeconds: number;
    }
  | { state: 'refused'; reason: string }
  | { state: 'full'; queued: number };

/**
 * Manual alerts on their way to Alertmanager. A submission is sent at once when the breaker
 * lets it; when Alertmanager cannot take it, it is stored (`manual_alerts`, through the write
 * buffer) and queued here, and a loop retries the queue after 1, 2, 4, 8, 8, ... s, never while
 * the breaker is open. Stored alerts are loaded at start, so a restart keeps them. An alert
 * already queued under the same `alert_id` is a duplicate.
 */
export class ManualAlertOutbox {
  private readonly queue = new Map<string, QueuedAlert>();
  private loaded = false;
  private failures = 0;
  private nextAttemptAt = 0;
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly o: OutboxOptions) {
    o.families.manualPending.set([], 0);
  }

  /** Loads the alerts a previous process left queued and starts retrying them. */
  start(): void {
    this.signal();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  queued(): QueuedAlert[] {
    return [...this.queue.values()];
  }

  async submit(alerts: readonly ManualAlert[]): Promise<SubmitResult> {
    const now = new Date();
    const fresh = new Map<string, QueuedAlert>();
    for (const manual of alerts) {
      const alertId = manualAlertId(manual);
      if (this.queue.has(alertId) || fresh.has(alertId)) continue;
      fresh.set(alertId, {
        alertId,
        kind: manual.kind,
        alert: toAlertmanagerAlert(manual),
        receivedAt: now,
      });
    }
    const items = [...fresh.values()];
    const duplicates = alerts.length - items.length;
    if (items.length === 0) return { state: 'sent', accepted: 0, duplicates };

    const result = await this.o.calls.run('post_alerts', () =>
      this.o.client.postAlerts(items.map((q) => q.alert)),
    );
    if (result.ok) {
      for (const q of items) this.o.families.manualSent.inc([q.kind]);
      if (this.queue.size > 0) this.retryNow(); // Alertmanager is back: drain the queue too
      return { state: 'sent', accepted: items.length, duplicates };
    }
    if (result.kind === 'refused') return { state: 'refused', reason: result.message };

    if (this.queue.size + items.length > this.o.maxQueued) {
      return { state: 'full', queued: this.queue.size };
    }
    // Throws (503) before anything changes when the buffer cannot take the writes.
    this.o.buffer.enqueue(items.map(saveQueued));
    for (const q of items) {
      this.queue.set(q.alertId, q);
      this.o.families.manualQueuedTotal.inc([q.kind]);
    }
    this.updateGauge();
    this.o.logger.warn(
      { component: 'alert', queued: this.queue.size, reason: result.message },
      'Alertmanager did not take manual alerts; queued for retry',
    );
    this.failures = Math.max(this.failures, 1);
    this.nextAttemptAt = Math.max(this.nextAttemptAt, Date.now() + this.delayMs());
    this.signal();
    return {
      state: 'queued',
      accepted: items.length,
      duplicates,
      queued: this.queue.size,
      reason: result.message,
      retryAfterSeconds: Math.max(
        this.o.calls.retryAfterSeconds(),
        Math.ceil((this.nextAttemptAt - Date.now()) / 1000),
      ),
    };
  }

  /** Resolves once the queue is empty (tests), or rejects after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queue.size > 0 || !this.loaded) {
      if (Date.now() > until) throw new Error(`${this.queue.size} manual alerts still queued`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private retryNow(): void {
    this.nextAttemptAt = 0;
    this.signal();
  }

  private signal(): void {
    if (this.wake) this.wake();
    else if (!this.running && !this.stopped) {
      this.running = true;
      void this.loop().finally(() => (this.running = false));
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped && (!this.loaded || this.queue.size > 0)) {
      const wait = Math.max(this.nextAttemptAt - Date.now(), this.o.calls.breaker.retryAfterMs());
      if (wait > 0) await this.sleep(wait);
      if (this.stopped) return;
      try {
        if (!this.loaded) await this.load();
        else await this.sendBatch();
      } catch (err) {
        if (err instanceof BufferStoppedError) return this.stop(); // storage is shutting down
        this.failed(err instanceof Error ? err.message : String(err));
      }
    }
  }

  private async load(): Promise<void> {
    for (const q of await loadQueued(this.o.db)) {
      if (!this.queue.has(q.alertId)) this.queue.set(q.alertId, q);
    }
    this.loaded = true;
    this.updateGauge();
  }

  private async sendBatch(): Promise<void> {
    const batch = [...this.queue.values()].slice(0, SEND_BATCH);
    const result = await this.o.calls.run('post_alerts', () =>
      this.o.client.postAlerts(batch.map((q) => q.alert)),
    );
    if (result.ok) {
      this.done(batch, 'sent');
      this.failures = 0;
      this.nextAttemptAt = 0;
    } else if (result.kind === 'unavailable') {
      this.failed(result.message);
    } else if (batch.length > 1) {
      // One alert Alertmanager refuses must not hold back the others: try them one by one.
      for (const q of batch) {
        const one = await this.o.calls.run('post_alerts', () =>
          this.o.client.postAlerts([q.alert]),
        );
        if (one.ok) this.done([q], 'sent');
        else if (one.kind === 'refused') this.refused(q, one.message);
        else return this.failed(one.message);
      }
    } else {
      this.refused(batch[0] as QueuedAlert, result.message);
    }
  }

  private refused(q: QueuedAlert, reason: string): void {
    this.o.logger.error(
      { component: 'alert', alert_id: q.alertId, reason },
      'Alertmanager refused a queued manual alert; dropped',
    );
    this.done([q], 'refused');
  }

  private done(items: readonly QueuedAlert[], outcome: 'sent' | 'refused'): void {
    this.o.buffer.enqueue(items.map((q) => deleteQueued(q.alertId)));
    const family = outcome === 'sent' ? this.o.families.manualSent : this.o.families.manualFailures;
    for (const q of items) {
      this.queue.delete(q.alertId);
      family.inc([q.kind]);
    }
    this.updateGauge();
  }

  private failed(reason: string): void {
    this.failures++;
    this.nextAttemptAt = Date.now() + this.delayMs();
    this.o.logger.debug({ component: 'alert', reason, failures: this.failures }, 'retry failed');
  }

  private delayMs(): number {
    const delays = this.o.retryDelaysMs;
    return delays[Math.min(Math.max(this.failures, 1), delays.length) - 1] ?? 1000;
  }

  private updateGauge(): void {
    this.o.families.manualPending.set([], this.queue.size);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref(); // a queued alert must not keep a finished process alive
      this.wake = finish;
    });
  }
}
