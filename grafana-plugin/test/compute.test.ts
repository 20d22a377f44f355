import { describe, expect, it } from 'vitest';

import { buildFunnel, orderStages, parseStageOrder, ratio } from '../src/funnel/compute';
import type { StageValues } from '../src/funnel/extract';
import { formatCount, formatPercent } from '../src/funnel/format';
import { RUN } from './fixtures';

function stage(
  name: string,
  input: number | undefined,
  output: number | undefined,
  reasons: Record<string, number> = {},
): StageValues {
  return { name, input, output, reasons: new Map(Object.entries(reasons)), sources: [] };
}

const run = RUN.map((s) => stage(s.stage, s.input, s.output, s.reasons));
const byName = (f: ReturnType<typeof buildFunnel>, name: string) =>
  f.stages.find((s) => s.name === name)!;

describe('percentages from the counts (document 000, hand-computed)', () => {
  const funnel = buildFunnel(run);

  it('uses the first stage input as the top and has nothing to report', () => {
    expect(funnel.top).toBe(2847);
    expect(funnel.notices).toEqual([]);
  });

  it('conversion from previous is out ÷ in of the stage', () => {
    expect(byName(funnel, 'universe_loading').fromPrevious).toBe(1);
    expect(byName(funnel, 'price_filtering').fromPrevious).toBeCloseTo(1249 / 2847, 12); // 0.43871
    expect(byName(funnel, 'volume_filtering').fromPrevious).toBeCloseTo(0.0696557, 6);
    expect(byName(funnel, 'squeeze_detection').fromPrevious).toBeCloseTo(0.137931, 6);
    expect(byName(funnel, 'final_ranking').fromPrevious).toBeCloseTo(2 / 3, 12);
  });

  it('conversion from first is out ÷ the top', () => {
    expect(byName(funnel, 'volume_filtering').fromFirst).toBeCloseTo(0.0305585, 6);
    expect(byName(funnel, 'squeeze_detection').fromFirst).toBeCloseTo(0.00421496, 7);
    expect(byName(funnel, 'final_ranking').fromFirst).toBeCloseTo(0.00280997, 7);
  });

  it('drop-off is relative to what entered the stage, not to the top', () => {
    // The mistake users report: (1249 − 87) / 2847 = 40.8 %. The stage dropped 93.0 %.
    expect(byName(funnel, 'volume_filtering').dropOff).toBeCloseTo(1162 / 1249, 12);
    expect(byName(funnel, 'volume_filtering').eliminated).toBe(1162);
    expect(byName(funnel, 'price_filtering').dropOff).toBeCloseTo(0.561293, 6);
    expect(byName(funnel, 'universe_loading').dropOff).toBe(0);
  });

  it('formats them for the panel', () => {
    const texts = funnel.stages.map((s) => [
      s.name,
      formatPercent(s.fromPrevious),
      formatPercent(s.fromFirst),
      formatPercent(s.dropOff),
    ]);
    expect(texts).toEqual([
      ['universe_loading', '100.0%', '100.0%', '0%'],
      ['price_filtering', '43.9%', '43.9%', '56.1%'],
      ['volume_filtering', '7.0%', '3.1%', '93.0%'],
      ['squeeze_detection', '13.8%', '0.42%', '86.2%'],
      ['final_ranking', '66.7%', '0.28%', '33.3%'],
    ]);
    expect(formatCount(2847)).toBe('2,847');
  });

  it('shares of the eliminations by reason, largest first', () => {
    expect(byName(funnel, 'price_filtering').reasons).toEqual([
      { reason: 'price_too_high', count: 1432, share: 1432 / 1598 },
      { reason: 'price_too_low', count: 166, share: 166 / 1598 },
    ]);
    expect(byName(funnel, 'squeeze_detection').reasons.map((r) => r.share)).toEqual([
      42 / 75,
      33 / 75,
    ]);
    expect(byName(funnel, 'final_ranking').reasons).toEqual([]);
  });
});

describe('counts without inputs', () => {
  it('takes the previous stage count as the input', () => {
    const f = buildFunnel([
      stage('a', undefined, 1000),
      stage('b', undefined, 250),
      stage('c', undefined, 50),
    ]);
    expect(f.top).toBe(1000);
    expect(f.stages.map((s) => s.fromPrevious)).toEqual([undefined, 0.25, 0.2]);
    expect(f.stages.map((s) => s.fromFirst)).toEqual([1, 0.25, 0.05]);
    expect(f.stages.map((s) => s.dropOff)).toEqual([undefined, 0.75, 0.8]);
    expect(f.stages.map((s) => s.eliminated)).toEqual([undefined, 750, 200]);
  });

  it("prefers a stage's own input to the previous count", () => {
    const f = buildFunnel([stage('a', 120, 100), stage('b', 90, 45)]);
    expect(f.stages[1]!.fromPrevious).toBe(0.5);
    expect(f.stages[1]!.fromFirst).toBe(45 / 120);
  });
});

