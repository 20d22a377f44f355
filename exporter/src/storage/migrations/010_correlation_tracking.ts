import type { Migration } from '../migrations.js';

/**
 * Document 004's `correlation_tracking`: per correlation id, the request's times, the component
 * that handled it and the work it carried (pipeline runs with their stage timings, and their
 * errors), for `GET /api/tracing/correlation/{id}`. Two additions: `trace_id` (the
 * OpenTelemetry trace the work was recorded in; equal to the correlation id unless the caller
 * chose its own id) and JSONB arrays, so that a caller reusing an id appends instead of
 * overwriting.
 */
export const correlationTracking: Migration = {
  version: 10,
  name: 'correlation_tracking',
  sql: `
CREATE TABLE correlation_tracking (
    correlation_id TEXT PRIMARY KEY,
    trace_id VARCHAR(32) NOT NULL,
    request_timestamp TIMESTAMPTZ NOT NULL,
    response_timestamp TIMESTAMPTZ NOT NULL,
    component_path TEXT NOT NULL,
    performance_metrics JSONB NOT NULL DEFAULT '[]',
    error_info JSONB NOT NULL DEFAULT '[]',
    metadata JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_correlation_tracking_trace ON correlation_tracking (trace_id);
CREATE INDEX idx_correlation_tracking_request ON correlation_tracking (request_timestamp);
`,
};
