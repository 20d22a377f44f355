import { config, selector } from '../../mixin/config.js';
import { increaseBy, maxBy, percent, rateBy } from './promql.js';
import { componentRules, type AlertSpec, type RecordingRule } from './rule.js';

/** The exporter itself: scraped, storing, accepting ingest, within its series caps. */
const s = config.systemHealth;
const rate = config.windows.rate;

const ingestEvents: RecordingRule = {
  record: `job:tradewatch_ingest_events:rate${rate}`,
  expr: rateBy('tradewatch_ingest_events_total', [], rate),
};
const ingestFailures: RecordingRule = {
  record: `job:tradewatch_ingest_failures:rate${rate}`,
  expr: rateBy('tradewatch_ingest_failures_total', [], rate),
};
/** Refused over all ingest requests; NaN (no alert) when nothing was sent. */
const ingestRejection: RecordingRule = {
  record: `job:tradewatch_ingest_rejections:ratio_rate${rate}`,
  expr: `${ingestFailures.record} / (${ingestEvents.record} + ${ingestFailures.record})`,
};

/** Alerts on any event of a counter within the window (threshold 0: one is too many). */
function anyIncrease(
  name: string,
  metric: string,
  labels: readonly string[],
  policy: typeof s.cardinalityOverflow,
  texts: Pick<AlertSpec, 'summary' | 'description'>,
): AlertSpec {
  return {
    name,
    policy,
    expr: `${increaseBy(metric, labels, policy.window)} > ${policy.threshold}`,
    ...texts,
  };
}

export const exporterDownAlertName = `${config.alertNamePrefix}ExporterDown`;

export const systemHealth = componentRules(
  'system_health',
  [
    {
      name: 'ExporterDown',
      policy: s.exporterDown,
      expr: `${selector('up')} == 0`,
      summary: 'Prometheus cannot scrape the tradewatch exporter.',
      description:
        'Target {{ $labels.instance }} of job {{ $labels.job }} is down: every alert computed' +
        ' from its metrics is blind until it is back.',
    },
    {
      name: 'StorageDown',
      policy: s.storageDown,
      expr: `${maxBy('tradewatch_storage_up', ['instance'])} == 0`,
      summary: 'The exporter cannot write to its database.',
      description:
        'Exporter {{ $labels.instance }} has failed to reach its database; writes are buffered' +
        ' and ingest is refused once the buffer is full.',
    },
    {
      name: 'IngestRejectionsHigh',
      policy: s.ingestRejections,
      expr: `${ingestRejection.record} >= ${s.ingestRejections.threshold}`,
      summary: 'The exporter refuses a large share of ingest requests.',
      description:
        '{{ $value | humanizePercentage }} of ingest requests to job {{ $labels.job }} were refused' +
        ` over ${rate} (threshold ${percent(s.ingestRejections.threshold)}).`,
    },
    anyIncrease(
      'CardinalityOverflow',
      'tradewatch_cardinality_overflow_total',
      ['metric'],
      s.cardinalityOverflow,
      {
        summary: 'A metric reached its series cap and new label sets go to its overflow series.',
        description:
          'Metric {{ $labels.metric }} sent {{ $value | humanize }} updates to its overflow series' +
          ` in the last ${s.cardinalityOverflow.window}.`,
      },
    ),
    anyIncrease('SpansDropped', 'tradewatch_tracing_spans_dropped_total', [], s.spansDropped, {
      summary: 'The exporter dropped trace spans because its span queue was full.',
      description:
        'Job {{ $labels.job }} dropped {{ $value | humanize }} spans in the last' +
        ` ${s.spansDropped.window}.`,
    }),
    {
      name: 'Watchdog',
      policy: s.watchdog,
      expr: 'vector(1)',
      summary: 'Always firing: proves that alerts reach Alertmanager and its receivers.',
      description:
        "This alert fires all the time. The dead man's switch receiver pages when it stops arriving.",
    },
  ],
  [ingestEvents, ingestFailures, ingestRejection],
);
