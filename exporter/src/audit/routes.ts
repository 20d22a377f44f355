import { Router } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import { ROLES, type Role } from '../security/tokens.js';
import type { FieldError } from '../validation.js';
import { readAudit } from './log.js';

const DAY_MS = 86_400_000;
const MAX_LIMIT = 1000;

/**
 * `GET /v1/audit?since=&role=&limit=` (admin): the audit log, newest first. `since` is an
 * RFC 3339 time (default: 24 hours ago), `role` admin or writer, `limit` 1 to 1000 (100).
 */
export function auditRoutes(ctx: DomainContext): Router {
  const router = Router();
  router.get('/v1/audit', ...ctx.adminRead, async (req, res) => {
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
    const sinceText = one('since');
    const roleText = one('role');
    const limitText = one('limit');
    let since = new Date(Date.now() - DAY_MS);
    if (sinceText !== undefined) {
      const ms = /^\d{4}-\d{2}-\d{2}T/.test(sinceText) ? Date.parse(sinceText) : NaN;
      if (Number.isNaN(ms)) errors.push({ field: 'since', message: 'must be an RFC 3339 time' });
      else since = new Date(ms);
    }
    if (roleText !== undefined && !(ROLES as readonly string[]).includes(roleText)) {
      errors.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
    }
    let limit = 100;
    if (limitText !== undefined) {
      limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : 0;
      if (limit < 1 || limit > MAX_LIMIT) {
        errors.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
      }
    }
    if (errors.length > 0) throw invalid(errors);
    let entries;
    try {
      entries = await readAudit(ctx.storage.db, {
        since,
        role: roleText as Role | undefined,
        limit,
      });
    } catch (err) {
      ctx.logger.warn({ component: 'audit', err }, 'could not read the audit log');
      throw new HttpError(
        503,
        'storage_unavailable',
        'the audit log could not be read; retry later',
      );
    }
    res.json({ since: since.toISOString(), entries });
  });
  return router;
}
