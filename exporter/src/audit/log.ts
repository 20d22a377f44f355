import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { identityOf } from '../http/auth.js';
import { routePattern } from '../http/observe.js';
import type { Logger } from '../log.js';
import type { Role } from '../security/tokens.js';
import type { Queryable } from '../storage/database.js';
import type { RowTable, WriteBuffer } from '../storage/write-buffer.js';
import { currentRequest } from '../tracing/correlation.js';

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
}

/** All rows of a batch in one statement (one JSON parameter); a rewrite of a row is a no-op. */
const auditTable: RowTable<AuditEntry> = {
  statement(rows) {
    return {
      sql: `INSERT INTO audit_log (audit_id, at, token_name, role, method, route, kind,
                                   event_count, status, correlation_id)
            SELECT audit_id, at, token_name, role, method, route, kind, event_count, status,
                   correlation_id
              FROM jsonb_to_recordset($1::jsonb) AS r(audit_id text, at timestamptz,
                   token_name text, role text, method text, route text, kind text,
                   event_count integer, status integer, correlation_id text)
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
  role: Role | undefined;
  limit: number;
}

/** The newest audit rows at or after `since`, newest first. */
export async function readAudit(db: Queryable, query: AuditQuery): Promise<AuditEntry[]> {
  const rows = await db.query<Omit<AuditEntry, 'at'> & { at: Date | string }>(
    `SELECT audit_id, at, token_name, role, method, route, kind, event_count, status,
            correlation_id
       FROM audit_log
      WHERE at >= $1 AND ($2::text IS NULL OR role = $2)
      ORDER BY at DESC, audit_id
      LIMIT $3`,
    [query.since.toISOString(), query.role ?? null, query.limit],
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
