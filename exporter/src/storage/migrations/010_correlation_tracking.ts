import type { Migration } from '../migrations.js';

/**
 * Document 004's `correlation_tracking`, one row per request that carried pipeline runs: the
 * correlation id, the request's times and the component that handled it. The runs themselves
 * (stage timings, errors) are not copied: `pipeline_ids` points at them in `pipeline_runs`, so
 * the lookup shows each run as stored. Added to document 004's columns: `trace_id` (the
 * OpenTelemetry trace the work was recorded in; the correlation id unless the caller chose
 * its own), and a JSONB array of ids, so a caller reusing an id appends instead of overwriting.
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
    pipeline_ids JSONB NOT NULL DEFAULT '[]',
    metadata JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_correlation_tracking_trace ON correlation_tracking (trace_id);
CREATE INDEX idx_correlation_tracking_request ON correlation_tracking (request_timestamp);
`,
};
