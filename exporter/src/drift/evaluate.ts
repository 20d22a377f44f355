import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { chiSquareCounts } from './chi-square.js';
import { isDrifted, perTestAlpha } from './decision.js';
import { indexSorted, ksTwoSampleBuckets } from './ks.js';
import type { ModelSchema, Observation } from './observation.js';
import { relativeDegradation } from './performance.js';
import { psiBinning, psiOfCounts } from './psi.js';
import {
  featureSample,
  numericCounts,
  HIGHER_IS_BETTER,
  measurePerformance,
  withOutcome,
  type FeatureSample,
  type Performance,
  type PerformanceMetric,
  type Reference,
} from './reference.js';

export interface EvaluationSettings {
  alpha: number;
  bonferroni: boolean;
  psiBins: number;
  minSamples: number;
}

export interface FeatureResult {
  feature: string;
  test: 'ks' | 'chi_square';
  statistic: number;
  pValue: number;
  /** Numeric features only. */
  psi?: number;
  drifted: boolean;
}

export interface PerformanceResult {
  /** The current window's performance. */
  current: Performance;
  /**
   * Relative degradation per metric against the baseline's, positive when worse; only for the
   * metrics the baseline has and where the ratio is defined (empty without a baseline).
   */
  degradation: Performance;
}

/** One evaluation of one model. Every number in it is finite. */
export interface ModelResult {
  evaluatedAtSeconds: number;
  referenceSize: number;
  currentSize: number;
  referenceOutcomes: number;
  currentOutcomes: number;
  /** A baseline is set and both windows hold at least min_samples predictions. */
  enoughData: boolean;
  /** The per-test significance level (alpha, or alpha / m with Bonferroni); with enoughData. */
  level?: number;
  features: FeatureResult[];
  /** With at least min_samples outcomes in the current window, baseline or not. */
  performance?: PerformanceResult;
}

/**
 * KS and PSI of a numeric feature. The current window is not sorted: each value is counted
 * against the sorted reference (ks.ts ksStatisticBuckets), which gives the same D, p and PSI.
 */
function testNumericFeature(
  feature: string,
  f: number,
  reference: Float64Array,
  current: readonly Observation[],
  level: number,
  psiBins: number,
): FeatureResult {
  const binning = psiBinning(reference, { bins: psiBins });
  const counts = numericCounts(indexSorted(reference), binning, f, current);
  const ks = ksTwoSampleBuckets(reference, counts.buckets);
  return {
    feature,
    test: 'ks',
    statistic: ks.statistic,
    pValue: ks.pValue,
    psi: psiOfCounts(binning, counts.binCounts, current.length),
    drifted: isDrifted(ks.pValue, level),
  };
}

function testCategoricalFeature(
  feature: string,
  reference: FeatureSample,
  current: FeatureSample,
  level: number,
): FeatureResult {
  if (reference.kind === 'categorical' && current.kind === 'categorical') {
    const names = [...new Set([...reference.counts.keys(), ...current.counts.keys()])].sort();
    const chi = chiSquareCounts(
      names.map((n) => reference.counts.get(n) ?? 0),
      names.map((n) => current.counts.get(n) ?? 0),
      { categories: names },
    );
    return {
      feature,
      test: 'chi_square',
      statistic: chi.statistic,
      pValue: chi.pValue,
      drifted: isDrifted(chi.pValue, level),
    };
  }
  throw new TypeError(`feature ${feature} changed kind between the windows`);
}

/**
 * The current window's performance once it holds `minSamples` outcomes, whether or not there is
 * a baseline (a team may track accuracy before it sets one), and its drop against the baseline's
 * performance where there is one.
 */
function comparePerformance(
  schema: ModelSchema,
  reference: Reference | undefined,
  scored: readonly Observation[],
  minSamples: number,
): PerformanceResult | undefined {
  if (scored.length < minSamples) return undefined;
  const current = measurePerformance(schema.task, scored);
  const baseline = reference?.performance ?? {};
  const degradation: Performance = {};
  for (const [metric, value] of Object.entries(current) as [PerformanceMetric, number][]) {
    const base = baseline[metric];
    if (base === undefined) continue;
    const d = relativeDegradation(value, base, HIGHER_IS_BETTER[metric] ? 'higher' : 'lower');
    if (Number.isFinite(d)) degradation[metric] = d;
  }
  return { current, degradation };
}

/**
 * Evaluates one model: each feature's test (KS and PSI for numeric features, chi-square for
 * categorical ones) on the reference and the current window, and the current performance.
 * Yields to the event loop after each feature, so a scrape or an ingest request waits at most
 * one feature's computation (about a millisecond for 10,000 values; docs/drift.md).
 * No feature is tested without a baseline or below `minSamples` predictions in either window:
 * the "not enough data" state, where the result carries sizes (and the current performance
 * once there are `minSamples` outcomes).
 */
export async function evaluateModel(
  schema: ModelSchema,
  reference: Reference | undefined,
  current: readonly Observation[],
  settings: EvaluationSettings,
  nowSeconds: number,
): Promise<ModelResult> {
  const scored = withOutcome(current);
  const result: ModelResult = {
    evaluatedAtSeconds: nowSeconds,
    referenceSize: reference?.size ?? 0,
    currentSize: current.length,
    referenceOutcomes: reference?.outcomes ?? 0,
    currentOutcomes: scored.length,
    enoughData: false,
    features: [],
  };
  const performance = comparePerformance(schema, reference, scored, settings.minSamples);
  if (performance) result.performance = performance;
  if (!reference) return result;
  if (reference.size < settings.minSamples || current.length < settings.minSamples) return result;

  result.enoughData = true;
  const features = [...schema.features];
  const level = perTestAlpha(settings.alpha, features.length, settings.bonferroni);
  result.level = level;
  for (const [f, [name, kind]] of features.entries()) {
    await yieldToEventLoop();
    const base = reference.samples[f] as FeatureSample;
    result.features.push(
      kind === 'numeric' && base.kind === 'numeric'
        ? testNumericFeature(name, f, base.sorted, current, level, settings.psiBins)
        : testCategoricalFeature(name, base, featureSample(kind, f, current), level),
    );
  }
  return result;
}
