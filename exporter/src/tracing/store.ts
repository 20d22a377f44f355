import type { Database } from '../storage/database.js';
import type { WriteOp } from '../storage/write-buffer.js';

/** One request's entry in `correlation_tracking` (migration 10). */
export interface CorrelationRecord {
  correlationId: string;
  traceId: string;
  requestTime: Date;
  responseTime: Date;
  componentPath: string;
  /** What the request carried, one entry per unit of work (a pipeline run and its stages). */
  work: unknown[];
  errors: unknown[];
}

/** Stores the record; a later request reusing the id appends its work and errors. */
export function saveCorrelation(record: CorrelationRecord): WriteOp {
  return {
    sql: `INSERT INTO correlation_tracking (correlation_id, trace_id, request_timestamp,
            response_timestamp, component_path, performance_metrics, error_info)
          VALUES ($1, $2, $3, $4, $5, $6, $7)
          ON CONFLICT (correlation_id) DO UPDATE
            SET response_timestamp = EXCLUDED.response_timestamp,
                performance_metrics = correlation_tracking.performance_metrics || EXCLUDED.performance_metrics,
                error_info = correlation_tracking.error_info || EXCLUDED.error_info`,
    params: [
      record.correlationId,
      record.traceId,
      record.requestTime.toISOString(),
      record.responseTime.toISOString(),
      record.componentPath,
      JSON.stringify(record.work),
      JSON.stringify(record.errors),
    ],
  };
}

interface CorrelationRow {
  correlation_id: string;
  trace_id: string;
  request_timestamp: Date;
  response_timestamp: Date;
  component_path: string;
  performance_metrics: unknown[];
  error_info: unknown[];
  metadata: Record<string, unknown>;
}

/** The record filed under a correlation id, or (when the id is a trace id) under its trace. */
export async function loadCorrelation(db: Database, id: string): Promise<CorrelationRow[]> {
  return db.query<CorrelationRow>(
    `SELECT * FROM correlation_tracking WHERE correlation_id = $1 OR trace_id = $1
      ORDER BY request_timestamp LIMIT 100`,
    [id],
  );
}
