import { boundary, series, type ComponentCases } from '../rules-harness.js';

const J = { job: 'tradewatch' };
const INSTANCE = { ...J, instance: 'exporter:9473' };

/** Ingest counters growing by `events` and `failures` a minute. */
const ingest = (events: number, failures: number) => ({
  [series('tradewatch_ingest_events_total', { kind: 'tick' })]: `0+${events}x20`,
  [series('tradewatch_ingest_failures_total', { kind: 'tick', reason: 'invalid' })]:
    `0+${failures}x20`,
});

export const systemHealth: ComponentCases = {
  component: 'system_health',
  groups: [
    {
      name: 'exporter target down for 2m, storage down for 5m, watchdog',
      series: {
        [series('up')]: '1 0x6',
        [series('tradewatch_storage_up')]: '1 0x6',
      },
      alerts: [
        ...boundary(
          'TradewatchExporterDown',
          '2m',
          '3m',
          INSTANCE,
          'Target exporter:9473 of job tradewatch is down: every alert computed from its metrics is blind until it is back.',
        ),
        ...boundary(
          'TradewatchStorageDown',
          '5m',
          '6m',
          INSTANCE,
          'Exporter exporter:9473 has failed to reach its database; writes are buffered and ingest is refused once the buffer is full.',
        ),
        {
          alert: 'TradewatchWatchdog',
          at: '0m',
          fires: [
            {
              labels: {},
              description:
                "This alert fires all the time. The dead man's switch receiver pages when it stops arriving.",
            },
          ],
        },
      ],
    },
    {
      // 15 refused for 285 accepted a minute: exactly 5% (rates 0.25/s and 4.75/s are exact
      // binary fractions, so the boundary is not blurred by rounding), for 10m.
      name: 'ingest rejections at 5%, and the recorded rates',
      series: ingest(285, 15),
      alerts: boundary(
        'TradewatchIngestRejectionsHigh',
        '10m',
        '11m',
        J,
        '5% of ingest requests to job tradewatch were refused over 5m (threshold 5%).',
      ),
      records: [
        ['job:tradewatch_ingest_events:rate5m', 4.75],
        ['job:tradewatch_ingest_failures:rate5m', 0.25],
        ['job:tradewatch_ingest_rejections:ratio_rate5m', 0.05],
      ].map(([record, value]) => ({
        record: String(record),
        at: '10m',
        samples: [{ labels: J, value: Number(value) }],
      })),
    },
    {
      name: 'ingest rejections just under 5% never fire',
      series: ingest(286, 15),
      alerts: [{ alert: 'TradewatchIngestRejectionsHigh', at: '20m', fires: [] }],
    },
    {
      name: 'cardinality overflow and dropped spans within 15m',
      series: {
        [series('tradewatch_cardinality_overflow_total', {
          metric: 'tradewatch_position_return_ratio',
        })]: '0x16 1',
        [series('tradewatch_tracing_spans_dropped_total')]: '0x16 1',
      },
      alerts: [
        ...boundary(
          'TradewatchCardinalityOverflow',
          '16m',
          '17m',
          { ...J, metric: 'tradewatch_position_return_ratio' },
          'Metric tradewatch_position_return_ratio sent 1 updates to its overflow series in the last 15m.',
        ),
        ...boundary(
          'TradewatchSpansDropped',
          '16m',
          '17m',
          J,
          'Job tradewatch dropped 1 spans in the last 15m.',
        ),
      ],
    },
  ],
};
