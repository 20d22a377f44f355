import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { booleanMapping, gaugePanel, statPanel } from './lib/panels.js';
import { age, alerts, series, target } from './lib/query.js';
import { settings } from './lib/settings.js';
import { UID } from './lib/uids.js';

const link = (title: string, uid: string) => [{ title, uid }];
const instant = { instant: true };

/**
 * Seconds since each engine's latest tick (the exporter publishes the tick's time, not an age),
 * red from the heartbeat interval the exporter publishes: Grafana's "Config from query results"
 * turns that second query into the red threshold, so the colour follows the engine's setting.
 */
function heartbeatAgePanel() {
  return statPanel({
    title: 'Engine heartbeat age',
    description:
      "Seconds since the engine's latest tick; red once older than the heartbeat interval the exporter publishes (tradewatch_engine_heartbeat_interval_seconds), where the heartbeat alert fires.",
    unit: 's',
    targets: [
      target(age('tradewatch_engine_heartbeat_timestamp_seconds'), '{{engine}}', instant),
      target(`max(${series('tradewatch_engine_heartbeat_interval_seconds')})`, 'interval', instant),
    ],
    thresholds: [['green', null]],
    width: 6,
    drilldown: link('Trading and risk', UID.trading),
  }).withTransformation({
    id: 'configFromData',
    options: {
      configRefId: 'B',
      mappings: [
        {
          fieldName: 'interval',
          handlerKey: 'threshold1',
          handlerArguments: { threshold: { color: 'red' } },
        },
      ],
    },
  });
}

/** One screen for the person on call: is anything wrong, and where to look next. */
export function overview(): Dashboard {
  return buildDashboard({
    uid: UID.overview,
    title: 'tradewatch / Overview',
    description:
      'Pipeline, trading, learning and alert health at a glance; each panel links to its dashboard.',
    tags: ['overview'],
    rows: [
      {
        title: 'Alerts and pipeline',
        panels: [
          statPanel({
            title: 'Firing alerts by severity',
            description:
              'tradewatch alerts firing now, counted by severity (the always-firing Watchdog, severity none, left out).',
            unit: 'short',
            targets: [
              target(
                `count by (severity) (${alerts('alertstate="firing", severity!="none"')})`,
                '{{severity}}',
                instant,
              ),
            ],
            thresholds: [
              ['green', null],
              ['orange', 1],
            ],
            drilldown: link('Alerts', UID.alerts),
          }),
          gaugePanel({
            title: 'Pipeline health',
            description:
              'Health score (0 to 1) the discovery pipeline reported for its latest finished run.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            targets: [target(series('tradewatch_pipeline_health_score'), '{{pipeline}}', instant)],
            thresholds: [
              ['red', null],
              ['orange', 0.5],
              ['green', 0.8],
            ],
            drilldown: link('Discovery pipeline', UID.pipeline),
          }),
          statPanel({
            title: 'Since the last successful run',
            description: `Time since the latest completed pipeline run; red past ${settings.discovery.noRecentRun.threshold} s, where the alert fires.`,
            unit: 's',
            targets: [
              target(
                age('tradewatch_pipeline_last_success_timestamp_seconds'),
                '{{pipeline}}',
                instant,
              ),
            ],
            thresholds: [
              ['green', null],
              ['red', settings.discovery.noRecentRun.threshold],
            ],
            drilldown: link('Discovery pipeline', UID.pipeline),
          }),
        ],
      },
      {
        title: 'Trading',
        panels: [
          heartbeatAgePanel(),
          statPanel({
            title: "Today's PnL",
            description: "Today's profit and loss (realized plus unrealized), in account currency.",
            unit: 'short',
            targets: [target(series('tradewatch_engine_daily_pnl'), '{{engine}}')],
            thresholds: [
              ['red', null],
              ['green', 0],
            ],
            sparkline: true,
            width: 6,
            drilldown: link('Trading and risk', UID.trading),
          }),
          gaugePanel({
            title: 'Daily loss against the limit',
            description:
              "Today's loss as a share of the configured daily loss limit (100% = the limit is reached; below 0 on a winning day).",
            unit: 'percentunit',
            min: 0,
            max: 1,
            targets: [
              target(
                `${series('tradewatch_engine_daily_loss_ratio')} / on (job, instance) group_left () ${series('tradewatch_engine_daily_loss_limit_ratio')}`,
                '{{engine}}',
                instant,
              ),
            ],
            thresholds: [
              ['green', null],
              ['orange', 0.8],
              ['red', 1],
            ],
            width: 6,
            drilldown: link('Trading and risk', UID.trading),
          }),
          statPanel({
            title: 'Circuit breaker',
            description: "Whether the engine's circuit breaker is active (trading halted).",
            unit: 'none',
            targets: [
              target(series('tradewatch_engine_circuit_breaker_active'), '{{engine}}', instant),
            ],
            mappings: booleanMapping(['Inactive', 'green'], ['ACTIVE', 'red']),
            width: 6,
            drilldown: link('Trading and risk', UID.trading),
          }),
        ],
      },
      {
        title: 'Learning',
        panels: [
          statPanel({
            title: 'Precision@K',
            description:
              'Mean precision@K of the ranked lists whose horizon has matured, by strategy, K and horizon.',
            unit: 'percentunit',
            targets: [
              target(
                series('tradewatch_ranking_precision_at_k_ratio'),
                '{{strategy}} @{{k}} {{horizon}}',
                instant,
              ),
            ],
            width: 8,
            drilldown: link('Recommendations', UID.recommendations),
          }),
          statPanel({
            title: 'Drifted features',
            description: `Share of each model's features that drifted at the last evaluation; red from ${settings.model.featureDrift.threshold * 100}%, where the alert fires.`,
            unit: 'percentunit',
            targets: [
              target(series('tradewatch_model_drifted_features_ratio'), '{{model}}', instant),
            ],
            thresholds: [
              ['green', null],
              ['red', settings.model.featureDrift.threshold],
            ],
            width: 8,
            drilldown: link('Model drift', UID.drift),
          }),
          statPanel({
            title: 'Missed opportunities',
            description:
              'Recommendations not bought whose peak return reached the missed-opportunity threshold, within the exporter window.',
            unit: 'short',
            targets: [
              target(series('tradewatch_recommendation_missed_opportunities'), 'missed', instant),
            ],
            width: 8,
            drilldown: link('Recommendations', UID.recommendations),
          }),
        ],
      },
    ],
  });
}
