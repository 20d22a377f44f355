import { HttpError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { FamiliesFor } from '../metrics/registry.js';
import type { Queryable } from '../storage/database.js';
import type { WriteBuffer } from '../storage/write-buffer.js';
import type { AlertmanagerClient, PostableSilence } from './alertmanager.js';
import { UnavailableError, type GuardedCalls } from './guard.js';
import type { AlertHistory } from './history.js';
import type { alertMetrics } from './metrics.js';
import { logLine } from './record.js';
import type { AckRequest } from './schema.js';
import {
  occurrenceById,
  saveAcknowledgement,
  type Acknowledgement,
  type Occurrence,
} from './store.js';

export interface AcknowledgerOptions {
  /** Absent when no Alertmanager is configured: acknowledging answers 503. */
  alertmanager: { client: AlertmanagerClient; calls: GuardedCalls } | undefined;
  db: Queryable;
  buffer: WriteBuffer;
  history: AlertHistory;
  families: FamiliesFor<typeof alertMetrics>;
  logger: Logger;
  defaultMinutes: number;
}

/**
 * Acknowledging an alert: a silence in Alertmanager that matches the occurrence's whole label
 * set (so it silences exactly that alert), recorded with who asked, why and until when, and a
 * line in the alert log. An occurrence under a silence that has not expired is not acknowledged
 * again (409); a resolved one cannot be (409).
 */
export class Acknowledger {
  /** Acknowledgements this replica made (their writes may still be buffered), by alert id. */
  private readonly recent = new Map<number, Acknowledgement>();

  constructor(private readonly o: AcknowledgerOptions) {}

  async acknowledge(id: number, request: AckRequest): Promise<Acknowledgement> {
    const am = this.o.alertmanager;
    if (!am) throw notConfigured();
    const found = await this.find(id);
    const now = new Date();
    const current = this.recent.get(id) ?? found.ack;
    if (found.status === 'resolved') {
      throw new HttpError(409, 'alert_resolved', `alert ${id} is resolved: nothing to silence`);
    }
    if (current && current.expiresAt > now) {
      throw new HttpError(
        409,
        'already_acknowledged',
        `alert ${id} was acknowledged by ${current.by} at ${current.at.toISOString()}; its silence ${current.silenceId} lasts until ${current.expiresAt.toISOString()}`,
      );
    }
    const minutes = request.duration_minutes ?? this.o.defaultMinutes;
    const expiresAt = new Date(now.getTime() + minutes * 60_000);
    const comment = request.comment ?? `Acknowledged through tradewatch (alert ${id})`;
    const silence: PostableSilence = {
      matchers: Object.entries(found.labels).map(([name, value]) => ({
        name,
        value,
        isRegex: false,
        isEqual: true,
      })),
      startsAt: now.toISOString(),
      endsAt: expiresAt.toISOString(),
      createdBy: request.acknowledged_by,
      comment,
    };
    const result = await am.calls.run('post_silence', () => am.client.createSilence(silence));
    if (!result.ok) {
      if (result.kind === 'refused') {
        throw new HttpError(
          502,
          'alertmanager_refused',
          `Alertmanager refused the silence: ${result.message}`,
        );
      }
      throw new UnavailableError(
        'alertmanager_unavailable',
        `could not create the silence: ${result.message}`,
        am.calls.retryAfterSeconds(),
      );
    }
    const ack: Acknowledgement = {
      by: request.acknowledged_by,
      comment,
      silenceId: result.value,
      at: now,
      expiresAt,
    };
    this.o.buffer.enqueue(saveAcknowledgement(id, ack));
    this.recent.set(id, ack);
    this.o.families.acknowledgements.inc([]);
    this.o.logger.info(
      { component: 'alert', alert_id: id, acknowledged_by: ack.by, silence_id: ack.silenceId },
      'alert acknowledged',
    );
    await this.o.history.append([ackLine(found, ack)], now);
    return ack;
  }

  private async find(id: number): Promise<Occurrence> {
    let found: Occurrence | undefined;
    try {
      found = await occurrenceById(this.o.db, id);
    } catch (err) {
      this.o.logger.warn({ component: 'alert', err }, 'could not read the alert history');
      throw new HttpError(
        503,
        'storage_unavailable',
        'the alert history could not be read; retry later',
      );
    }
    if (!found) throw new HttpError(404, 'not_found', `no alert with id ${id} in the history`);
    return found;
  }
}

export const notConfigured = (): HttpError =>
  new HttpError(
    503,
    'alertmanager_not_configured',
    'no Alertmanager is configured (alerts.alertmanager_url)',
  );

/** The acknowledgement's line in the alert log: the occurrence, acknowledged, and by whom. */
function ackLine(o: Occurrence, ack: Acknowledgement) {
  const line = logLine(
    {
      fingerprint: o.fingerprint,
      status: 'firing',
      startsAt: o.startsAt.toISOString(),
      endsAt: null,
      labels: o.labels,
      annotations: o.annotations,
      generatorURL: null,
      receiver: 'tradewatch',
      receivedAt: ack.at,
    },
    true,
    {
      alert_id: String(o.id),
      acknowledged_by: ack.by,
      acknowledged_at: ack.at.toISOString(),
      comment: ack.comment,
      silence_id: ack.silenceId,
      silence_ends_at: ack.expiresAt.toISOString(),
    },
  );
  return { ...line, timestamp: ack.at.toISOString() };
}
