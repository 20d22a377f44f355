import { Router } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import { callerCorrelationId } from './correlation.js';
import { loadCorrelation, type CorrelationRow } from './store.js';

/** Expands the runs a request carried into what the lookup shows (the pipeline domain's view). */
export type DescribeRuns = (
  db: DomainContext['storage']['db'],
  ids: readonly string[],
) => Promise<{ runs: unknown[]; errors: unknown[] }>;

/**
 * `GET /api/tracing/correlation/{id}` (document 004's tracing API): what was stored under a
 * correlation id — or a trace id, the same thing unless the caller chose its own id — with
 * the pipeline runs it carried and their stage timings.
 */
export function tracingRoutes(ctx: DomainContext, describeRuns: DescribeRuns): Router {
  const router = Router();
  router.get('/api/tracing/correlation/:id', ...ctx.read, async (req, res) => {
    const id = callerCorrelationId(req.params.id);
    if (!id) {
      throw invalid([
        { field: 'id', message: 'must be 1 to 128 printable characters ([A-Za-z0-9._:@/+=-])' },
      ]);
    }
    let requests: Awaited<ReturnType<typeof describeRequest>>[];
    try {
      const rows = await loadCorrelation(ctx.storage.db, id);
      if (rows.length === 0)
        throw new HttpError(404, 'not_found', 'nothing is stored under this id');
      requests = await Promise.all(rows.map((row) => describeRequest(ctx, describeRuns, row)));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      ctx.logger.warn({ component: 'storage', err }, 'could not read correlation tracking');
      throw new HttpError(
        503,
        'storage_unavailable',
        'correlation tracking could not be read; retry later',
      );
    }
    res.json({
      correlation_id: requests[0]?.correlation_id,
      trace_id: requests[0]?.trace_id,
      requests,
    });
  });
  return router;
}

async function describeRequest(
  ctx: DomainContext,
  describeRuns: DescribeRuns,
  row: CorrelationRow,
) {
  const { runs, errors } = await describeRuns(ctx.storage.db, row.pipeline_ids);
  return {
    correlation_id: row.correlation_id,
    trace_id: row.trace_id,
    request_timestamp: row.request_timestamp.toISOString(),
    response_timestamp: row.response_timestamp.toISOString(),
    component_path: row.component_path,
    runs,
    errors,
  };
}
