import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { identityOf } from '../http/auth.js';
import { routePattern } from '../http/observe.js';
import type { Logger } from '../log.js';
import type { Role } from '../security/tokens.js';
import type { Queryable } from '../storage/database.js';
import type { RowTable, WriteBuffer } from '../storage/write-buffer.js';
import { currentRequest } from '../tracing/correlation.js';
import { acknowledgedBy, auditTarget, pathTarget } from './target.js';

/** One audited request, as stored in `audit_log` and answered by `GET /v1/audit`. */
export interface AuditEntry {
  audit_id: string;
  at: string;
  token_name: string;
  role: Role;
  method: string;
  route: string;
  kind: string;
  event_count: number;
  status: number;
  correlation_id: string | null;
  /** What the request acted on: `model=m1`, `id=<alert id>`, `tracking_id=trk_1,trk_2`. */
  target: string | null;
  /** An acknowledgement's `acknowledged_by` (the person, where the token names the system). */
  acknowledged_by: string | null;
}

const COLUMNS = `audit_id, at, token_name, role, method, route, kind, event_count, status,
                 correlation_id, target, acknowledged_by`;

/** All rows of a batch in one statement (one JSON parameter); a rewrite of a row is a no-op. */
const auditTable: RowTable<AuditEntry> = {
  statement(rows) {
    return {
      sql: `INSERT INTO audit_log (audit_id, at, token_name, role, method, route, kind,
                                   event_count, status, correlation_id, target, acknowledged_by)
            SELECT ${COLUMNS}
              FROM jsonb_to_recordset($1::jsonb) AS r(audit_id text, at timestamptz,
                   token_name text, role text, method text, route text, kind text,
                   event_count integer, status integer, correlation_id text, target text,
                   acknowledged_by text)
            ON CONFLICT (audit_id) DO NOTHING`,
      params: [JSON.stringify(rows)],
    };
  },
};

/** Events a request carried: the length of an array body, else 1 (0 without a body). */
function eventCount(body: unknown): number {
  if (Array.isArray(body)) return body.length;
  return body === undefined || body === null ? 0 : 1;
}

/**
 * Records, once its response has finished, a request whose token `requireRole` accepted: one
 * row per request whatever its outcome, through the write buffer (rows of many requests share
 * one statement). A row the buffer cannot take (it is full or stopping) goes to the log instead,
 * at warn level with every field, so it is not lost.
 */
export function auditWrites(buffer: WriteBuffer, kind: string, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const correlationId = currentRequest()?.correlationId ?? null;
    const params = pathTarget(req);
    const at = new Date();
    res.once('finish', () => {
      const identity = identityOf(res);
      if (!identity) return;
      const row: AuditEntry = {
        audit_id: randomUUID(),
        at: at.toISOString(),
        token_name: identity.name,
        role: identity.role,
        method: req.method,
        route: routePattern(req),
        kind,
        event_count: eventCount(req.body),
        status: res.statusCode,
        correlation_id: correlationId,
        target: auditTarget(kind, params, req.body),
        acknowledged_by: acknowledgedBy(kind, req.body),
      };
      try {
        buffer.enqueue({ table: auditTable, row });
      } catch (err) {
        logger.warn(
          { component: 'audit', err: (err as Error).message, ...row },
          'audit row not stored (the write buffer refused it); logged instead',
        );
      }
    });
    next();
  };
}

export interface AuditQuery {
  since: Date;
  until: Date | undefined;
  role: Role | undefined;
  tokenName: string | undefined;
  kind: string | undefined;
  correlationId: string | undefined;
  /** The last row of the previous page: rows after it in the order below. */
  after: AuditCursor | undefined;
  limit: number;
}

/** Where a page ended: the `at` and `audit_id` of its last row. */
export interface AuditCursor {
  at: string;
  audit_id: string;
}

export const RFC3339_START = /^\d{4}-\d{2}-\d{2}T/;

/** The cursor as the client sees it: opaque base64url. */
export const encodeCursor = (c: AuditCursor): string =>
  Buffer.from(JSON.stringify([c.at, c.audit_id])).toString('base64url');

export function decodeCursor(text: string): AuditCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string') return undefined;
    const ms = RFC3339_START.test(at) ? Date.parse(at) : NaN;
    return Number.isNaN(ms) ? undefined : { at: new Date(ms).toISOString(), audit_id: id };
  } catch {
    return undefined;
  }
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

/**
 * One page of audit rows matching every filter given, newest first (`at` descending, then
 * `audit_id`): keyset paging, so a page costs the same however deep and rows written meanwhile
 * neither repeat nor go missing.
 */
export async function readAudit(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const rows = await db.query<Omit<AuditEntry, 'at'> & { at: Date | string }>(
    `SELECT ${COLUMNS}
       FROM audit_log
      WHERE at >= $1
        AND ($2::timestamptz IS NULL OR at < $2)
        AND ($3::text IS NULL OR role = $3)
        AND ($4::text IS NULL OR token_name = $4)
        AND ($5::text IS NULL OR kind = $5)
        AND ($6::text IS NULL OR correlation_id = $6)
        AND ($7::timestamptz IS NULL OR at < $7 OR (at = $7 AND audit_id > $8))
      ORDER BY at DESC, audit_id
      LIMIT $9`,
    [
      query.since.toISOString(),
      query.until?.toISOString() ?? null,
      query.role ?? null,
      query.tokenName ?? null,
      query.kind ?? null,
      query.correlationId ?? null,
      query.after?.at ?? null,
      query.after?.audit_id ?? null,
      query.limit + 1,
    ],
  );
  const entries = rows
    .slice(0, query.limit)
    .map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  const last = entries.at(-1);
  return {
    entries,
    next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}
