/**
 * Drift statistics for model monitoring (docs/drift.md): pure functions, no I/O. The monitoring
 * domain built on them (ingest, windows, storage, metrics) starts at domain.ts.
 */
export { KS_EXACT_MAX_N, ksTwoSample, ksTwoSampleSorted, sortedCopy, type KsResult } from './ks.js';
export { kolmogorovSf } from './kolmogorov.js';
export { smirnovSf } from './smirnov.js';
export { chiSquareSf, logGamma, regularizedGammaQ } from './gamma.js';
export {
  chiSquareCategorical,
  chiSquareCounts,
  type ChiSquareOptions,
  type ChiSquareResult,
} from './chi-square.js';
export {
  PSI_DEFAULT_BINS,
  PSI_DEFAULT_EPSILON,
  populationStabilityIndex,
  psiSorted,
  type PsiOptions,
  type PsiResult,
} from './psi.js';
export {
  binaryClassificationMetrics,
  macroClassificationMetrics,
  regressionMetrics,
  relativeDegradation,
  type ClassificationMetrics,
  type Label,
  type RegressionMetrics,
} from './performance.js';
export {
  averageRanks,
  importanceRankCorrelation,
  spearmanCorrelation,
} from './rank-correlation.js';
export {
  DEFAULT_DRIFT_THRESHOLDS,
  isDrifted,
  perTestAlpha,
  psiLevel,
  type DriftThresholds,
  type PsiLevel,
} from './decision.js';
