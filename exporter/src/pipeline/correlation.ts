import type { Database } from '../storage/database.js';
import type { RequestTrace } from '../tracing/correlation.js';
import type { CorrelationRecord } from '../tracing/store.js';
import type { PipelineRun } from './schema.js';
import { loadRuns } from './store.js';
import { pipelineName } from './summary.js';

/** A stage may report thousands of errors; the first few say what went wrong. */
const MAX_ERRORS_PER_STAGE = 10;

/** The correlation record of a request that carried these runs (their ids; the runs are stored). */
export function correlationRecord(
  request: RequestTrace,
  runs: readonly PipelineRun[],
): CorrelationRecord {
  return {
    correlationId: request.correlationId,
    traceId: request.span.spanContext().traceId,
    requestTime: request.startTime,
    responseTime: new Date(),
    componentPath: 'ingest/pipeline-runs',
    pipelineIds: runs.map((run) => run.pipeline_id),
  };
}

/**
 * What `GET /api/tracing/correlation/{id}` shows of the runs a request carried, read from
 * `pipeline_runs`: each run's summary and stage timings, and the stages that failed or
 * reported errors.
 */
export async function describeRuns(
  db: Database,
  ids: readonly string[],
): Promise<{ runs: unknown[]; errors: unknown[] }> {
  const runs = await loadRuns(db, ids);
  return {
    runs: runs.map((run) => ({
      pipeline_id: run.pipeline_id,
      pipeline: pipelineName(run),
      status: run.status,
      start_time: run.start_time,
      end_time: run.end_time ?? null,
      total_duration_ms: run.total_duration_ms ?? null,
      stages: run.stages.map((stage) => ({
        stage_name: stage.stage_name,
        status: stage.status,
        duration_ms: stage.duration_ms,
        symbols_input: stage.symbols_input,
        symbols_output: stage.symbols_output,
      })),
    })),
    errors: runs.flatMap((run) =>
      run.stages
        .filter((stage) => stage.status === 'failed' || (stage.errors?.length ?? 0) > 0)
        .map((stage) => ({
          pipeline_id: run.pipeline_id,
          stage_name: stage.stage_name,
          errors: (stage.errors ?? []).slice(0, MAX_ERRORS_PER_STAGE),
        })),
    ),
  };
}
