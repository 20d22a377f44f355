import type { Database } from '../storage/database.js';
import type { WriteOp } from '../storage/write-buffer.js';

/** One request's entry in `correlation_tracking` (migration 10). */
export interface CorrelationRecord {
  correlationId: string;
  traceId: string;
  requestTime: Date;
  responseTime: Date;
  componentPath: string;
  /** The pipeline runs the request carried, by `pipeline_id` (stored in `pipeline_runs`). */
  pipelineIds: string[];
}

/** Stores the record; a later request reusing the id appends its runs. */
export function saveCorrelation(record: CorrelationRecord): WriteOp {
  return {
    sql: `INSERT INTO correlation_tracking (correlation_id, trace_id, request_timestamp,
            response_timestamp, component_path, pipeline_ids)
          VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (correlation_id) DO UPDATE
            SET response_timestamp = EXCLUDED.response_timestamp,
                pipeline_ids = correlation_tracking.pipeline_ids || EXCLUDED.pipeline_ids`,
    params: [
      record.correlationId,
      record.traceId,
      record.requestTime.toISOString(),
      record.responseTime.toISOString(),
      record.componentPath,
      JSON.stringify(record.pipelineIds),
    ],
  };
}

export interface CorrelationRow {
  correlation_id: string;
  trace_id: string;
  request_timestamp: Date;
  response_timestamp: Date;
  component_path: string;
  pipeline_ids: string[];
}

/** The records filed under a correlation id, or (when the id is a trace id) under its trace. */
export async function loadCorrelation(db: Database, id: string): Promise<CorrelationRow[]> {
  return db.query<CorrelationRow>(
    `SELECT correlation_id, trace_id, request_timestamp, response_timestamp, component_path,
            pipeline_ids
       FROM correlation_tracking WHERE correlation_id = $1 OR trace_id = $1
      ORDER BY request_timestamp LIMIT 100`,
    [id],
  );
}
