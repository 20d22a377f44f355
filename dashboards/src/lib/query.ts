import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { settings } from './settings.js';

/**
 * Every query goes to the data source the `datasource` variable selects: a provisioned
 * dashboard must not name a data source uid, which differs between Grafana installations.
 */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

/** The `job` and `instance` variables, in the matcher every tradewatch series is selected by. */
export const TARGET_MATCHERS = 'job=~"$job", instance=~"$instance"';

/**
 * For series aggregated `by (job)` (recording rules): they have no `instance` label, which
 * `|` matches, so choosing an instance keeps the job-wide series in view instead of hiding them.
 */
export const JOB_WIDE_MATCHERS = 'job=~"$job", instance=~"$instance|"';

/** `metric{job=~"$job", instance=~"$instance", <extra>}` */
export function series(metric: string, extra?: string): string {
  return `${metric}{${TARGET_MATCHERS}${extra ? `, ${extra}` : ''}}`;
}

/**
 * `rate(...)` over `$__rate_interval`: Grafana keeps that at least four scrape intervals, so a
 * rate never has fewer than two samples, whatever the dashboard's time range.
 */
export function rate(metric: string, extra?: string): string {
  return `rate(${series(metric, extra)}[$__rate_interval])`;
}

/** `increase(...)` over `$__rate_interval`, for counts per step (bars, heatmaps). */
export function increase(metric: string, extra?: string): string {
  return `increase(${series(metric, extra)}[$__rate_interval])`;
}

/** Quantile `q` of a histogram by `by`, from the rate of its buckets. */
export function quantile(q: number, histogram: string, by: string, extra?: string): string {
  const buckets = rate(`${histogram}_bucket`, extra);
  return `histogram_quantile(${q}, sum by (le, ${by}) (${buckets}))`;
}

/**
 * Quantile of a histogram the exporter recomputes whole from its tables at each pass (a
 * distribution as it stands, not events over time): its buckets are read as they are, since a
 * rate would only show the moments the distribution changed.
 */
export function snapshotQuantile(q: number, histogram: string, by: string): string {
  return `histogram_quantile(${q}, sum by (le, ${by}) (${series(`${histogram}_bucket`)}))`;
}

/** Age in seconds of a Unix-timestamp gauge (exported as a time, not an age: see the catalogue). */
export function age(metric: string, extra?: string): string {
  return `time() - ${series(metric, extra)}`;
}

export interface TargetOptions {
  /** Instant query: stat, gauge, bar gauge and table panels show the latest value only. */
  instant?: boolean;
  /** Ask for exemplars (trace ids on histogram buckets), shown as points linking to Tempo. */
  exemplar?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  refId?: string;
}

const FORMATS = {
  time_series: PromQueryFormat.TimeSeries,
  table: PromQueryFormat.Table,
  heatmap: PromQueryFormat.Heatmap,
} as const;

/** A Prometheus target on the `datasource` variable. */
export function target(
  expr: string,
  legend: string,
  options: TargetOptions = {},
): DataqueryBuilder {
  const query = new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend);
  if (options.instant) query.instant();
  else query.range();
  if (options.exemplar) query.exemplar(true);
  if (options.format) query.format(FORMATS[options.format]);
  if (options.refId) query.refId(options.refId);
  return query;
}

/**
 * Prometheus' own `ALERTS` series of the bundle's alerts. Alerts aggregated by job carry no
 * `instance` label, and the Watchdog neither: `|` also matches the empty label, so choosing an
 * instance keeps the job-wide alerts in view instead of hiding them.
 */
export function alerts(extra: string): string {
  const prefix = settings.alertNamePrefix;
  return `ALERTS{alertname=~"${prefix}.*", job=~"$job|", instance=~"$instance|", ${extra}}`;
}
