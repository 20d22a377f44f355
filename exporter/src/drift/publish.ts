import type { DriftConfig } from './config.js';
import type { DriftFamilies, ModelState } from './monitor.js';
import { importanceRankCorrelation } from './rank-correlation.js';
import type { Performance, PerformanceMetric } from './reference.js';

const ERRORS = new Set<PerformanceMetric>(['mae', 'rmse']);

const byName = <T>(entries: Iterable<[string, T]>): [string, T][] =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The gauges rebuilt from scratch on each publish (counters and the histogram are not). */
const gauges = (f: DriftFamilies) => [
  f.windowPredictions,
  f.windowOutcomes,
  f.enoughData,
  f.evaluationTime,
  f.significanceLevel,
  f.ksStatistic,
  f.chiSquareStatistic,
  f.pValue,
  f.psi,
  f.drifted,
  f.driftedShare,
  f.classification,
  f.regression,
  f.degradation,
  f.importance,
  f.importanceCorrelation,
  f.memberWeight,
  f.memberPerformance,
];

export function publishThresholds(f: DriftFamilies, config: DriftConfig): void {
  f.psiThreshold.set(['moderate'], config.psi_moderate);
  f.psiThreshold.set(['significant'], config.psi_significant);
}

function publishPerformance(
  f: DriftFamilies,
  model: string,
  window: 'current' | 'baseline',
  performance: Performance,
): void {
  for (const [metric, value] of Object.entries(performance) as [PerformanceMetric, number][]) {
    const family = ERRORS.has(metric) ? f.regression : f.classification;
    if (Number.isFinite(value)) family.set([model, metric, window], value);
  }
}

/**
 * Rebuilds every model gauge from the models' latest evaluations and reports, in one synchronous
 * pass (a scrape never sees half of it). A model not evaluated yet shows nothing but its
 * counters; one without enough data shows its window sizes and `enough_data` 0, no statistic
 * (but its current performance once the window holds min_samples outcomes).
 * Undefined values (a rank correlation over fewer than two shared features, a degradation
 * against a zero baseline) have no series: nothing here is ever NaN.
 */
export function publish(f: DriftFamilies, models: ReadonlyMap<string, ModelState>): void {
  for (const family of gauges(f)) family.reset();
  for (const [model, state] of models) {
    const r = state.result;
    if (r) {
      f.windowPredictions.set([model, 'reference'], r.referenceSize);
      f.windowPredictions.set([model, 'current'], r.currentSize);
      f.windowOutcomes.set([model, 'reference'], r.referenceOutcomes);
      f.windowOutcomes.set([model, 'current'], r.currentOutcomes);
      f.enoughData.set([model], r.enoughData ? 1 : 0);
      f.evaluationTime.set([model], r.evaluatedAtSeconds);
      if (r.level !== undefined) f.significanceLevel.set([model], r.level);
      let drifted = 0;
      for (const t of r.features) {
        const labels = [model, t.feature];
        (t.test === 'ks' ? f.ksStatistic : f.chiSquareStatistic).set(labels, t.statistic);
        f.pValue.set([model, t.feature, t.test], t.pValue);
        if (t.psi !== undefined) f.psi.set(labels, t.psi);
        f.drifted.set(labels, t.drifted ? 1 : 0);
        if (t.drifted) drifted++;
      }
      if (r.features.length > 0) f.driftedShare.set([model], drifted / r.features.length);
      if (r.performance) {
        publishPerformance(f, model, 'current', r.performance.current);
        for (const [metric, value] of Object.entries(r.performance.degradation)) {
          f.degradation.set([model, metric], value);
        }
      }
    }
    if (state.reference) publishPerformance(f, model, 'baseline', state.reference.performance);
    const report = state.importance;
    if (report) {
      // In name order: the stored JSON does not keep the order they were reported in.
      for (const [feature, value] of byName(report.importances)) {
        f.importance.set([model, feature], value);
      }
      const base = state.reference?.importances;
      const rho = base ? importanceRankCorrelation(base, report.importances) : NaN;
      if (Number.isFinite(rho)) f.importanceCorrelation.set([model], rho);
      for (const m of report.members) {
        f.memberWeight.set([model, m.name], m.weight);
        for (const [metric, value] of byName(Object.entries(m.metrics))) {
          f.memberPerformance.set([model, m.name, metric], value);
        }
      }
    }
  }
}
