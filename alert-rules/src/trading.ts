import { config, selector, type WindowPolicy } from '../../mixin/config.js';
import {
  ageAtScrapeBy,
  ageBy,
  comparedWithGauge,
  comparedWithGaugeTimes,
  increaseBy,
  maxBy,
  percent,
} from './promql.js';
import { componentRules, type AlertSpec, type RecordingRule } from './rule.js';

/**
 * The live trading engine (documents 001 and 003): risk limits, liveness and the external
 * services it depends on. Limits the engine is configured with come from the exporter's
 * threshold gauges; the drawdown thresholds are document 003's and live in the mixin config.
 */
const t = config.trading;
const ENGINE = ['engine'];

/** Drawdown from the highest equity within the window, per engine (0.05 = 5% below the peak). */
function drawdownRule(policy: WindowPolicy): RecordingRule {
  const equity = selector('tradewatch_engine_equity');
  const peak = `max by (job, engine) (max_over_time(${equity}[${policy.window}]))`;
  // (peak - now) / peak rather than 1 - now / peak: exact at round thresholds (0.1, not 0.0999...).
  return {
    record: `job_engine:tradewatch_engine_equity_drawdown_ratio:max_over_time${policy.window}`,
    expr: `(${peak} - max by (job, engine) (${equity})) / ${peak}`,
  };
}

const drawdownShort = drawdownRule(t.drawdownShort);
const drawdownLong = drawdownRule(t.drawdownLong);

function drawdownAlert(name: string, rule: RecordingRule, policy: WindowPolicy): AlertSpec {
  return {
    name,
    policy,
    expr: `${rule.record} >= ${policy.threshold}`,
    summary: `Equity fell ${percent(policy.threshold)} or more below its peak within ${policy.window}.`,
    description:
      `Engine {{ $labels.engine }} equity is {{ $value | humanizePercentage }} below its highest` +
      ` value of the last ${policy.window} (threshold ${percent(policy.threshold)}).`,
  };
}

function apiFailureAlert(
  name: string,
  metric: string,
  what: string,
  policy: WindowPolicy,
): AlertSpec {
  return {
    name,
    policy,
    expr: `${increaseBy(metric, ['engine', 'api'], policy.window)} >= ${policy.threshold}`,
    summary: `The engine keeps getting ${what} from an external API.`,
    description:
      `Engine {{ $labels.engine }} got {{ $value | humanize }} ${what} from {{ $labels.api }}` +
      ` in the last ${policy.window} (threshold ${policy.threshold}).`,
  };
}

/** Seconds since a data source's last update, over its published expected interval. */
const dataSourceLateness: RecordingRule = {
  record: 'job_source:tradewatch_data_source_update_age_intervals:max',
  expr:
    `(${ageBy('tradewatch_data_source_last_update_timestamp_seconds', ['source'])})` +
    ` / ${maxBy('tradewatch_data_source_expected_interval_seconds', ['source'])}`,
};

export const trading = componentRules(
  'trading',
  [
    {
      name: 'CircuitBreakerActive',
      policy: t.circuitBreakerActive,
      expr: `${maxBy('tradewatch_engine_circuit_breaker_active', ENGINE)} == 1`,
      summary: 'The trading engine circuit breaker is active.',
      description: 'Engine {{ $labels.engine }} tripped its circuit breaker and stopped trading.',
    },
    {
      name: 'DailyLossLimitReached',
      policy: t.dailyLossLimitReached,
      expr: comparedWithGauge(
        maxBy('tradewatch_engine_daily_loss_ratio', ENGINE),
        '>=',
        'tradewatch_engine_daily_loss_limit_ratio',
      ),
      summary: "Today's loss reached the configured daily loss limit.",
      description:
        'Engine {{ $labels.engine }} is down {{ $value | humanizePercentage }} of equity today,' +
        ' at or past the daily loss limit.',
    },
    drawdownAlert('DrawdownShortWindow', drawdownShort, t.drawdownShort),
    drawdownAlert('DrawdownLongWindow', drawdownLong, t.drawdownLong),
    {
      name: 'PositionLimitBreached',
      policy: t.positionLimitBreached,
      expr: comparedWithGauge(
        maxBy('tradewatch_engine_largest_position_value', ENGINE),
        '>',
        'tradewatch_engine_position_limit_value',
      ),
      summary: 'A single position is larger than the position limit.',
      description:
        'Engine {{ $labels.engine }} holds a position worth {{ $value | humanize }},' +
        ' above the configured single-position limit.',
    },
    {
      name: 'HeartbeatLapsed',
      policy: t.heartbeatLapsed,
      expr: comparedWithGaugeTimes(
        ageAtScrapeBy('tradewatch_engine_heartbeat_timestamp_seconds', ENGINE),
        '>',
        'tradewatch_engine_heartbeat_interval_seconds',
        t.heartbeatLapsed.threshold,
      ),
      summary: 'The trading engine stopped sending heartbeats.',
      description:
        'Engine {{ $labels.engine }} had not ticked for {{ $value | humanizeDuration }} when' +
        ` last scraped, longer than ${t.heartbeatLapsed.threshold} heartbeat intervals.`,
    },
    {
      name: 'ConnectivityLost',
      policy: t.connectivityLost,
      expr: `${maxBy('tradewatch_engine_connectivity_up', [...ENGINE, 'service'])} == 0`,
      summary: 'The trading engine lost its connection to an external service.',
      description:
        'Engine {{ $labels.engine }} is not connected or not authenticated to' +
        ' {{ $labels.service }}.',
    },
    {
      name: 'SentimentProviderFailures',
      policy: t.sentimentProviderFailures,
      expr: comparedWithGauge(
        maxBy('tradewatch_engine_sentiment_provider_errors', ENGINE),
        '>',
        'tradewatch_engine_sentiment_provider_errors_limit',
      ),
      summary: 'Sentiment provider errors exceed their limit.',
      description:
        'Engine {{ $labels.engine }} reported {{ $value | humanize }} sentiment provider errors' +
        ' in its last hour, more than the configured limit.',
    },
    apiFailureAlert(
      'ApiRateLimited',
      'tradewatch_engine_api_rate_limit_hits_total',
      'rate-limit answers',
      t.apiRateLimited,
    ),
    apiFailureAlert(
      'ApiAuthenticationFailures',
      'tradewatch_engine_api_auth_failures_total',
      'authentication failures',
      t.apiAuthFailures,
    ),
    {
      name: 'DataSourceStale',
      policy: t.dataSourceStale,
      expr: `${dataSourceLateness.record} > ${t.dataSourceStale.threshold}`,
      summary: 'A data source has not updated within its expected cadence.',
      description:
        'Data source {{ $labels.source }} last updated {{ $value | humanize }} expected' +
        ` intervals ago (threshold ${t.dataSourceStale.threshold}).`,
    },
  ],
  [drawdownShort, drawdownLong, dataSourceLateness],
);
