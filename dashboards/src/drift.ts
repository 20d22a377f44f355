import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { tablePanel, timeseriesPanel } from './lib/panels.js';
import { quantile, rate, series, target } from './lib/query.js';
import { settings } from './lib/settings.js';
import { UID } from './lib/uids.js';

const { featureDrift, performanceDegraded } = settings.model;
const table = { instant: true, format: 'table' } as const;

/** Documents 002 and 004: input drift (KS, PSI), performance against baseline, predictions. */
export function drift(): Dashboard {
  return buildDashboard({
    uid: UID.drift,
    title: 'tradewatch / Model drift',
    description:
      'Feature drift (KS, chi-square, PSI), drifted share, performance against baseline, predictions and confidence, per model.',
    tags: ['models', 'drift'],
    rows: [
      {
        title: 'Drift',
        panels: [
          timeseriesPanel({
            title: 'Drifted features',
            description: `Share of each model's features that drifted at the last evaluation; the dashed line is the ${featureDrift.threshold * 100}% alert threshold.`,
            unit: 'percentunit',
            targets: [target(series('tradewatch_model_drifted_features_ratio'), '{{model}}')],
            thresholds: [
              ['green', null],
              ['red', featureDrift.threshold],
            ],
            showThresholds: true,
            width: 12,
          }),
          timeseriesPanel({
            title: 'PSI by feature',
            description:
              'Population Stability Index of each numeric feature against the reference deciles, with the moderate and significant levels the exporter publishes.',
            unit: 'none',
            targets: [
              target(series('tradewatch_model_feature_psi'), '{{model}} {{feature}}'),
              target(series('tradewatch_model_drift_psi_threshold'), '{{level}}'),
            ],
            limits: ['moderate', 'significant'],
            width: 12,
          }),
          tablePanel({
            title: 'Feature tests',
            description:
              'Latest test of each feature: KS statistic D (numeric features) or chi-square statistic (categorical), its p-value against the model significance level, PSI (numeric), and whether it drifted (1).',
            unit: 'none',
            targets: [
              target(series('tradewatch_model_feature_ks_statistic'), 'ks', table),
              target(series('tradewatch_model_feature_chi_square_statistic'), 'chi-square', table),
              target(series('tradewatch_model_feature_drift_p_value'), 'p', table),
              target(series('tradewatch_model_feature_psi'), 'psi', table),
              target(series('tradewatch_model_feature_drifted'), 'drifted', table),
            ],
            width: 24,
            height: 10,
          }),
        ],
      },
      {
        title: 'Performance and predictions',
        panels: [
          timeseriesPanel({
            title: 'Performance against baseline',
            description:
              'Classifier accuracy, precision, recall and F1 in the current window and at baseline.',
            unit: 'percentunit',
            targets: [
              target(
                series('tradewatch_model_classification_performance_ratio'),
                '{{model}} {{metric}} ({{window}})',
              ),
            ],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Performance degradation',
            description: `Relative change of each performance metric against baseline, positive when worse; the dashed line is the ${performanceDegraded.threshold * 100}% alert threshold (document 002).`,
            unit: 'percentunit',
            targets: [
              target(
                series('tradewatch_model_performance_degradation_ratio'),
                '{{model}} {{metric}}',
              ),
            ],
            thresholds: [
              ['green', null],
              ['red', performanceDegraded.threshold],
            ],
            showThresholds: true,
            width: 8,
          }),
          timeseriesPanel({
            title: 'Predictions and outcomes',
            description: 'Predictions and outcomes (actual values) accepted per second, by model.',
            unit: 'reqps',
            targets: [
              target(
                `sum by (model) (${rate('tradewatch_model_predictions_received_total')})`,
                'predictions {{model}}',
              ),
              target(
                `sum by (model) (${rate('tradewatch_model_outcomes_received_total')})`,
                'outcomes {{model}}',
              ),
            ],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Prediction confidence',
            description:
              'Median and 10th percentile of the confidence models reported with their predictions.',
            unit: 'percentunit',
            targets: [0.1, 0.5].map((q) =>
              target(
                quantile(q, 'tradewatch_model_prediction_confidence_ratio', 'model'),
                `p${q * 100} {{model}}`,
              ),
            ),
            width: 24,
          }),
        ],
      },
    ],
  });
}
