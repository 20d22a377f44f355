/**
 * One stored notification, and its line in the alert log: document 001's alert schema
 * (`timestamp, severity, rule, message, context, acknowledged`), with what Alertmanager adds
 * (status, fingerprint, labels, annotations, ...) in `context`.
 */
import { endTime, SEVERITIES, type Severity, type WebhookAlert } from './schema.js';

export interface AlertEvent {
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** RFC 3339, as Alertmanager sent it. */
  startsAt: string;
  endsAt: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string | null;
  receiver: string;
  receivedAt: Date;
}

export function toEvent(alert: WebhookAlert, receiver: string, receivedAt: Date): AlertEvent {
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    startsAt: alert.startsAt,
    endsAt: endTime(alert),
    labels: alert.labels,
    annotations: alert.annotations,
    generatorURL: alert.generatorURL || null,
    receiver,
    receivedAt,
  };
}

/** The idempotency key of a notification (document: fingerprint + startsAt + status). */
export const eventKey = (e: Pick<AlertEvent, 'fingerprint' | 'startsAt' | 'status'>): string =>
  `${e.fingerprint}\u0000${new Date(e.startsAt).toISOString()}\u0000${e.status}`;

export function severityOf(labels: Record<string, string>): Severity {
  const s = labels.severity;
  return (SEVERITIES as readonly string[]).includes(s ?? '') ? (s as Severity) : 'none';
}

/** What a person reads first: the summary, else the description, else the alert name. */
export function messageOf(labels: Record<string, string>, a: Record<string, string>): string {
  return a.summary ?? a.message ?? a.description ?? labels.alertname ?? '';
}

export interface AlertLogLine {
  timestamp: string;
  severity: string;
  rule: string;
  message: string;
  context: Record<string, unknown>;
  acknowledged: boolean;
}

/**
 * A notification as a log line: `timestamp` is when the alert started (firing) or ended
 * (resolved); document 001's severities are upper case.
 */
export function logLine(
  e: AlertEvent,
  acknowledged: boolean,
  extra: Record<string, unknown> = {},
): AlertLogLine {
  return {
    timestamp: e.status === 'resolved' && e.endsAt ? e.endsAt : e.startsAt,
    severity: severityOf(e.labels).toUpperCase(),
    rule: e.labels.alertname ?? '',
    message: messageOf(e.labels, e.annotations),
    context: {
      ...extra,
      status: e.status,
      fingerprint: e.fingerprint,
      component: e.labels.component ?? null,
      starts_at: e.startsAt,
      ends_at: e.endsAt,
      labels: e.labels,
      annotations: e.annotations,
      generator_url: e.generatorURL,
      receiver: e.receiver,
      received_at: e.receivedAt.toISOString(),
    },
    acknowledged,
  };
}

/** The log file a line written at `at` goes to: `<UTC date>.jsonl`. */
export const logFileName = (at: Date): string => `${at.toISOString().slice(0, 10)}.jsonl`;
