import { Router } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import { ingestHandler } from '../http/ingest.js';
import { RunHistory } from './history.js';
import type { PipelineRecorder } from './recorder.js';
import { validatePipelineRun, type PipelineRun } from './schema.js';
import { loadRecentRuns, saveRun } from './store.js';
import { pipelineName, summarizeRun } from './summary.js';
import { currentRequest } from '../tracing/correlation.js';
import { saveCorrelation } from '../tracing/store.js';
import { correlationRecord } from './correlation.js';
import { traceRun } from './tracing.js';

/**
 * `POST /v1/pipeline-runs` takes document 000's run object (or an array). A run is stored, and
 * recorded in metrics once, when it first arrives finished; `running` states only update the
 * status API. At start the recent runs are read back, so the status API and the "latest run"
 * gauges survive a restart (counters start again from zero, as Prometheus expects).
 */
export async function pipelineRoutes(
  ctx: DomainContext,
  recorder: PipelineRecorder,
): Promise<Router> {
  const historySize = ctx.config.pipeline.history_size;
  const history = new RunHistory(historySize);
  await restore(ctx, history, recorder);
  const router = Router();

  router.post(
    '/v1/pipeline-runs',
    ...ctx.write('pipeline_run'),
    ingestHandler(ctx.ingest, 'pipeline_run', validatePipelineRun, (runs) => {
      const finishedInBatch = new Set<string>();
      const fresh = runs.filter((run) => {
        if (!history.isNew(run) || finishedInBatch.has(run.pipeline_id)) return false;
        if (run.status !== 'running') finishedInBatch.add(run.pipeline_id);
        return true;
      });
      const request = currentRequest();
      const writes = fresh.map(saveRun);
      if (request && fresh.length > 0)
        writes.push(saveCorrelation(correlationRecord(request, fresh)));
      ctx.storage.buffer.enqueue(writes); // throws (503) before anything changes
      for (const run of fresh) {
        history.accept(run);
        if (run.status === 'running') continue;
        const summary = summarizeRun({ ...run, status: run.status });
        recorder.recordRun(
          request ? traceRun(ctx.tracing, request.context, run, summary) : summary,
        );
      }
      return { accepted: fresh.length, duplicates: runs.length - fresh.length };
    }),
  );

  router.get('/v1/pipeline-runs', ...ctx.read, (req, res) => {
    const text = req.query.limit ?? '20';
    const limit = typeof text === 'string' && /^\d{1,6}$/.test(text) ? Number(text) : NaN;
    if (!(limit >= 1 && limit <= historySize)) {
      throw invalid([{ field: 'limit', message: `must be an integer from 1 to ${historySize}` }]);
    }
    res.json({ runs: history.recent(limit, byPipeline(req.query.pipeline)) });
  });

  router.get('/monitoring/discovery/pipeline', ...ctx.read, (req, res) => {
    const latest = history.latest(byPipeline(req.query.pipeline));
    if (!latest) throw new HttpError(404, 'not_found', 'no pipeline run has been received yet');
    res.json(latest);
  });

  return router;
}

async function restore(
  ctx: DomainContext,
  history: RunHistory,
  recorder: PipelineRecorder,
): Promise<void> {
  let runs: PipelineRun[];
  try {
    runs = await loadRecentRuns(ctx.storage.db, ctx.config.pipeline.history_size);
  } catch (err) {
    ctx.logger.warn({ component: 'storage', err }, 'could not read back recent pipeline runs');
    return;
  }
  const oldestFirst = [...runs].reverse();
  for (const run of oldestFirst) history.accept(run);
  const finished = oldestFirst
    .filter((run) => run.status !== 'running')
    .map((run) => summarizeRun({ ...run, status: run.status as 'completed' | 'failed' }))
    .sort((a, b) => a.endTimestampSeconds - b.endTimestampSeconds);
  for (const summary of finished) recorder.restoreLatest(summary);
}

function byPipeline(query: unknown): ((run: PipelineRun) => boolean) | undefined {
  if (query === undefined) return undefined;
  if (typeof query !== 'string') {
    throw invalid([{ field: 'pipeline', message: 'must be a single name' }]);
  }
  return (run) => pipelineName(run) === query;
}
