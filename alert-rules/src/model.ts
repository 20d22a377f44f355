import { config } from '../../mixin/config.js';
import { ageBy, comparedWithGauge, maxBy, percent } from './promql.js';
import { componentRules, type AlertSpec } from './rule.js';

/**
 * The models behind the trading system: teacher/student artifacts (document 001) and drift of
 * their inputs and performance (document 002). The drift alerts are the ones Alertmanager
 * sends to the retraining webhook.
 */
const m = config.model;

const artifactStale: AlertSpec = {
  name: 'ModelArtifactStale',
  policy: m.artifactStale,
  expr: comparedWithGauge(
    ageBy('tradewatch_model_artifact_updated_timestamp_seconds', ['engine', 'artifact']),
    '>',
    'tradewatch_model_artifact_staleness_threshold_seconds',
  ),
  summary: 'A model artifact has not been updated within its staleness threshold.',
  description:
    'The {{ $labels.artifact }} artifact of engine {{ $labels.engine }} was last updated' +
    ' {{ $value | humanizeDuration }} ago, longer than the configured staleness threshold.',
};

/** Alerts that mean "the model no longer fits its data": retraining candidates. */
export const driftAlerts: readonly AlertSpec[] = [
  {
    name: 'ModelFeatureDrift',
    policy: m.featureDrift,
    expr: `${maxBy('tradewatch_model_drifted_features_ratio', ['model'])} >= ${m.featureDrift.threshold}`,
    summary: 'A large share of a model input features drifted.',
    description:
      '{{ $value | humanizePercentage }} of the features of model {{ $labels.model }} drifted' +
      ` at the last evaluation (threshold ${percent(m.featureDrift.threshold)}).`,
  },
  {
    name: 'ModelPsiSignificant',
    policy: m.psiSignificant,
    expr: comparedWithGauge(
      maxBy('tradewatch_model_feature_psi', ['model', 'feature']),
      '>=',
      'tradewatch_model_drift_psi_threshold',
      'level="significant"',
    ),
    summary: 'A model feature distribution shifted past the significant PSI level.',
    description:
      'Feature {{ $labels.feature }} of model {{ $labels.model }} has PSI {{ $value | printf "%.2f" }},' +
      ' at or past the significant level.',
  },
  {
    name: 'ModelPerformanceDegraded',
    policy: m.performanceDegraded,
    expr:
      `${maxBy('tradewatch_model_performance_degradation_ratio', ['model', 'metric'])}` +
      ` >= ${m.performanceDegraded.threshold}`,
    summary: 'A model performs worse than its baseline.',
    description:
      'The {{ $labels.metric }} of model {{ $labels.model }} is {{ $value | humanizePercentage }}' +
      ` worse than at baseline (threshold ${percent(m.performanceDegraded.threshold)}).`,
  },
];

export const model = componentRules('model', [artifactStale, ...driftAlerts]);
