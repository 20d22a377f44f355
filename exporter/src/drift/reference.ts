import {
  addToBuckets,
  emptyBuckets,
  notFinite,
  sortFinite,
  type ReferenceBuckets,
  type SortedIndex,
} from './ks.js';
import type { FeatureKind, ModelSchema, Observation, Task } from './observation.js';
import {
  binaryClassificationMetrics,
  macroClassificationMetrics,
  regressionMetrics,
  type Label,
  type RegressionMetrics,
} from './performance.js';
import { binCountsOfBuckets, binOf, type PsiBinning } from './psi.js';

export type PerformanceMetric = 'accuracy' | 'precision' | 'recall' | 'f1' | 'mae' | 'rmse';
export type Performance = Partial<Record<PerformanceMetric, number>>;

/** Higher is better for these; lower for the errors (performance.ts relativeDegradation). */
export const HIGHER_IS_BETTER: Readonly<Record<PerformanceMetric, boolean>> = {
  accuracy: true,
  precision: true,
  recall: true,
  f1: true,
  mae: false,
  rmse: false,
};

/** The predictions with a known outcome. */
export const withOutcome = (observations: readonly Observation[]): Observation[] =>
  observations.filter((o) => o.actual !== undefined);

/**
 * MAE and RMSE, or undefined when an error overflows (1e308 against -1e308): finite JSON numbers
 * whose difference is not finite must not fail the evaluation of every model.
 */
function regressionErrors(actual: number[], predicted: number[]): RegressionMetrics | undefined {
  try {
    return regressionMetrics(actual, predicted);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * Performance of predictions with known outcomes (docs/drift.md): MAE and RMSE for a regressor;
 * for a classifier accuracy and binary precision, recall and F1 of `true` when every label is a
 * boolean, else their macro averages. Empty when there is no outcome (or a regression error
 * overflows); an RMSE that overflows is Infinity, which publish leaves out.
 */
export function measurePerformance(task: Task, scored: readonly Observation[]): Performance {
  if (scored.length === 0) return {};
  const actual = scored.map((o) => o.actual as Label);
  const predicted = scored.map((o) => o.prediction);
  if (task === 'regression') {
    const r = regressionErrors(actual as number[], predicted as number[]);
    return r ? { mae: r.mae, rmse: r.rmse } : {};
  }
  const boolean = [...actual, ...predicted].every((l) => typeof l === 'boolean');
  const c = boolean
    ? binaryClassificationMetrics(actual, predicted, true)
    : macroClassificationMetrics(actual, predicted);
  return { accuracy: c.accuracy, precision: c.precision, recall: c.recall, f1: c.f1 };
}

/** A numeric feature's window, sorted; a categorical one's counts per category. */
export type FeatureSample =
  { kind: 'numeric'; sorted: Float64Array } | { kind: 'categorical'; counts: Map<string, number> };

/** Feature `f`'s values in a window, ready for its test. */
export function featureSample(
  kind: FeatureKind,
  f: number,
  observations: readonly Observation[],
): FeatureSample {
  if (kind === 'numeric') {
    const column = Float64Array.from(observations, (o) => o.values[f] as number);
    return { kind, sorted: sortFinite(column, 'window') };
  }
  const counts = new Map<string, number>();
  for (const o of observations) {
    const category = o.values[f] as string;
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  return { kind, counts };
}

/** A current numeric window counted against a reference: its KS buckets and its PSI bin counts. */
export interface NumericCounts {
  buckets: ReferenceBuckets;
  binCounts: Int32Array;
}

/**
 * Feature `f`'s current window counted against the indexed reference and its PSI binning,
 * without sorting it (sorting was most of an evaluation's cost); RangeError on an empty window
 * or a non-finite value, as featureSample.
 */
export function numericCounts(
  reference: SortedIndex,
  binning: PsiBinning,
  f: number,
  observations: readonly Observation[],
): NumericCounts {
  if (observations.length === 0) throw new RangeError('window: the sample is empty');
  const buckets = emptyBuckets(reference.sorted.length);
  const { cuts, isCutRank } = binning;
  const onCuts = new Int32Array(cuts.length + 1);
  for (let i = 0; i < observations.length; i++) {
    const value = (observations[i] as Observation).values[f] as number;
    if (!Number.isFinite(value)) throw notFinite('window', i);
    const k = addToBuckets(reference, buckets, value);
    if (isCutRank[k] === 1) {
      const bin = binOf(cuts, value);
      onCuts[bin] = (onCuts[bin] as number) + 1;
    }
  }
  return { buckets, binCounts: binCountsOfBuckets(binning, buckets.counts, onCuts) };
}

export type BaselineSource = { kind: 'range'; from: string; to: string } | { kind: 'data' };

/**
 * A model's reference window, prepared once when the baseline is set: numeric features sorted,
 * categorical ones counted, and the baseline performance (given, else measured).
 */
export interface Reference {
  setAtSeconds: number;
  source: BaselineSource;
  size: number;
  outcomes: number;
  samples: FeatureSample[];
  performance: Performance;
  importances?: ReadonlyMap<string, number>;
}

export interface BaselineData {
  setAtSeconds: number;
  source: BaselineSource;
  observations: readonly Observation[];
  /** Performance as the team measured it, replacing the measured one. */
  metrics?: Performance;
  importances?: ReadonlyMap<string, number>;
}

export function prepareReference(schema: ModelSchema, data: BaselineData): Reference {
  const scored = withOutcome(data.observations);
  const reference: Reference = {
    setAtSeconds: data.setAtSeconds,
    source: data.source,
    size: data.observations.length,
    outcomes: scored.length,
    samples:
      data.observations.length === 0
        ? []
        : [...schema.features.values()].map((kind, f) => featureSample(kind, f, data.observations)),
    performance: data.metrics ?? measurePerformance(schema.task, scored),
  };
  if (data.importances) reference.importances = data.importances;
  return reference;
}