describe('edge cases give messages, never NaN or Infinity', () => {
  it('ratio is undefined for zero, negative or non-finite denominators', () => {
    expect(ratio(5, 0)).toBeUndefined();
    expect(ratio(5, -1)).toBeUndefined();
    expect(ratio(Number.NaN, 10)).toBeUndefined();
    expect(ratio(5, Number.NaN)).toBeUndefined();
    expect(ratio(5, undefined)).toBeUndefined();
    expect(ratio(0, 10)).toBe(0);
  });

  it('zero input at the top', () => {
    const f = buildFunnel([stage('universe_loading', 0, 0), stage('price_filtering', 0, 0)]);
    expect(f.top).toBeUndefined();
    expect(
      f.stages.every(
        (s) => s.fromPrevious === undefined && s.fromFirst === undefined && s.dropOff === undefined,
      ),
    ).toBe(true);
    expect(f.notices).toEqual([
      'The first stage, universe_loading, received no symbols: there is nothing to convert.',
      'price_filtering received no symbols: its conversion is undefined.',
    ]);
  });

  it('a stage that received nothing further down', () => {
    const f = buildFunnel([stage('a', 100, 0), stage('b', 0, 0)]);
    expect(f.stages[0]!.dropOff).toBe(1);
    expect(f.stages[1]!.fromPrevious).toBeUndefined();
    expect(f.stages[1]!.fromFirst).toBe(0);
    expect(f.notices).toEqual(['b received no symbols: its conversion is undefined.']);
  });

  it('NaN counts', () => {
    const f = buildFunnel([
      stage('a', 100, 80),
      stage('b', Number.NaN, Number.NaN),
      stage('c', undefined, 10),
    ]);
    expect(f.stages[1]!.fromPrevious).toBeUndefined();
    expect(f.stages[1]!.eliminated).toBeUndefined();
    // c has no input of its own and the stage before it has no number: nothing to divide by.
    expect(f.stages[2]!.fromPrevious).toBeUndefined();
    expect(f.stages[2]!.fromFirst).toBe(0.1);
    expect(f.notices).toEqual([
      'b has no usable number (NaN or empty): its percentages are left out.',
    ]);
  });

  it('a NaN top', () => {
    const f = buildFunnel([stage('a', Number.NaN, 5), stage('b', undefined, 4)]);
    expect(f.top).toBeUndefined();
    expect(f.stages.map((s) => s.fromFirst)).toEqual([undefined, undefined]);
    expect(f.notices[0]).toMatch(/^a has no usable number/);
  });

  it('a single stage', () => {
    const f = buildFunnel([stage('universe_loading', 2847, 2847)]);
    expect(f.notices).toEqual([
      'Only one stage (universe_loading) in the query result: a funnel needs two or more to show conversion.',
    ]);
    expect(f.stages[0]!.fromFirst).toBe(1);
  });

  it('no stages', () => {
    expect(buildFunnel([])).toEqual({ stages: [], top: undefined, notices: [] });
  });

  it('more out than in is shown as it is, and said', () => {
    const f = buildFunnel([stage('a', 10, 12)]);
    expect(f.stages[0]!.fromPrevious).toBe(1.2);
    expect(f.notices).toContain('a reports more symbols out (12) than in (10).');
  });

  it('ignores unusable reason counts', () => {
    const f = buildFunnel([stage('a', 10, 5, { x: Number.NaN, y: 0, z: 5 })]);
    expect(f.stages[0]!.reasons).toEqual([{ reason: 'z', count: 5, share: 1 }]);
  });
});

describe('ordering', () => {
  const shuffled = [run[3]!, run[0]!, run[4]!, run[1]!, run[2]!];

  it('by size: widest input first, then widest output (ties at 2,847)', () => {
    expect(orderStages(shuffled, { ordering: 'size', stageOrder: '' }).map((s) => s.name)).toEqual(
      RUN.map((s) => s.stage),
    );
  });

  it('by size puts stages without a number last', () => {
    const order = orderStages(
      [stage('nan', Number.NaN, Number.NaN), stage('b', 5, 1), stage('a', 9, 5)],
      { ordering: 'size', stageOrder: '' },
    );
    expect(order.map((s) => s.name)).toEqual(['a', 'b', 'nan']);
  });

  it('configured: listed stages in that order, the others after by size', () => {
    const order = orderStages(shuffled, {
      ordering: 'configured',
      stageOrder: 'final_ranking,\n squeeze_detection , unknown',
    });
    expect(order.map((s) => s.name)).toEqual([
      'final_ranking',
      'squeeze_detection',
      'universe_loading',
      'price_filtering',
      'volume_filtering',
    ]);
  });

  it('parses comma and newline lists', () => {
    expect(parseStageOrder(' a, b\nc,,\n')).toEqual(['a', 'b', 'c']);
  });
});

describe('formatting', () => {
  it('percentages and counts', () => {
    expect(formatPercent(undefined)).toBe('–');
    expect(formatPercent(Number.NaN)).toBe('–');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('0.04%');
    expect(formatPercent(1.2)).toBe('120.0%');
    expect(formatCount(Number.NaN)).toBe('–');
    expect(formatCount(1234567.891)).toBe('1,234,567.89');
  });
});
