import { createDataFrame, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import { buildFunnel, orderStages } from '../src/funnel/compute';
import { extractStages, latestValue } from '../src/funnel/extract';
import { defaultOptions } from '../src/types';
import { perStageFrames, RUN, seriesFrame, tableFrames } from './fixtures';

const expected = RUN.map((s) => ({
  name: s.stage,
  input: s.input,
  output: s.output,
  reasons: Object.entries(s.reasons),
}));

function summary(frames: Parameters<typeof extractStages>[0], options = defaultOptions) {
  return extractStages(frames, options).map((s) => ({
    name: s.name,
    input: s.input,
    output: s.output,
    reasons: [...s.reasons],
  }));
}

describe('frame shapes', () => {
  it('one frame per stage and metric (time series, labels), latest value', () => {
    expect(summary(perStageFrames())).toEqual(expected);
  });

  it('one table frame per query with stage and __name__ columns', () => {
    expect(summary(tableFrames(true))).toEqual(expected);
  });

  it('table frames without metric names: roles from the refId options', () => {
    const options = {
      ...defaultOptions,
      inputQuery: 'A',
      outputQuery: 'B',
      eliminationsQuery: 'C',
    };
    expect(summary(tableFrames(false), options)).toEqual(expected);
  });

  it('table frames without metric names or mapping: reasons still recognised, the rest are outputs', () => {
    const stages = summary(tableFrames(false));
    expect(stages.find((s) => s.name === 'price_filtering')).toEqual({
      name: 'price_filtering',
      input: undefined,
      output: 2847 + 1249, // both unnamed queries look like counts: the README says to map them
      reasons: [
        ['price_too_high', 1432],
        ['price_too_low', 166],
      ],
    });
  });

  it('wide: one frame with a field per stage, named by the legend (`{{stage}}`)', () => {
    const wide = createDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: [1, 2] },
        {
          name: 'Value',
          type: FieldType.number,
          values: [1000, 900],
          config: { displayNameFromDS: 'loaded' },
        },
        {
          name: 'Value',
          type: FieldType.number,
          values: [100, 90],
          config: { displayNameFromDS: 'filtered' },
        },
      ],
    });
    const stages = extractStages([wide], defaultOptions);
    expect(stages.map((s) => [s.name, s.output])).toEqual([
      ['loaded', 900],
      ['filtered', 90],
    ]);
    expect(buildFunnel(orderStages(stages, defaultOptions)).stages[1]!.fromPrevious).toBe(0.1);
  });

  it('a custom stage label', () => {
    const frames = [seriesFrame('A', { step: 's1' }, [10]), seriesFrame('A', { step: 's2' }, [4])];
    expect(summary(frames, { ...defaultOptions, stageLabel: 'step' }).map((s) => s.name)).toEqual([
      's1',
      's2',
    ]);
  });

  it('sums several series of one stage (instances) and eliminations without a reason', () => {
    const frames = [
      seriesFrame(
        'A',
        { __name__: 'tradewatch_pipeline_stage_symbols_output', stage: 'x', instance: 'a' },
        [3],
      ),
      seriesFrame(
        'A',
        { __name__: 'tradewatch_pipeline_stage_symbols_output', stage: 'x', instance: 'b' },
        [4],
      ),
      seriesFrame(
        'C',
        { __name__: 'tradewatch_pipeline_stage_eliminations_total', stage: 'x' },
        [2],
      ),
    ];
    expect(summary(frames)).toEqual([
      { name: 'x', input: undefined, output: 7, reasons: [['unspecified', 2]] },
    ]);
  });

  it("recognises the latest run's eliminated-symbols gauge by its name, even without a reason", () => {
    const frames = [
      seriesFrame('A', { __name__: 'tradewatch_pipeline_stage_symbols_output', stage: 'x' }, [6]),
      seriesFrame(
        'Z',
        { __name__: 'tradewatch_pipeline_stage_symbols_eliminated', stage: 'x' },
        [4],
      ),
    ];
    expect(summary(frames)).toEqual([
      { name: 'x', input: undefined, output: 6, reasons: [['unspecified', 4]] },
    ]);
  });

  it('keeps the output series first among the link sources', () => {
    const [s] = extractStages(perStageFrames().slice(0, 2), defaultOptions);
    expect(s!.sources.map((src) => src.field.labels?.['__name__'])).toEqual([
      'tradewatch_pipeline_stage_symbols_output',
      'tradewatch_pipeline_stage_symbols_input',
    ]);
  });
});

describe('bad values', () => {
  it('latest finite value, NaN when there is none', () => {
    const field = (values: unknown[]) => ({
      name: 'v',
      type: FieldType.number,
      config: {},
      values,
    });
    expect(latestValue(field([1, 2, null, Number.NaN]))).toEqual({ value: 2, rowIndex: 1 });
    expect(latestValue(field([null, Number.NaN])).value).toBeNaN();
    expect(latestValue(field([])).value).toBeNaN();
  });

  it('NaN and null cells in a table', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'stage', type: FieldType.string, values: ['a', 'b', '', null] },
        { name: 'Value', type: FieldType.number, values: [Number.NaN, null, 5, 5] },
      ],
    });
    const stages = extractStages([frame], defaultOptions);
    expect(stages.map((s) => s.name)).toEqual(['a', 'b']);
    expect(stages.every((s) => Number.isNaN(s.output))).toBe(true);
  });

  it('frames with no numbers or no fields give no stages', () => {
    const onlyText = createDataFrame({
      fields: [{ name: 'stage', type: FieldType.string, values: ['a'] }],
    });
    expect(extractStages([onlyText, createDataFrame({ fields: [] })], defaultOptions)).toEqual([]);
  });
});
