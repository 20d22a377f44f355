import { Router, type Request } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import { ROLES, type Role } from '../security/tokens.js';
import type { FieldError } from '../validation.js';
import { decodeCursor, RFC3339_START, readAudit, type AuditQuery } from './log.js';

const DAY_MS = 86_400_000;
const MAX_LIMIT = 1000;
/** Longest text filter accepted (token names, kinds and correlation ids are shorter). */
const MAX_FILTER_LENGTH = 200;
/** No control characters: PostgreSQL refuses NUL in text, and none belongs in these names. */
const PRINTABLE_FILTER = new RegExp(`^[^\\u0000-\\u001f]{1,${MAX_FILTER_LENGTH}}$`);

/**
 * `GET /v1/audit` (admin): the audit log, newest first, a page at a time. Filters: `since` and
 * `until` (RFC 3339; since defaults to 24 hours ago), `role`, `token_name`, `kind` (the action),
 * `correlation_id`; `limit` 1 to 1000 (100); `cursor` the previous page's `next_cursor`.
 */
export function auditRoutes(ctx: DomainContext): Router {
  const router = Router();
  router.get('/v1/audit', ...ctx.adminRead, async (req, res) => {
    const query = parseQuery(req);
    let page;
    try {
      page = await readAudit(ctx.storage.db, query);
    } catch (err) {
      ctx.logger.warn({ component: 'audit', err }, 'could not read the audit log');
      throw new HttpError(
        503,
        'storage_unavailable',
        'the audit log could not be read; retry later',
      );
    }
    res.json({
      since: query.since.toISOString(),
      until: query.until?.toISOString() ?? null,
      ...page,
    });
  });
  return router;
}

/** The query string as an `AuditQuery`, or a 400 naming every bad parameter. */
function parseQuery(req: Request): AuditQuery {
  const errors: FieldError[] = [];
  const one = (name: string): string | undefined => {
    const value = req.query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      errors.push({ field: name, message: 'must be given once' });
      return undefined;
    }
    return value;
  };
  const time = (name: string): Date | undefined => {
    const text = one(name);
    if (text === undefined) return undefined;
    const ms = RFC3339_START.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(ms)) errors.push({ field: name, message: 'must be an RFC 3339 time' });
    return Number.isNaN(ms) ? undefined : new Date(ms);
  };
  const text = (name: string): string | undefined => {
    const value = one(name);
    if (value !== undefined && !PRINTABLE_FILTER.test(value)) {
      errors.push({
        field: name,
        message: `must be 1 to ${MAX_FILTER_LENGTH} printable characters`,
      });
    }
    return value;
  };

  const since = time('since') ?? new Date(Date.now() - DAY_MS);
  const until = time('until');
  const role = one('role');
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
    errors.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
  }
  let limit = 100;
  const limitText = one('limit');
  if (limitText !== undefined) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : 0;
    if (limit < 1 || limit > MAX_LIMIT) {
      errors.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
    }
  }
  const cursorText = one('cursor');
  const after = cursorText === undefined ? undefined : decodeCursor(cursorText);
  if (cursorText !== undefined && !after) {
    errors.push({ field: 'cursor', message: 'must be a next_cursor of an earlier answer' });
  }
  const query: AuditQuery = {
    since,
    until,
    role: role as Role | undefined,
    tokenName: text('token_name'),
    kind: text('kind'),
    correlationId: text('correlation_id'),
    after,
    limit,
  };
  if (errors.length > 0) throw invalid(errors);
  return query;
}
