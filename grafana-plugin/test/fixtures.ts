/**
 * Document 000's sample run (section 1.1) as Prometheus would return the exporter's per-stage
 * metrics, in both shapes: one frame per series, and one table frame with a stage column.
 */
import { createDataFrame, type DataFrame, FieldType } from '@grafana/data';

export interface StageRun {
  stage: string;
  input: number;
  output: number;
  reasons: Record<string, number>;
}

export const RUN: StageRun[] = [
  { stage: 'universe_loading', input: 2847, output: 2847, reasons: {} },
  {
    stage: 'price_filtering',
    input: 2847,
    output: 1249,
    reasons: { price_too_high: 1432, price_too_low: 166 },
  },
  {
    stage: 'volume_filtering',
    input: 1249,
    output: 87,
    reasons: { insufficient_volume_spike: 1162 },
  },
  {
    stage: 'squeeze_detection',
    input: 87,
    output: 12,
    reasons: { low_vigl_score: 42, high_wolf_risk: 33 },
  },
  { stage: 'final_ranking', input: 12, output: 8, reasons: {} },
];

const T0 = 1_756_910_000_000;

/** One time series frame: a time field and a value field carrying the series' labels. */
export function seriesFrame(
  refId: string,
  labels: Record<string, string>,
  values: Array<number | null>,
): DataFrame {
  return createDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => T0 + i * 60_000) },
      { name: 'Value', type: FieldType.number, values, labels },
    ],
  });
}

/** Time series shape, as a range query of plain selectors returns it (`__name__` kept). */
export function perStageFrames(pipeline = 'discovery'): DataFrame[] {
  const frames: DataFrame[] = [];
  for (const s of RUN) {
    for (const [metric, value] of [
      ['tradewatch_pipeline_stage_symbols_input', s.input],
      ['tradewatch_pipeline_stage_symbols_output', s.output],
    ] as const) {
      // An earlier run's value first: the panel must take the latest.
      frames.push(
        seriesFrame(
          metric.endsWith('input') ? 'A' : 'B',
          { __name__: metric, pipeline, stage: s.stage },
          [value + 5, value],
        ),
      );
    }
    for (const [reason, count] of Object.entries(s.reasons)) {
      frames.push(seriesFrame('C', { pipeline, stage: s.stage, reason }, [count]));
    }
  }
  return frames;
}

/**
 * Table shape (instant query, format table): one frame per query, one row per series. Plain
 * selectors keep a `__name__` column; after `sum by (stage)` only the refId tells them apart.
 */
export function tableFrames(withNames: boolean): DataFrame[] {
  const names = (metric: string) =>
    withNames ? [{ name: '__name__', type: FieldType.string, values: RUN.map(() => metric) }] : [];
  const reasons = RUN.flatMap((s) =>
    Object.entries(s.reasons).map(([reason, count]) => ({ stage: s.stage, reason, count })),
  );
  return [
    createDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: RUN.map(() => T0) },
        ...names('tradewatch_pipeline_stage_symbols_input'),
        { name: 'stage', type: FieldType.string, values: RUN.map((s) => s.stage) },
        { name: 'Value #A', type: FieldType.number, values: RUN.map((s) => s.input) },
      ],
    }),
    createDataFrame({
      refId: 'B',
      fields: [
        { name: 'Time', type: FieldType.time, values: RUN.map(() => T0) },
        ...names('tradewatch_pipeline_stage_symbols_output'),
        { name: 'stage', type: FieldType.string, values: RUN.map((s) => s.stage) },
        { name: 'Value #B', type: FieldType.number, values: RUN.map((s) => s.output) },
      ],
    }),
    createDataFrame({
      refId: 'C',
      fields: [
        { name: 'Time', type: FieldType.time, values: reasons.map(() => T0) },
        { name: 'stage', type: FieldType.string, values: reasons.map((r) => r.stage) },
        { name: 'reason', type: FieldType.string, values: reasons.map((r) => r.reason) },
        { name: 'Value #C', type: FieldType.number, values: reasons.map((r) => r.count) },
      ],
    }),
  ];
}
