import { boundary, series, type ComponentCases } from '../rules-harness.js';

const M = { job: 'tradewatch', model: 'ranker' };

export const model: ComponentCases = {
  component: 'model',
  groups: [
    {
      name: 'teacher artifact older than the staleness threshold',
      series: {
        [series('tradewatch_model_artifact_staleness_threshold_seconds')]: '3600x61',
        [series('tradewatch_model_artifact_updated_timestamp_seconds', {
          engine: 'live',
          artifact: 'teacher',
        })]: '0x61',
      },
      alerts: boundary(
        'TradewatchModelArtifactStale',
        '60m',
        '61m',
        { job: 'tradewatch', engine: 'live', artifact: 'teacher' },
        'The teacher artifact of engine live was last updated 1h 1m 0s ago, longer than the configured staleness threshold.',
      ),
    },
    {
      name: 'feature drift share, PSI past the significant level, performance against baseline',
      series: {
        [series('tradewatch_model_drifted_features_ratio', { model: 'ranker' })]: '0.29 0.3',
        [series('tradewatch_model_drift_psi_threshold', { level: 'moderate' })]: '0.1 0.1',
        [series('tradewatch_model_drift_psi_threshold', { level: 'significant' })]: '0.2 0.2',
        [series('tradewatch_model_feature_psi', { model: 'ranker', feature: 'atr_pct' })]:
          '0.19 0.2',
        [series('tradewatch_model_performance_degradation_ratio', {
          model: 'ranker',
          metric: 'accuracy',
        })]: '0.09 0.1',
      },
      alerts: [
        ...boundary(
          'TradewatchModelFeatureDrift',
          '0m',
          '1m',
          M,
          '30% of the features of model ranker drifted at the last evaluation (threshold 30%).',
        ),
        ...boundary(
          'TradewatchModelPsiSignificant',
          '0m',
          '1m',
          { ...M, feature: 'atr_pct' },
          'Feature atr_pct of model ranker has PSI 0.20, at or past the significant level.',
        ),
        ...boundary(
          'TradewatchModelPerformanceDegraded',
          '0m',
          '1m',
          { ...M, metric: 'accuracy' },
          'The accuracy of model ranker is 10% worse than at baseline (threshold 10%).',
        ),
      ],
    },
  ],
};
