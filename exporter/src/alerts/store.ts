import type { Queryable } from '../storage/database.js';
import type { Statement } from '../storage/write-buffer.js';
import type { PostableAlert } from './alertmanager.js';
import type { AlertEvent } from './record.js';
import type { ManualKind } from './schema.js';

/**
 * A notification: the occurrence (fingerprint, starts_at) is created or brought up to date (a
 * resolved occurrence stays resolved; `received_at` follows the latest notification), then the
 * notification is stored once. Both statements are idempotent.
 */
export function saveEvent(e: AlertEvent): Statement[] {
  const labels = JSON.stringify(e.labels);
  const annotations = JSON.stringify(e.annotations);
  return [
    {
      sql: `INSERT INTO alerts (fingerprint, status, labels, annotations, starts_at, ends_at,
                                received_at, generator_url)
            VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8)
            ON CONFLICT (fingerprint, starts_at) DO UPDATE SET
              status = CASE WHEN alerts.status = 'resolved' THEN 'resolved' ELSE EXCLUDED.status END,
              ends_at = COALESCE(EXCLUDED.ends_at, alerts.ends_at),
              labels = EXCLUDED.labels,
              annotations = EXCLUDED.annotations,
              generator_url = EXCLUDED.generator_url,
              received_at = GREATEST(alerts.received_at, EXCLUDED.received_at)`,
      params: [
        e.fingerprint,
        e.status,
        labels,
        annotations,
        e.startsAt,
        e.endsAt,
        e.receivedAt,
        e.generatorURL,
      ],
    },
    {
      sql: `INSERT INTO alert_notifications (fingerprint, starts_at, status, ends_at, labels,
                                             annotations, receiver, received_at)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)
            ON CONFLICT DO NOTHING`,
      params: [
        e.fingerprint,
        e.startsAt,
        e.status,
        e.endsAt,
        labels,
        annotations,
        e.receiver,
        e.receivedAt,
      ],
    },
  ];
}

/** Indexes of the events already stored (the database compares the times, at its precision). */
export async function storedEvents(
  db: Queryable,
  events: readonly Pick<AlertEvent, 'fingerprint' | 'startsAt' | 'status'>[],
): Promise<Set<number>> {
  if (events.length === 0) return new Set();
  const rows = await db.query<{ i: number }>(
    `SELECT q.i::int AS i
       FROM unnest($1::text[], $2::timestamptz[], $3::text[]) WITH ORDINALITY
            AS q (fingerprint, starts_at, status, i)
       JOIN alert_notifications n USING (fingerprint, starts_at, status)`,
    [events.map((e) => e.fingerprint), events.map((e) => e.startsAt), events.map((e) => e.status)],
  );
  return new Set(rows.map((r) => r.i - 1));
}

export interface Acknowledgement {
  by: string;
  comment: string;
  silenceId: string;
  at: Date;
  expiresAt: Date;
}

/** An occurrence as the dashboard and acknowledgements read it, with its latest acknowledgement. */
export interface Occurrence {
  id: number;
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date | null;
  receivedAt: Date;
  ack: Acknowledgement | null;
}

interface OccurrenceRow {
  id: number;
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: Date;
  ends_at: Date | null;
  received_at: Date;
  acknowledged_by: string | null;
  comment: string | null;
  silence_id: string | null;
  acknowledged_at: Date | null;
  expires_at: Date | null;
}

const OCCURRENCE_SELECT = `
  SELECT a.id, a.fingerprint, a.status, a.labels, a.annotations, a.starts_at, a.ends_at,
         a.received_at, k.acknowledged_by, k.comment, k.silence_id, k.acknowledged_at, k.expires_at
    FROM alerts a
    LEFT JOIN LATERAL (
      SELECT acknowledged_by, comment, silence_id, acknowledged_at, expires_at
        FROM alert_acknowledgements WHERE alert_id = a.id
       ORDER BY acknowledged_at DESC LIMIT 1) k ON true`;

function occurrence(r: OccurrenceRow): Occurrence {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    status: r.status,
    labels: r.labels,
    annotations: r.annotations,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    receivedAt: r.received_at,
    ack:
      r.acknowledged_by === null
        ? null
        : {
            by: r.acknowledged_by,
            comment: r.comment ?? '',
            silenceId: r.silence_id ?? '',
            at: r.acknowledged_at as Date,
            expiresAt: r.expires_at as Date,
          },
  };
}

/** Firing occurrences notified since `notifiedSince` (older ones lost their resolution), oldest first. */
export async function activeOccurrences(
  db: Queryable,
  notifiedSince: Date,
  limit: number,
): Promise<Occurrence[]> {
  const rows = await db.query<OccurrenceRow>(
    `${OCCURRENCE_SELECT}
      WHERE a.status = 'firing' AND a.received_at >= $1
      ORDER BY a.starts_at, a.id LIMIT $2`,
    [notifiedSince, limit],
  );
  return rows.map(occurrence);
}

export async function occurrenceById(db: Queryable, id: number): Promise<Occurrence | undefined> {
  const rows = await db.query<OccurrenceRow>(`${OCCURRENCE_SELECT} WHERE a.id = $1`, [id]);
  return rows[0] && occurrence(rows[0]);
}

