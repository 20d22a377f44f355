/**
 * The funnel's arithmetic, apart from any rendering so it can be checked against hand-computed
 * cases. All percentages are ratios of the counts themselves (never of rounded or scaled bar
 * widths), and a ratio whose denominator is zero, negative or not a number is undefined rather
 * than 0, Infinity or NaN.
 */
import type { FunnelOptions } from '../types';
import type { StageValues, ValueSource } from './extract';

export interface ReasonShare {
  reason: string;
  count: number;
  /** Share of the stage's eliminations listed by reason (0..1). */
  share: number;
}

export interface FunnelStage {
  name: string;
  /** What the stage passed on: its output, or its only value when no output was queried. */
  count: number;
  /** What the stage received: its own input, else the previous stage's count. */
  input: number | undefined;
  eliminated: number | undefined;
  /** count / input: the stage's own conversion. */
  fromPrevious: number | undefined;
  /** count / the funnel's top (the first stage's input, else its count). */
  fromFirst: number | undefined;
  /** 1 − fromPrevious: the share of what came in that the stage eliminated. */
  dropOff: number | undefined;
  reasons: ReasonShare[];
  sources: ValueSource[];
}

export interface Funnel {
  stages: FunnelStage[];
  /** The widest point, to which bar lengths are relative; undefined when not a positive number. */
  top: number | undefined;
  /** Why some numbers are missing, in words for the panel to show. */
  notices: string[];
}

export function ratio(
  numerator: number | undefined,
  denominator: number | undefined,
): number | undefined {
  if (numerator === undefined || denominator === undefined) return undefined;
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) {
    return undefined;
  }
  return numerator / denominator;
}

function countOf(stage: StageValues): number {
  return stage.output ?? stage.input ?? Number.NaN;
}

/** Compare by size, widest first; stages without a usable number go last. */
function bySize(a: StageValues, b: StageValues): number {
  const sizeA = a.output === undefined ? countOf(a) : (a.input ?? countOf(a));
  const sizeB = b.output === undefined ? countOf(b) : (b.input ?? countOf(b));
  const keys: Array<[number, number]> = [
    [sizeA, sizeB],
    [countOf(a), countOf(b)],
  ];
  for (const [x, y] of keys) {
    const xBad = !Number.isFinite(x);
    const yBad = !Number.isFinite(y);
    if (xBad !== yBad) return xBad ? 1 : -1;
    if (!xBad && x !== y) return y - x;
  }
  return a.name.localeCompare(b.name);
}

export function parseStageOrder(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function orderStages(
  stages: StageValues[],
  options: Pick<FunnelOptions, 'ordering' | 'stageOrder'>,
): StageValues[] {
  const sorted = [...stages].sort(bySize);
  if (options.ordering !== 'configured') return sorted;
  const position = new Map(parseStageOrder(options.stageOrder).map((name, i) => [name, i]));
  const listed = sorted.filter((s) => position.has(s.name));
  listed.sort((a, b) => (position.get(a.name) ?? 0) - (position.get(b.name) ?? 0));
  return [...listed, ...sorted.filter((s) => !position.has(s.name))];
}

function reasonShares(reasons: Map<string, number>): ReasonShare[] {
  const usable = [...reasons].filter(([, count]) => Number.isFinite(count) && count > 0);
  const total = usable.reduce((sum, [, count]) => sum + count, 0);
  return usable
    .map(([reason, count]) => ({ reason, count, share: count / total }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

function isCount(n: number | undefined): n is number {
  return n !== undefined && Number.isFinite(n) && n >= 0;
}

export function buildFunnel(ordered: StageValues[]): Funnel {
  const notices: string[] = [];
  const first = ordered[0];
  const topValue = first === undefined ? undefined : (first.input ?? countOf(first));
  const top = isCount(topValue) && topValue > 0 ? topValue : undefined;

  if (ordered.length === 1 && first) {
    notices.push(
      `Only one stage (${first.name}) in the query result: a funnel needs two or more to show conversion.`,
    );
  }
  if (first && topValue === 0) {
    notices.push(
      `The first stage, ${first.name}, received no symbols: there is nothing to convert.`,
    );
  }

  const stages: FunnelStage[] = [];
  let previous: number | undefined;
  for (const values of ordered) {
    const count = countOf(values);
    // A stage's own input wins; without one, the previous stage's count is what reached it.
    const input = values.output !== undefined ? (values.input ?? previous) : previous;
    const fromPrevious = ratio(count, input);
    const eliminated = isCount(count) && isCount(input) ? input - count : undefined;

    if (!isCount(count) || (values.input !== undefined && !isCount(values.input))) {
      notices.push(
        `${values.name} has no usable number (NaN or empty): its percentages are left out.`,
      );
    } else if (input === 0 && stages.length > 0) {
      notices.push(`${values.name} received no symbols: its conversion is undefined.`);
    } else if (input !== undefined && count > input) {
      notices.push(`${values.name} reports more symbols out (${count}) than in (${input}).`);
    }

    stages.push({
      name: values.name,
      count,
      input,
      eliminated,
      fromPrevious,
      fromFirst: ratio(count, top),
      dropOff: fromPrevious === undefined ? undefined : 1 - fromPrevious,
      reasons: reasonShares(values.reasons),
      sources: values.sources,
    });
    previous = isCount(count) ? count : undefined;
  }
  return { stages, top, notices };
}
