import type { MetricDefinition } from '../metrics/definition.js';

/**
 * Model monitoring (documents 002 and 004; docs/drift.md). Counters and the confidence histogram
 * change on ingest; everything else is rebuilt after each evaluation. A drift statistic exists
 * only when its model has enough data (`tradewatch_model_drift_enough_data` 1), the current
 * performance once the window has drift.min_samples outcomes: never NaN. Models and
 * features are bounded by `drift.max_models` and `drift.max_features`, ensemble members by 50.
 */
const MODEL = ['model'] as const;
const FEATURE = ['model', 'feature'] as const;

export const driftMetrics = {
  predictionsReceived: {
    name: 'tradewatch_model_predictions_received_total',
    type: 'counter',
    help: 'Predictions accepted by this replica (repeated prediction ids not counted).',
    labelNames: MODEL,
  },
  outcomesReceived: {
    name: 'tradewatch_model_outcomes_received_total',
    type: 'counter',
    help: 'Outcomes (actual values) accepted by this replica, with a prediction or later.',
    labelNames: MODEL,
  },
  confidence: {
    name: 'tradewatch_model_prediction_confidence_ratio',
    type: 'histogram',
    help: 'Confidence the model reported with each accepted prediction (0..1).',
    labelNames: MODEL,
    unit: 'ratio',
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
  },
  windowPredictions: {
    name: 'tradewatch_model_drift_window_predictions',
    type: 'gauge',
    help: 'Predictions in the reference (baseline) and current window at the last evaluation.',
    labelNames: ['model', 'window'],
  },
  windowOutcomes: {
    name: 'tradewatch_model_drift_window_outcomes',
    type: 'gauge',
    help: 'Predictions with a known outcome in the reference and current window at the last evaluation.',
    labelNames: ['model', 'window'],
  },
  enoughData: {
    name: 'tradewatch_model_drift_enough_data',
    type: 'gauge',
    help: 'Whether the model has a baseline and drift.min_samples predictions in both windows (1), so its features were tested.',
    labelNames: MODEL,
  },
  evaluationTime: {
    name: 'tradewatch_model_drift_evaluation_timestamp_seconds',
    type: 'gauge',
    help: 'When the model was last evaluated.',
    labelNames: MODEL,
    unit: 'seconds',
  },
  significanceLevel: {
    name: 'tradewatch_model_drift_significance_level',
    type: 'gauge',
    help: 'Level each feature test of the model is held to: drift.alpha, or alpha over the number of features with drift.bonferroni.',
    labelNames: MODEL,
  },
  psiThreshold: {
    name: 'tradewatch_model_drift_psi_threshold',
    type: 'gauge',
    help: 'PSI from which a shift is moderate or significant (drift.psi_moderate, drift.psi_significant).',
    labelNames: ['level'],
  },
  ksStatistic: {
    name: 'tradewatch_model_feature_ks_statistic',
    type: 'gauge',
    help: 'Two-sample Kolmogorov-Smirnov statistic D of a numeric feature, current window against reference.',
    labelNames: FEATURE,
  },
  chiSquareStatistic: {
    name: 'tradewatch_model_feature_chi_square_statistic',
    type: 'gauge',
    help: 'Chi-square statistic of a categorical feature, current window against reference.',
    labelNames: FEATURE,
  },
  pValue: {
    name: 'tradewatch_model_feature_drift_p_value',
    type: 'gauge',
    help: 'p-value of the feature drift test (test="ks" for numeric, "chi_square" for categorical features).',
    labelNames: ['model', 'feature', 'test'],
  },
  psi: {
    name: 'tradewatch_model_feature_psi',
    type: 'gauge',
    help: 'Population Stability Index of a numeric feature, current window against reference deciles.',
    labelNames: FEATURE,
  },
  drifted: {
    name: 'tradewatch_model_feature_drifted',
    type: 'gauge',
    help: 'Whether the feature drifted (1): its test p-value is below the model significance level.',
    labelNames: FEATURE,
  },
  driftedShare: {
    name: 'tradewatch_model_drifted_features_ratio',
    type: 'gauge',
    help: 'Share of the model features that drifted at the last evaluation.',
    labelNames: MODEL,
    unit: 'ratio',
  },
  classification: {
    name: 'tradewatch_model_classification_performance_ratio',
    type: 'gauge',
    help: 'Classifier accuracy, precision, recall or F1 on the predictions with outcomes, in the current window and at baseline.',
    labelNames: ['model', 'metric', 'window'],
    unit: 'ratio',
  },
  regression: {
    name: 'tradewatch_model_regression_error',
    type: 'gauge',
    help: 'Regressor MAE or RMSE on the predictions with outcomes, in the current window and at baseline.',
    labelNames: ['model', 'metric', 'window'],
  },
  degradation: {
    name: 'tradewatch_model_performance_degradation_ratio',
    type: 'gauge',
    help: 'Relative change of a performance metric against baseline, positive when worse (0.1 = 10% worse).',
    labelNames: ['model', 'metric'],
    unit: 'ratio',
  },
  importance: {
    name: 'tradewatch_model_feature_importance',
    type: 'gauge',
    help: 'Importance of a feature in the model, as last reported.',
    labelNames: FEATURE,
  },
  importanceCorrelation: {
    name: 'tradewatch_model_importance_rank_correlation',
    type: 'gauge',
    help: 'Spearman rank correlation of the reported feature importances with the baseline ones (1 = same order).',
    labelNames: MODEL,
  },
  memberWeight: {
    name: 'tradewatch_model_ensemble_member_weight',
    type: 'gauge',
    help: 'Weight of an ensemble member, as last reported.',
    labelNames: ['model', 'member'],
  },
  memberPerformance: {
    name: 'tradewatch_model_ensemble_member_performance',
    type: 'gauge',
    help: 'A performance metric of an ensemble member, as last reported.',
    labelNames: ['model', 'member', 'metric'],
  },
} as const satisfies Record<string, MetricDefinition>;
