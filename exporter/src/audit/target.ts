import type { Request } from 'express';

/**
 * What an audited request acted on, beyond its route: the body field naming each event of a
 * kind (a batch names several). Path parameters (`:model`, `:id`, `:name`) come first.
 */
const TARGET_FIELDS: Readonly<Record<string, string>> = {
  pipeline_run: 'pipeline_id',
  tick: 'engine',
  price: 'symbol',
  ranking: 'list_id',
  recommendation: 'tracking_id',
  prediction: 'model_name',
  outcome: 'prediction_id',
  manual_alert: 'alert_id',
  alert_webhook: 'receiver',
};

/** Longest target stored: a big batch is summarised, never stored whole. */
const MAX_TARGET_LENGTH = 500;
const MAX_TARGETS = 20;

/**
 * Text safe to store: PostgreSQL refuses NUL and lone surrogates (in text and jsonb), and one
 * bad row would fail the whole batch of audit rows it is written with.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
const storable = (text: string): string => text.toWellFormed().replace(CONTROL, '\ufffd');

const named = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/**
 * Path parameters as captured when the route matched (express restores `req.params` once the
 * route is left, before the response has finished).
 */
export function pathTarget(req: Request): string[] {
  return Object.entries(req.params as Record<string, string>).map(([k, v]) =>
    storable(`${k}=${v}`),
  );
}

/**
 * The concrete target of a request: path parameters, then the distinct values of the kind's
 * identifying field in the body (`tracking_id=trk_1,trk_2`, `+3 more` past 20), or null.
 * Read from the body as received, so a refused body still names what it tried to change.
 */
export function auditTarget(kind: string, params: string[], body: unknown): string | null {
  const parts = [...params];
  const field = TARGET_FIELDS[kind];
  if (field && body !== null && typeof body === 'object') {
    const items: unknown[] = Array.isArray(body) ? body : [body];
    const values = new Set<string>();
    for (const item of items) {
      const value =
        item !== null && typeof item === 'object' ? named(Reflect.get(item, field)) : undefined;
      if (value !== undefined) values.add(value);
    }
    // Made storable only once chosen: this runs on every ingest request, over every event.
    const shown = [...values].slice(0, MAX_TARGETS).map(storable);
    if (shown.length > 0) {
      const more = values.size > shown.length ? `,+${values.size - shown.length} more` : '';
      parts.push(`${field}=${shown.join(',')}${more}`);
    }
  }
  if (parts.length === 0) return null;
  const text = parts.join(' ');
  return text.length > MAX_TARGET_LENGTH ? `${text.slice(0, MAX_TARGET_LENGTH - 1)}…` : text;
}

/** The `acknowledged_by` of an acknowledgement's body (as sent, even when refused). */
export function acknowledgedBy(kind: string, body: unknown): string | null {
  if (kind !== 'alert_ack' || body === null || typeof body !== 'object') return null;
  const value = (body as { acknowledged_by?: unknown }).acknowledged_by;
  return typeof value === 'string' ? storable(value.slice(0, 100)) : null;
}
