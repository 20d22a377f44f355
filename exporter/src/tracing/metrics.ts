import type { MetricDefinition } from '../metrics/definition.js';

/**
 * The tracing pipeline's own health: spans handed to it, exported, and lost. The counts come
 * from the OpenTelemetry batch span processor's self-observability hooks, so "dropped" is the
 * processor's own count of spans refused because its queue was full.
 */
export const tracingMetrics = {
  spansStarted: {
    name: 'tradewatch_tracing_spans_started_total',
    type: 'counter',
    help: 'Sampled spans started by the exporter (pipeline runs, stages, HTTP requests).',
    labelNames: [],
  },
  spansExported: {
    name: 'tradewatch_tracing_spans_exported_total',
    type: 'counter',
    help: 'Spans the batch span processor handed to the trace exporter successfully.',
    labelNames: [],
  },
  spansDropped: {
    name: 'tradewatch_tracing_spans_dropped_total',
    type: 'counter',
    help: 'Spans dropped because the batch span processor queue was full.',
    labelNames: [],
  },
  spanExportFailures: {
    name: 'tradewatch_tracing_span_export_failures_total',
    type: 'counter',
    help: 'Spans lost because their export to the trace backend failed.',
    labelNames: [],
  },
  queueCapacity: {
    name: 'tradewatch_tracing_span_queue_capacity',
    type: 'gauge',
    help: 'Spans the batch span processor queue holds at most (0 when no trace exporter is configured).',
    labelNames: [],
  },
} as const satisfies Record<string, MetricDefinition>;
