import { selector } from '../../mixin/config.js';

/**
 * Small PromQL builders the component modules share, so that every rule aggregates and joins
 * the same way: series of one exporter job are reduced `by (job, <labels>)` (replicas report the
 * same engine or source; `max` keeps the most recent view) and compared with the exporter's
 * threshold gauges joined on `job`.
 */

/** `max by (job, labels...) (metric{job="tradewatch", matchers...})`. */
export function maxBy(metric: string, labels: readonly string[], ...matchers: string[]): string {
  return `max by (${['job', ...labels].join(', ')}) (${selector(metric, ...matchers)})`;
}

/** `sum by (job, labels...) (increase(metric{...}[window]))`: events counted over a window. */
export function increaseBy(metric: string, labels: readonly string[], window: string): string {
  return `sum by (${['job', ...labels].join(', ')}) (increase(${selector(metric)}[${window}]))`;
}

/** `sum by (job, labels...) (rate(metric{...}[window]))`. */
export function rateBy(metric: string, labels: readonly string[], window: string): string {
  return `sum by (${['job', ...labels].join(', ')}) (rate(${selector(metric)}[${window}]))`;
}

/** Seconds since a timestamp gauge, per `labels`: `time() - max by (...) (metric)`. */
export function ageBy(timestampMetric: string, labels: readonly string[]): string {
  return `time() - ${maxBy(timestampMetric, labels)}`;
}

/**
 * The age a timestamp gauge had when it was scraped, per `labels`: `timestamp(m) - m`. Unlike
 * `ageBy` it does not grow between scrapes, so a threshold shorter than the scrape interval
 * plus the evaluation delay still means what it says; a target that stops being scraped is
 * ExporterDown's business.
 */
export function ageAtScrapeBy(timestampMetric: string, labels: readonly string[]): string {
  const m = selector(timestampMetric);
  return `max by (${['job', ...labels].join(', ')}) (timestamp(${m}) - ${m})`;
}

/**
 * `value <op> on (job) group_left max by (job) (thresholdGauge)`: compares a per-series value
 * with one of the exporter's published thresholds (a gauge without labels of its own). The
 * result keeps the left side's labels and value, so descriptions can print it.
 */
export function comparedWithGauge(
  value: string,
  op: '>' | '>=',
  thresholdGauge: string,
  ...matchers: string[]
): string {
  return `${value} ${op} on (job) group_left ${maxBy(thresholdGauge, [], ...matchers)}`;
}

/** `comparedWithGauge` against `factor` times the gauge (`max by (job) (gauge) * factor`). */
export function comparedWithGaugeTimes(
  value: string,
  op: '>' | '>=',
  thresholdGauge: string,
  factor: number,
): string {
  return `${comparedWithGauge(value, op, thresholdGauge)} * ${factor}`;
}

/** Wraps an expression in parentheses when it is not a single term, for safe composition. */
export function paren(expr: string): string {
  return `(${expr})`;
}

/** A ratio as a percentage for text (0.05 -> "5%"), without floating-point noise. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 1e6) / 1e4}%`;
}
