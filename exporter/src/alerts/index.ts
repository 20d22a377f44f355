/**
 * Alert history, acknowledgements and manual alerts (issue 6 items 5 and 6): Alertmanager's
 * webhook fills the history and the JSONL alert log, the dashboard is computed from it,
 * acknowledging creates a silence, and document 000's manual alerts go to Alertmanager through
 * a circuit breaker, queued (and stored) while it cannot take them. docs/alerting.md.
 */
import type { HttpDomain } from '../context.js';
import { Acknowledger } from './acknowledge.js';
import { AlertmanagerClient } from './alertmanager.js';
import { CircuitBreaker } from './breaker.js';
import { GuardedCalls } from './guard.js';
import { AlertHistory } from './history.js';
import { AlertLog } from './log-file.js';
import { alertMetrics } from './metrics.js';
import { ManualAlertOutbox } from './outbox.js';
import { alertRoutes } from './routes.js';
import { MANUAL_KINDS, SEVERITIES } from './schema.js';

export { alertMetrics } from './metrics.js';

/** What a test gets from `createAlertsDomain({ onStart })`. */
export interface AlertsHandle {
  outbox: ManualAlertOutbox | undefined;
  calls: GuardedCalls | undefined;
}

export function createAlertsDomain(
  options: { onStart?: (handle: AlertsHandle) => void } = {},
): HttpDomain {
  return (ctx) => {
    const settings = ctx.config.alerts;
    const families = ctx.registry.registerAll(alertMetrics);
    for (const status of ['firing', 'resolved']) {
      for (const severity of SEVERITIES) families.received.init(status, severity);
    }
    for (const kind of MANUAL_KINDS) {
      families.manualSent.init(kind);
      families.manualQueuedTotal.init(kind);
      families.manualFailures.init(kind);
    }
    families.acknowledgements.init();
    families.logWriteFailures.init();

    let alertmanager: { client: AlertmanagerClient; calls: GuardedCalls } | undefined;
    let outbox: ManualAlertOutbox | undefined;
    if (settings.alertmanager_url) {
      const client = new AlertmanagerClient(
        settings.alertmanager_url,
        settings.request_timeout_seconds * 1000,
      );
      const breaker = new CircuitBreaker({
        failureThreshold: settings.circuit_breaker.failure_threshold,
        openMs: settings.circuit_breaker.open_seconds * 1000,
      });
      const calls = new GuardedCalls(breaker, families);
      alertmanager = { client, calls };
      outbox = new ManualAlertOutbox({
        client,
        calls,
        buffer: ctx.storage.buffer,
        db: ctx.storage.db,
        families,
        logger: ctx.logger,
        retryDelaysMs: settings.retry_delays_seconds.map((s) => s * 1000),
        maxQueued: settings.max_queued,
      });
      outbox.start();
    }
    const history = new AlertHistory({
      db: ctx.storage.db,
      buffer: ctx.storage.buffer,
      log: new AlertLog(settings.log_dir),
      families,
      logger: ctx.logger,
    });
    const acknowledger = new Acknowledger({
      alertmanager,
      db: ctx.storage.db,
      buffer: ctx.storage.buffer,
      history,
      families,
      logger: ctx.logger,
      defaultMinutes: settings.ack_silence_minutes,
    });
    options.onStart?.({ outbox, calls: alertmanager?.calls });
    return alertRoutes(ctx, { history, acknowledger, outbox, calls: alertmanager?.calls });
  };
}

export const alertsDomain: HttpDomain = createAlertsDomain();
