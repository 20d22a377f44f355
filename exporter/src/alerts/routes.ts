import { Router, type Response } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import { ingestHandler } from '../http/ingest.js';
import { validateBatch } from '../validation.js';
import { notConfigured, type Acknowledger } from './acknowledge.js';
import { buildDashboard } from './dashboard.js';
import type { GuardedCalls } from './guard.js';
import type { AlertHistory } from './history.js';
import type { ManualAlertOutbox, SubmitResult } from './outbox.js';
import { historyFilter, priorityLimit } from './query.js';
import { logLine } from './record.js';
import { ackValidator, manualAlertValidator, webhookValidator } from './schema.js';
import { activeOccurrences, readHistory, startsByComponent } from './store.js';

export interface AlertParts {
  history: AlertHistory;
  acknowledger: Acknowledger;
  /** Absent when no Alertmanager is configured. */
  outbox: ManualAlertOutbox | undefined;
  calls: GuardedCalls | undefined;
}

/** At most this many active alerts are read for the dashboard. */
const ACTIVE_LIMIT = 10_000;

/**
 * The alert history (`POST /alerts/webhook`, `GET /alerts/dashboard`, `GET /alerts/history`,
 * `POST /alerts/{id}/ack`) and manual alerts (`POST /v1/alerts`, `GET /v1/alerts/queued`).
 * docs/alerting.md describes them.
 */
export function alertRoutes(ctx: DomainContext, parts: AlertParts): Router {
  const router = Router();
  const settings = ctx.config.alerts;
  const staleMs = settings.firing_stale_hours * 3_600_000;

  router.post(
    '/alerts/webhook',
    ...ctx.write('alert_webhook'),
    ingestHandler(ctx.ingest, 'alert_webhook', webhookValidator, async (payloads) => {
      const total = { accepted: 0, duplicates: 0 };
      for (const payload of payloads) {
        const r = await parts.history.receive(payload);
        total.accepted += r.accepted;
        total.duplicates += r.duplicates;
      }
      return total;
    }),
  );

  router.get('/alerts/dashboard', ...ctx.read, async (req, res) => {
    const limit = priorityLimit(req);
    const now = new Date();
    const [active, counts] = await readOrUnavailable(ctx, () =>
      Promise.all([
        activeOccurrences(ctx.storage.db, new Date(now.getTime() - staleMs), ACTIVE_LIMIT),
        startsByComponent(ctx.storage.db, now),
      ]),
    );
    res.json(buildDashboard(active, counts, now, limit));
  });

  router.get('/alerts/history', ...ctx.read, async (req, res) => {
    const filter = historyFilter(req, new Date());
    const entries = await readOrUnavailable(ctx, () => readHistory(ctx.storage.db, filter));
    res.json({
      since: filter.since.toISOString(),
      until: filter.until.toISOString(),
      alerts: entries.map((e) => logLine(e, e.acknowledged, { alert_id: String(e.alertId) })),
    });
  });

  router.post('/alerts/:id/ack', ...ctx.admin('alert_ack'), async (req, res) => {
    const id = req.params.id as string;
    if (!/^[1-9]\d{0,14}$/.test(id)) {
      throw invalid([{ field: 'id', message: 'must be an alert id from the history (digits)' }]);
    }
    const body = ackValidator(req.body);
    if (!body.ok) throw invalid(body.errors);
    const ack = await parts.acknowledger.acknowledge(Number(id), body.value);
    ctx.ingest.events.inc(['alert_ack']);
    res.json({
      alert_id: id,
      acknowledged_by: ack.by,
      acknowledged_at: ack.at.toISOString(),
      comment: ack.comment,
      silence_id: ack.silenceId,
      expires_at: ack.expiresAt.toISOString(),
    });
  });

  router.post('/v1/alerts', ...ctx.admin('manual_alert'), async (req, res) => {
    const batch = validateBatch(manualAlertValidator, req.body, ctx.config.server.max_batch_size);
    if (!batch.ok) throw invalid(batch.errors);
    if (!parts.outbox) throw notConfigured();
    const result = await parts.outbox.submit(batch.value);
    if (result.state === 'sent' || result.state === 'queued') {
      ctx.ingest.events.inc(['manual_alert'], result.accepted);
      ctx.ingest.duplicates.inc(['manual_alert'], result.duplicates);
    }
    answerSubmit(res, result);
  });

  router.get('/v1/alerts/queued', ...ctx.read, (_req, res) => {
    res.json({
      alertmanager_url: settings.alertmanager_url ?? null,
      circuit_breaker: parts.calls?.breaker.state ?? null,
      queued: (parts.outbox?.queued() ?? []).map((q) => ({
        alert_id: q.alertId,
        kind: q.kind,
        received_at: q.receivedAt.toISOString(),
        labels: q.alert.labels,
      })),
    });
  });
  return router;
}

/**
 * 200 `sent`: Alertmanager has them. 202 `queued`: it could not be reached (or the breaker is
 * open); they are stored and retried, `Retry-After` says when the next attempt is due.
 */
function answerSubmit(res: Response, result: SubmitResult): void {
  switch (result.state) {
    case 'sent':
      res
        .status(200)
        .json({ state: 'sent', accepted: result.accepted, duplicates: result.duplicates });
      return;
    case 'queued':
      res.setHeader('Retry-After', String(result.retryAfterSeconds));
      res.status(202).json({
        state: 'queued',
        accepted: result.accepted,
        duplicates: result.duplicates,
        queued: result.queued,
        retry_after_seconds: result.retryAfterSeconds,
        message: `Alertmanager did not take the alerts (${result.reason}); they are stored and retried with backoff`,
      });
      return;
    case 'refused':
      throw new HttpError(
        502,
        'alertmanager_refused',
        `Alertmanager refused the alerts: ${result.reason}`,
      );
    case 'full':
      throw new HttpError(
        503,
        'alert_queue_full',
        `${result.queued} manual alerts already wait for Alertmanager (alerts.max_queued); retry later`,
      );
  }
}

async function readOrUnavailable<T>(ctx: DomainContext, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    ctx.logger.warn({ component: 'alert', err }, 'could not read the alert history');
    throw new HttpError(
      503,
      'storage_unavailable',
      'the alert history could not be read; retry later',
    );
  }
}
