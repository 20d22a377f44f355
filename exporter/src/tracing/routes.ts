import { Router } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import { callerCorrelationId } from './correlation.js';
import { loadCorrelation } from './store.js';

/**
 * `GET /api/tracing/correlation/{id}` (document 004's tracing API): what was stored under a
 * correlation id — or a trace id, the same thing unless the caller chose its own id — with
 * the pipeline runs it carried and their stage timings.
 */
export function tracingRoutes(ctx: DomainContext): Router {
  const router = Router();
  router.get('/api/tracing/correlation/:id', ...ctx.read, async (req, res) => {
    const id = callerCorrelationId(req.params.id);
    if (!id) {
      throw invalid([
        { field: 'id', message: 'must be 1 to 128 printable characters ([A-Za-z0-9._:@/+=-])' },
      ]);
    }
    let rows;
    try {
      rows = await loadCorrelation(ctx.storage.db, id);
    } catch (err) {
      ctx.logger.warn({ component: 'storage', err }, 'could not read correlation tracking');
      throw new HttpError(
        503,
        'storage_unavailable',
        'correlation tracking could not be read; retry later',
      );
    }
    if (rows.length === 0) throw new HttpError(404, 'not_found', 'nothing is stored under this id');
    res.json({
      correlation_id: rows[0]?.correlation_id,
      trace_id: rows[0]?.trace_id,
      requests: rows.map((row) => ({
        correlation_id: row.correlation_id,
        trace_id: row.trace_id,
        request_timestamp: row.request_timestamp.toISOString(),
        response_timestamp: row.response_timestamp.toISOString(),
        component_path: row.component_path,
        runs: row.performance_metrics,
        errors: row.error_info,
      })),
    });
  });
  return router;
}
