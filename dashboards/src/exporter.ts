import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { booleanMapping, stateTimelinePanel, tablePanel, timeseriesPanel } from './lib/panels.js';
import { quantile, rate, series, target } from './lib/query.js';
import { UID } from './lib/uids.js';

const ops = (title: string, description: string, exprs: [string, string][]) =>
  timeseriesPanel({
    title,
    description,
    unit: 'ops',
    targets: exprs.map(([expr, legend]) => target(expr, legend)),
    width: 8,
  });

/** The exporter's own health (document 004's real-time system health). */
export function exporter(): Dashboard {
  return buildDashboard({
    uid: UID.exporter,
    title: 'tradewatch / Exporter',
    description:
      'The tradewatch exporter itself: ingest, scrapes, storage and its buffer, cardinality, tracing, event loop and memory.',
    tags: ['exporter'],
    from: 'now-3h',
    rows: [
      {
        title: 'Ingest and HTTP',
        panels: [
          ops(
            'Ingest rate',
            'Events accepted by the ingest API per second, by kind; duplicates are client retries ignored.',
            [
              [`sum by (kind) (${rate('tradewatch_ingest_events_total')})`, '{{kind}}'],
              [`sum (${rate('tradewatch_ingest_duplicates_total')})`, 'duplicates'],
            ],
          ),
          ops(
            'Ingest rejections',
            'Ingest requests refused per second, by kind and reason (invalid, unauthorized, too_large, rate_limited...).',
            [
              [
                `sum by (kind, reason) (${rate('tradewatch_ingest_failures_total')})`,
                '{{kind}} {{reason}}',
              ],
            ],
          ),
          timeseriesPanel({
            title: 'Request duration p95',
            description: 'p95 time to answer HTTP requests, by route; points are trace exemplars.',
            unit: 's',
            targets: [
              target(
                quantile(0.95, 'tradewatch_http_request_duration_seconds', 'route'),
                '{{route}}',
                {
                  exemplar: true,
                },
              ),
            ],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Scrape duration',
            description:
              "How long Prometheus took to scrape the exporter (its own scrape_duration_seconds), and the exporter's p95 for GET /metrics.",
            unit: 's',
            targets: [
              target(series('scrape_duration_seconds'), 'scrape {{instance}}'),
              target(
                quantile(
                  0.95,
                  'tradewatch_http_request_duration_seconds',
                  'route',
                  'route="/metrics"',
                ),
                'p95 /metrics',
                {
                  exemplar: true,
                },
              ),
            ],
            width: 12,
          }),
          ops('HTTP requests', 'HTTP requests answered per second, by route and status code.', [
            [
              `sum by (route, code) (${rate('tradewatch_http_requests_total')})`,
              '{{route}} {{code}}',
            ],
          ]),
          tablePanel({
            title: 'Build',
            description: 'Exporter and Node.js versions of each instance.',
            unit: 'none',
            targets: [
              target(series('tradewatch_build_info'), 'build', { instant: true, format: 'table' }),
            ],
            width: 4,
          }),
        ],
      },
      {
        title: 'Storage',
        panels: [
          stateTimelinePanel({
            title: 'Database',
            description:
              'Whether the latest database write or check succeeded (writes are buffered while down), and whether this replica is the leader.',
            unit: 'none',
            targets: [
              target(series('tradewatch_storage_up'), 'up {{instance}}'),
              target(series('tradewatch_storage_leader'), 'leader {{instance}}'),
            ],
            mappings: booleanMapping(['no', 'red'], ['yes', 'green']),
            width: 8,
          }),
          timeseriesPanel({
            title: 'Write buffer',
            description:
              'Writes waiting in the buffer, against its capacity: past it ingest answers 503.',
            unit: 'short',
            targets: [
              target(series('tradewatch_storage_buffer_events'), 'buffered {{instance}}'),
              target(series('tradewatch_storage_buffer_capacity_events'), 'limit'),
            ],
            limits: ['limit'],
            width: 8,
          }),
          ops(
            'Database writes',
            'Writes committed, failed attempts to reach the database, and writes it refused as invalid, per second.',
            [
              [`sum (${rate('tradewatch_storage_writes_total')})`, 'committed'],
              [`sum (${rate('tradewatch_storage_write_failures_total')})`, 'failed attempts'],
              [`sum (${rate('tradewatch_storage_rejected_writes_total')})`, 'rejected'],
            ],
          ),
          timeseriesPanel({
            title: 'Flush duration p95',
            description: 'p95 duration of the batch writes that committed (one transaction each).',
            unit: 's',
            targets: [
              target(
                quantile(0.95, 'tradewatch_storage_flush_duration_seconds', 'instance'),
                '{{instance}}',
                {
                  exemplar: true,
                },
              ),
            ],
            width: 12,
          }),
          ops(
            'Retention deletions',
            'Rows the retention job deleted per second, by table (leader only).',
            [
              [
                `sum by (table) (${rate('tradewatch_storage_retention_deleted_rows_total')})`,
                '{{table}}',
              ],
            ],
          ),
        ],
      },
      {
        title: 'Cardinality and tracing',
        panels: [
          ops(
            'Cardinality overflow',
            'Updates sent to the overflow series per second because a metric reached its series cap, by metric.',
            [[`sum by (metric) (${rate('tradewatch_cardinality_overflow_total')})`, '{{metric}}']],
          ),
          ops(
            'Spans',
            'Sampled spans started and exported per second, and spans lost: dropped on a full queue or failed to export.',
            [
              [`sum (${rate('tradewatch_tracing_spans_started_total')})`, 'started'],
              [`sum (${rate('tradewatch_tracing_spans_exported_total')})`, 'exported'],
              [`sum (${rate('tradewatch_tracing_spans_dropped_total')})`, 'dropped'],
              [`sum (${rate('tradewatch_tracing_span_export_failures_total')})`, 'export failed'],
            ],
          ),
          timeseriesPanel({
            title: 'Span queue capacity',
            description:
              'Spans the batch span processor queue holds at most (0 when no trace exporter is configured).',
            unit: 'short',
            targets: [target(series('tradewatch_tracing_span_queue_capacity'), '{{instance}}')],
            width: 8,
          }),
        ],
      },
      {
        title: 'Process',
        panels: [
          timeseriesPanel({
            title: 'Event-loop lag',
            description:
              'Node.js event-loop lag (mean and p99): ingest and scrapes wait this long before they run.',
            unit: 's',
            targets: [
              target(series('nodejs_eventloop_lag_mean_seconds'), 'mean {{instance}}'),
              target(series('nodejs_eventloop_lag_p99_seconds'), 'p99 {{instance}}'),
            ],
            width: 12,
          }),
          timeseriesPanel({
            title: 'Memory',
            description: 'Resident memory of the process and the V8 heap in use.',
            unit: 'bytes',
            targets: [
              target(series('process_resident_memory_bytes'), 'resident {{instance}}'),
              target(series('nodejs_heap_size_used_bytes'), 'heap used {{instance}}'),
            ],
            width: 12,
          }),
        ],
      },
    ],
  });
}
