import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { booleanMapping, stateTimelinePanel, tablePanel, timeseriesPanel } from './lib/panels.js';
import { age, increase, series, target } from './lib/query.js';
import { recorded } from './lib/recorded.js';
import { settings } from './lib/settings.js';
import { UID } from './lib/uids.js';

const { drawdownShort, drawdownLong, dataSourceStale } = settings.trading;

/** A published limit (a gauge without an engine label) drawn next to the engine's series. */
const limit = (metric: string) => target(series(metric), 'limit');

function drawdownPanel(policy: { threshold: number; window: string }) {
  return timeseriesPanel({
    title: `Drawdown over ${policy.window}`,
    description: `Fall of equity from its highest value within ${policy.window}, per engine of the job: the recorded series the drawdown alert compares with its ${policy.threshold * 100}% threshold (dashed line, document 003).`,
    unit: 'percentunit',
    targets: [
      target(
        recorded('tradewatch_engine_equity_drawdown_ratio', `max_over_time${policy.window}`),
        '{{engine}}',
      ),
    ],
    thresholds: [
      ['green', null],
      ['red', policy.threshold],
    ],
    showThresholds: true,
    width: 8,
  });
}

/** Document 001's engine view, with document 003's drawdown limits. */
export function trading(): Dashboard {
  return buildDashboard({
    uid: UID.trading,
    title: 'tradewatch / Trading and risk',
    description:
      'Engine equity, PnL, drawdowns against their limits, positions, circuit breaker, connectivity and input freshness.',
    tags: ['trading'],
    rows: [
      {
        title: 'Account',
        panels: [
          timeseriesPanel({
            title: 'Equity',
            description: 'Account equity in account currency; drawdowns are computed from it.',
            unit: 'short',
            targets: [target(series('tradewatch_engine_equity'), '{{engine}}')],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Profit and loss',
            description: "Today's PnL, split into realized and unrealized, in account currency.",
            unit: 'short',
            targets: [
              target(series('tradewatch_engine_daily_pnl'), 'daily {{engine}}'),
              target(series('tradewatch_engine_realized_pnl'), 'realized {{engine}}'),
              target(series('tradewatch_engine_unrealized_pnl'), 'unrealized {{engine}}'),
            ],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Daily loss against the limit',
            description:
              "Today's loss as a ratio of equity (negative on a winning day) and the configured daily loss limit the exporter publishes.",
            unit: 'percentunit',
            targets: [
              target(series('tradewatch_engine_daily_loss_ratio'), '{{engine}}'),
              limit('tradewatch_engine_daily_loss_limit_ratio'),
            ],
            limits: ['limit'],
            width: 8,
          }),
          drawdownPanel(drawdownShort),
          drawdownPanel(drawdownLong),
          stateTimelinePanel({
            title: 'Circuit breaker',
            description: "When the engine's circuit breaker was active (trading halted).",
            unit: 'none',
            targets: [target(series('tradewatch_engine_circuit_breaker_active'), '{{engine}}')],
            mappings: booleanMapping(['inactive', 'green'], ['ACTIVE', 'red']),
            width: 8,
          }),
        ],
      },
      {
        title: 'Positions',
        panels: [
          timeseriesPanel({
            title: 'Open positions',
            description: 'Number of open positions.',
            unit: 'short',
            targets: [target(series('tradewatch_engine_open_positions'), '{{engine}}')],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Position values',
            description:
              'Total value of open positions, and the largest single position against the configured position limit.',
            unit: 'short',
            targets: [
              target(series('tradewatch_engine_open_positions_value'), 'total {{engine}}'),
              target(series('tradewatch_engine_largest_position_value'), 'largest {{engine}}'),
              limit('tradewatch_engine_position_limit_value'),
            ],
            limits: ['limit'],
            width: 8,
          }),
          tablePanel({
            title: 'Position returns',
            description:
              'Return of each held position since entry at its latest price (-10% = 10% below the entry price).',
            unit: 'percentunit',
            targets: [
              target(`sort(${series('tradewatch_position_return_ratio')})`, '{{symbol}}', {
                instant: true,
                format: 'table',
              }),
            ],
            width: 8,
          }),
        ],
      },
      {
        title: 'Connectivity and inputs',
        panels: [
          stateTimelinePanel({
            title: 'Connectivity',
            description:
              'Whether the engine was connected and authenticated to each external service.',
            unit: 'none',
            targets: [target(series('tradewatch_engine_connectivity_up'), '{{service}}')],
            mappings: booleanMapping(['down', 'red'], ['up', 'green']),
            width: 12,
          }),
          timeseriesPanel({
            title: 'External API rate limits and auth failures',
            description:
              'Rate-limit answers and authentication failures the engine got from external APIs, per interval.',
            unit: 'short',
            targets: [
              target(
                `sum by (api) (${increase('tradewatch_engine_api_rate_limit_hits_total')})`,
                'rate limited {{api}}',
              ),
              target(
                `sum by (api) (${increase('tradewatch_engine_api_auth_failures_total')})`,
                'auth failed {{api}}',
              ),
            ],
            width: 12,
          }),
          timeseriesPanel({
            title: 'Sentiment',
            description:
              'Latest sentiment score the engine used, and the share of look-ups served from cache.',
            unit: 'none',
            targets: [
              target(series('tradewatch_engine_sentiment_score'), 'score {{engine}}'),
              target(
                series('tradewatch_engine_sentiment_cache_hit_ratio'),
                'cache hit ratio {{engine}}',
              ),
            ],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Sentiment provider errors',
            description:
              "Sentiment provider errors in the engine's last hour, against the configured limit.",
            unit: 'short',
            targets: [
              target(series('tradewatch_engine_sentiment_provider_errors'), '{{engine}}'),
              limit('tradewatch_engine_sentiment_provider_errors_limit'),
            ],
            limits: ['limit'],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Model artifact age',
            description:
              'Time since each model artifact (teacher, student) was updated, against the staleness threshold.',
            unit: 's',
            targets: [
              target(age('tradewatch_model_artifact_updated_timestamp_seconds'), '{{artifact}}'),
              limit('tradewatch_model_artifact_staleness_threshold_seconds'),
            ],
            limits: ['limit'],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Data-source freshness',
            description: `Age of each data source's latest update in multiples of its expected cadence (the recorded series the stale-source alert compares); the source counts as stale past ${dataSourceStale.threshold} (dashed line).`,
            unit: 'none',
            targets: [
              target(recorded('tradewatch_data_source_update_age_intervals', 'max'), '{{source}}'),
            ],
            thresholds: [
              ['green', null],
              ['red', dataSourceStale.threshold],
            ],
            showThresholds: true,
            width: 12,
          }),
          timeseriesPanel({
            title: 'Engine heartbeat age',
            description:
              "Time since the engine's latest tick, against the heartbeat interval the exporter publishes.",
            unit: 's',
            targets: [
              target(age('tradewatch_engine_heartbeat_timestamp_seconds'), '{{engine}}'),
              limit('tradewatch_engine_heartbeat_interval_seconds'),
            ],
            limits: ['limit'],
            width: 12,
          }),
        ],
      },
    ],
  });
}
