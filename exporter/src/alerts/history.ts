import type { IngestResult } from '../http/ingest.js';
import type { Logger } from '../log.js';
import type { FamiliesFor } from '../metrics/registry.js';
import type { Queryable } from '../storage/database.js';
import type { WriteBuffer } from '../storage/write-buffer.js';
import type { AlertLog } from './log-file.js';
import type { alertMetrics } from './metrics.js';
import {
  eventKey,
  logLine,
  severityOf,
  toEvent,
  type AlertEvent,
  type AlertLogLine,
} from './record.js';
import type { WebhookPayload } from './schema.js';
import { saveEvent, storedEvents } from './store.js';

/** Keys of notifications this replica stored recently (their writes may still be buffered). */
const RECENT_LIMIT = 50_000;

export interface HistoryOptions {
  db: Queryable;
  buffer: WriteBuffer;
  log: AlertLog;
  families: FamiliesFor<typeof alertMetrics>;
  logger: Logger;
}

/**
 * The webhook's side of the history. Alertmanager repeats a firing notification every
 * repeat_interval and retries failed deliveries, so a notification is new only once per
 * (fingerprint, startsAt, status): it is then stored, counted and appended to the alert log;
 * repeats are counted as duplicates and change nothing. Notifications are handled one payload
 * at a time, so two deliveries of one payload cannot both find it new. When the database cannot
 * be read, only the replica's recent notifications are checked (a line may then be logged twice;
 * the rows stay unique).
 */
export class AlertHistory {
  private readonly recent = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: HistoryOptions) {}

  receive(payload: WebhookPayload): Promise<IngestResult> {
    const run = this.chain.then(() => this.store(payload));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async store(payload: WebhookPayload): Promise<IngestResult> {
    const receivedAt = new Date();
    const events: AlertEvent[] = [];
    const keys = new Set<string>();
    for (const alert of payload.alerts) {
      const event = toEvent(alert, payload.receiver, receivedAt);
      const key = eventKey(event);
      if (keys.has(key) || this.recent.has(key)) continue;
      keys.add(key);
      events.push(event);
    }
    const stored = await this.readStored(events);
    const fresh = events.filter((_, i) => !stored.has(i));
    // Throws (503) before anything changes when the buffer cannot take every write.
    this.o.buffer.enqueue(fresh.flatMap(saveEvent));
    for (const e of fresh) {
      this.remember(eventKey(e));
      this.o.families.received.inc([e.status, severityOf(e.labels)]);
    }
    await this.append(
      fresh.map((e) => logLine(e, false)),
      receivedAt,
    );
    return { accepted: fresh.length, duplicates: payload.alerts.length - fresh.length };
  }

  /** Appends to the alert log; a failure is logged and counted, the history keeps the rows. */
  async append(lines: readonly AlertLogLine[], at: Date): Promise<void> {
    try {
      await this.o.log.append(lines, at);
    } catch (err) {
      this.o.families.logWriteFailures.inc([]);
      this.o.logger.error(
        { component: 'alert', err, dir: this.o.log.dir },
        'could not append to the alert log',
      );
    }
  }

  private async readStored(events: readonly AlertEvent[]): Promise<Set<number>> {
    try {
      return await storedEvents(this.o.db, events);
    } catch (err) {
      this.o.logger.warn(
        { component: 'alert', err },
        'could not check notifications against the database; checking recent ones only',
      );
      return new Set();
    }
  }

  private remember(key: string): void {
    this.recent.add(key);
    if (this.recent.size > RECENT_LIMIT) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}
