import type { Migration } from '../migrations.js';

/**
 * The alert history (issue 6 item 5, docs/alerting.md). `alerts` (migration 1) stays one row
 * per occurrence, (fingerprint, starts_at), with its latest status; its `received_at` becomes
 * the time of the latest notification, so retention (by `received_at`) never prunes an alert
 * that is still being notified. What hangs off an occurrence goes with it (ON DELETE CASCADE):
 *
 * - `alert_notifications`: every notification the webhook stored, once per
 *   (fingerprint, starts_at, status): a firing and a resolved row per occurrence at most.
 * - `alert_acknowledgements`: who acknowledged an occurrence, and the Alertmanager silence made.
 *
 * `manual_alerts` holds the manual alerts (`POST /v1/alerts`) Alertmanager has not taken yet,
 * as they will be sent; a row is deleted once Alertmanager takes it.
 */
export const alertHistory: Migration = {
  version: 9,
  name: 'alert_history',
  sql: `
ALTER TABLE alerts ADD COLUMN generator_url TEXT;

CREATE TABLE alert_notifications (
    fingerprint TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    ends_at TIMESTAMPTZ,
    labels JSONB NOT NULL,
    annotations JSONB NOT NULL,
    receiver TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (fingerprint, starts_at, status),
    FOREIGN KEY (fingerprint, starts_at) REFERENCES alerts (fingerprint, starts_at)
        ON DELETE CASCADE
);

CREATE INDEX idx_alert_notifications_received_at ON alert_notifications(received_at);

CREATE TABLE alert_acknowledgements (
    id BIGSERIAL PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    acknowledged_by TEXT NOT NULL,
    comment TEXT NOT NULL,
    silence_id TEXT NOT NULL,
    acknowledged_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX idx_alert_acknowledgements_alert ON alert_acknowledgements(alert_id, acknowledged_at);

CREATE TABLE manual_alerts (
    alert_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    alert JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
`,
};