export interface ComponentCounts {
  component: string;
  /** Occurrences that started within the last day, and within the day before it. */
  lastDay: number;
  previousDay: number;
}

/** Occurrences started per component in the last two days (severity `none` left out). */
export async function startsByComponent(db: Queryable, now: Date): Promise<ComponentCounts[]> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const twoDaysAgo = new Date(now.getTime() - 2 * 86_400_000);
  const rows = await db.query<{ component: string; last_day: number; previous_day: number }>(
    `SELECT COALESCE(labels->>'component', '') AS component,
            (count(*) FILTER (WHERE starts_at >= $1))::int AS last_day,
            (count(*) FILTER (WHERE starts_at < $1))::int AS previous_day
       FROM alerts
      WHERE starts_at >= $2 AND starts_at <= $3
        AND COALESCE(labels->>'severity', 'none') <> 'none'
      GROUP BY 1 ORDER BY 1`,
    [dayAgo, twoDaysAgo, now],
  );
  return rows.map((r) => ({
    component: r.component,
    lastDay: r.last_day,
    previousDay: r.previous_day,
  }));
}

export function saveAcknowledgement(alertId: number, ack: Acknowledgement): Statement {
  return {
    sql: `INSERT INTO alert_acknowledgements
            (alert_id, acknowledged_by, comment, silence_id, acknowledged_at, expires_at)
          SELECT $1, $2, $3, $4, $5, $6
           WHERE NOT EXISTS (SELECT 1 FROM alert_acknowledgements WHERE silence_id = $4)`,
    params: [alertId, ack.by, ack.comment, ack.silenceId, ack.at, ack.expiresAt],
  };
}

export interface HistoryFilter {
  since: Date;
  until: Date;
  status?: string;
  severity?: string;
  component?: string;
  alertname?: string;
  limit: number;
}

export interface HistoryEntry extends AlertEvent {
  alertId: number;
  acknowledged: boolean;
}

/** Stored notifications received in [since, until], newest first. */
export async function readHistory(db: Queryable, f: HistoryFilter): Promise<HistoryEntry[]> {
  const rows = await db.query<{
    id: number;
    fingerprint: string;
    status: 'firing' | 'resolved';
    starts_at: Date;
    ends_at: Date | null;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    generator_url: string | null;
    receiver: string;
    received_at: Date;
    acknowledged: boolean;
  }>(
    `SELECT a.id, n.fingerprint, n.status, n.starts_at, n.ends_at, n.labels, n.annotations,
            a.generator_url, n.receiver, n.received_at,
            EXISTS (SELECT 1 FROM alert_acknowledgements k WHERE k.alert_id = a.id) AS acknowledged
       FROM alert_notifications n JOIN alerts a USING (fingerprint, starts_at)
      WHERE n.received_at >= $1 AND n.received_at <= $2
        AND ($3::text IS NULL OR n.status = $3)
        AND ($4::text IS NULL OR COALESCE(n.labels->>'severity', 'none') = $4)
        AND ($5::text IS NULL OR n.labels->>'component' = $5)
        AND ($6::text IS NULL OR n.labels->>'alertname' = $6)
      ORDER BY n.received_at DESC, a.id DESC, n.status LIMIT $7`,
    [
      f.since,
      f.until,
      f.status ?? null,
      f.severity ?? null,
      f.component ?? null,
      f.alertname ?? null,
      f.limit,
    ],
  );
  return rows.map((r) => ({
    alertId: r.id,
    fingerprint: r.fingerprint,
    status: r.status,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at?.toISOString() ?? null,
    labels: r.labels,
    annotations: r.annotations,
    generatorURL: r.generator_url,
    receiver: r.receiver,
    receivedAt: r.received_at,
    acknowledged: r.acknowledged,
  }));
}

export interface QueuedAlert {
  alertId: string;
  kind: ManualKind;
  alert: PostableAlert;
  receivedAt: Date;
}

export function saveQueued(q: QueuedAlert): Statement {
  return {
    sql: `INSERT INTO manual_alerts (alert_id, kind, alert, received_at)
          VALUES ($1, $2, $3::jsonb, $4)
          ON CONFLICT (alert_id) DO UPDATE SET alert = EXCLUDED.alert, kind = EXCLUDED.kind`,
    params: [q.alertId, q.kind, JSON.stringify(q.alert), q.receivedAt],
  };
}

export function deleteQueued(alertId: string): Statement {
  return { sql: 'DELETE FROM manual_alerts WHERE alert_id = $1', params: [alertId] };
}

export async function loadQueued(db: Queryable): Promise<QueuedAlert[]> {
  const rows = await db.query<{
    alert_id: string;
    kind: ManualKind;
    alert: PostableAlert;
    received_at: Date;
  }>('SELECT alert_id, kind, alert, received_at FROM manual_alerts ORDER BY received_at, alert_id');
  return rows.map((r) => ({
    alertId: r.alert_id,
    kind: r.kind,
    alert: r.alert,
    receivedAt: r.received_at,
  }));
}
