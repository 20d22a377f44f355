/**
 * Query results → per-stage numbers. Prometheus answers the exporter's per-stage metrics in two
 * shapes, and both are read here:
 *
 * - one frame per series (time series, or "wide" after a join): each numeric field carries the
 *   stage in its labels (`{stage="price_filtering"}`), or in its display name when the legend
 *   is `{{stage}}` and the labels were dropped;
 * - one frame with a stage column (table format, "long"): one row per stage and, for the
 *   eliminations, per reason.
 *
 * Which metric a value is (stage input, output, eliminations) comes from the query's refId when
 * the options map it, else from the metric name, else from a reason label; anything left is
 * taken as the stage's output, the count a plain funnel shows.
 */
import { type DataFrame, type Field, FieldType, getFieldDisplayName } from '@grafana/data';

import type { FunnelOptions } from '../types';

export type ValueRole = 'input' | 'output' | 'eliminations';

/** Where a number came from, so its data links can be resolved for that very value. */
export interface ValueSource {
  field: Field;
  rowIndex: number;
}

export interface StageValues {
  name: string;
  /** Symbols that entered the stage; NaN when the series had no usable number. */
  input?: number;
  /** Symbols that left the stage; NaN when the series had no usable number. */
  output?: number;
  /** Eliminations by reason, in order of first appearance. */
  reasons: Map<string, number>;
  /** Sources of output values first, then input values: the first one with links wins. */
  sources: ValueSource[];
}

type RoleOptions = Pick<FunnelOptions, 'inputQuery' | 'outputQuery' | 'eliminationsQuery'>;
type LabelOptions = Pick<FunnelOptions, 'stageLabel' | 'reasonLabel'>;

/** Reason shown for eliminations whose series has no reason label. */
export const UNSPECIFIED_REASON = 'unspecified';

export function valueRole(
  frame: DataFrame,
  field: Field,
  metricName: string | undefined,
  hasReason: boolean,
  options: RoleOptions,
): ValueRole {
  const refId = frame.refId ?? '';
  if (refId !== '') {
    if (refId === options.inputQuery) return 'input';
    if (refId === options.outputQuery) return 'output';
    if (refId === options.eliminationsQuery) return 'eliminations';
  }
  // `__name__` survives plain selectors (as a label, or a column in table format); renamed
  // series may still carry the metric in their field or frame name.
  const names = [metricName ?? field.labels?.['__name__'], field.name, frame.name].join(' ');
  if (names.includes('symbols_input')) return 'input';
  if (names.includes('symbols_output')) return 'output';
  // The latest run's gauge (…_symbols_eliminated) or the counter (…_eliminations_total).
  if (names.includes('symbols_eliminated') || names.includes('eliminations')) {
    return 'eliminations';
  }
  return hasReason ? 'eliminations' : 'output';
}

/**
 * The stage's number in a time series is its latest one (the gauges describe the latest run);
 * a series with no finite number yields NaN, so the panel can say so instead of inventing 0.
 */
export function latestValue(field: Field): { value: number; rowIndex: number } {
  const values = field.values;
  for (let i = values.length - 1; i >= 0; i--) {
    const v: unknown = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) return { value: v, rowIndex: i };
  }
  return { value: Number.NaN, rowIndex: Math.max(values.length - 1, 0) };
}

function findStringField(frame: DataFrame, name: string): Field | undefined {
  const wanted = name.toLowerCase();
  return frame.fields.find((f) => f.type === FieldType.string && f.name.toLowerCase() === wanted);
}

function asNumber(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

class StageCollector {
  readonly stages = new Map<string, StageValues>();

  add(
    stage: string,
    role: ValueRole,
    value: number,
    source: ValueSource,
    reason: string | undefined,
  ): void {
    let entry = this.stages.get(stage);
    if (!entry) {
      entry = { name: stage, reasons: new Map(), sources: [] };
      this.stages.set(stage, entry);
    }
    if (role === 'eliminations') {
      const key = reason ?? UNSPECIFIED_REASON;
      // Several series for one reason (instances, pipelines) add up, like `sum by`.
      entry.reasons.set(key, (entry.reasons.get(key) ?? 0) + value);
      return;
    }
    // Summing keeps NaN: a stage whose series had no number stays flagged.
    entry[role] = (entry[role] ?? 0) + value;
    if (role === 'output') entry.sources.unshift(source);
    else entry.sources.push(source);
  }
}

export function extractStages(
  frames: DataFrame[],
  options: RoleOptions & LabelOptions,
): StageValues[] {
  const collector = new StageCollector();
  for (const frame of frames) {
    const stageColumn = findStringField(frame, options.stageLabel);
    const reasonColumn = findStringField(frame, options.reasonLabel);
    const nameColumn = findStringField(frame, '__name__');
    const numeric = frame.fields.filter((f) => f.type === FieldType.number);

    for (const field of numeric) {
      const labelReason = field.labels?.[options.reasonLabel];
      if (stageColumn) {
        for (let row = 0; row < frame.length; row++) {
          const stage: unknown = stageColumn.values[row];
          if (typeof stage !== 'string' || stage === '') continue;
          const rowReason: unknown = reasonColumn?.values[row];
          const reason =
            typeof rowReason === 'string' && rowReason !== '' ? rowReason : labelReason;
          const metric: unknown = nameColumn?.values[row];
          const metricName = typeof metric === 'string' ? metric : undefined;
          const role = valueRole(frame, field, metricName, reason !== undefined, options);
          collector.add(stage, role, asNumber(field.values[row]), { field, rowIndex: row }, reason);
        }
        continue;
      }
      const stage = field.labels?.[options.stageLabel] ?? getFieldDisplayName(field, frame, frames);
      const role = valueRole(frame, field, undefined, labelReason !== undefined, options);
      const { value, rowIndex } = latestValue(field);
      collector.add(stage, role, value, { field, rowIndex }, labelReason);
    }
  }
  return [...collector.stages.values()];
}
