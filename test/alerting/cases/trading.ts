import { boundary, series, type ComponentCases } from '../rules-harness.js';

const E = { engine: 'live' };
const EL = { job: 'tradewatch', engine: 'live' };
const engine = (metric: string, labels: Record<string, string> = {}) =>
  series(metric, { ...E, ...labels });

export const trading: ComponentCases = {
  component: 'trading',
  groups: [
    {
      name: 'circuit breaker, daily loss limit, position limit, sentiment errors',
      series: {
        [engine('tradewatch_engine_circuit_breaker_active')]: '0 1',
        [series('tradewatch_engine_daily_loss_limit_ratio')]: '0.05 0.05',
        [engine('tradewatch_engine_daily_loss_ratio')]: '0.049 0.05',
        [series('tradewatch_engine_position_limit_value')]: '10000 10000 10000',
        [engine('tradewatch_engine_largest_position_value')]: '9000 10000 10001',
        [series('tradewatch_engine_sentiment_provider_errors_limit')]: '10 10',
        [engine('tradewatch_engine_sentiment_provider_errors')]: '10 11',
      },
      alerts: [
        ...boundary(
          'TradewatchCircuitBreakerActive',
          '0m',
          '1m',
          EL,
          'Engine live tripped its circuit breaker and stopped trading.',
        ),
        ...boundary(
          'TradewatchDailyLossLimitReached',
          '0m',
          '1m',
          EL,
          'Engine live is down 5% of equity today, at or past the daily loss limit.',
        ),
        ...boundary(
          'TradewatchPositionLimitBreached',
          '1m',
          '2m',
          EL,
          'Engine live holds a position worth 10k, above the configured single-position limit.',
        ),
        ...boundary(
          'TradewatchSentimentProviderFailures',
          '0m',
          '1m',
          EL,
          'Engine live reported 11 sentiment provider errors in its last hour, more than the configured limit.',
        ),
      ],
    },
    {
      // 5 in 10 minutes: the 1h drawdown reaches 5% on the spot.
      name: 'drawdown within 1h',
      interval: '10m',
      series: { [engine('tradewatch_engine_equity')]: '100 100 95.1 95' },
      alerts: boundary(
        'TradewatchDrawdownShortWindow',
        '20m',
        '30m',
        EL,
        'Engine live equity is 5% below its highest value of the last 1h (threshold 5%).',
      ),
      records: [
        {
          record: 'job_engine:tradewatch_engine_equity_drawdown_ratio:max_over_time1h',
          at: '30m',
          samples: [{ labels: EL, value: 0.05 }],
        },
      ],
    },
    {
      // Half a point every 10 minutes: never 5% within an hour, 10% after 200 minutes.
      name: 'drawdown within the day',
      interval: '10m',
      series: { [engine('tradewatch_engine_equity')]: '100-0.5x20' },
      alerts: [
        ...boundary(
          'TradewatchDrawdownLongWindow',
          '190m',
          '200m',
          EL,
          'Engine live equity is 10% below its highest value of the last 1d (threshold 10%).',
        ),
        { alert: 'TradewatchDrawdownShortWindow', at: '200m', fires: [] },
      ],
      records: [
        {
          record: 'job_engine:tradewatch_engine_equity_drawdown_ratio:max_over_time1d',
          at: '200m',
          samples: [{ labels: EL, value: 0.1 }],
        },
      ],
    },
    {
      name: 'heartbeat, artifacts of the engine, data-source cadence',
      series: {
        // 3 intervals of 20 s: the age at the 1m scrape (60 s) is not past it, at 2m it is.
        [series('tradewatch_engine_heartbeat_interval_seconds')]: '20x3',
        [engine('tradewatch_engine_heartbeat_timestamp_seconds')]: '0x3',
        [series('tradewatch_data_source_expected_interval_seconds', { source: 'polygon' })]: '60x3',
        [series('tradewatch_data_source_last_update_timestamp_seconds', { source: 'polygon' })]:
          '0x3',
      },
      alerts: [
        ...boundary(
          'TradewatchHeartbeatLapsed',
          '1m',
          '2m',
          EL,
          'Engine live had not ticked for 2m 0s when last scraped, longer than 3 heartbeat intervals.',
        ),
        ...boundary(
          'TradewatchDataSourceStale',
          '2m',
          '3m',
          { job: 'tradewatch', source: 'polygon' },
          'Data source polygon last updated 3 expected intervals ago (threshold 2).',
        ),
      ],
      records: [
        {
          record: 'job_source:tradewatch_data_source_update_age_intervals:max',
          at: '2m',
          samples: [{ labels: { job: 'tradewatch', source: 'polygon' }, value: 2 }],
        },
      ],
    },
    {
      name: 'connectivity lost for 2m',
      series: {
        [engine('tradewatch_engine_connectivity_up', { service: 'alpaca' })]: '1 0 0 0',
        [engine('tradewatch_engine_connectivity_up', { service: 'polygon' })]: '1 1 1 1',
      },
      alerts: boundary(
        'TradewatchConnectivityLost',
        '2m',
        '3m',
        { ...EL, service: 'alpaca' },
        'Engine live is not connected or not authenticated to alpaca.',
      ),
    },
    {
      // Counters sampled every minute: increase over 15m is the exact difference.
      name: 'API rate limits and authentication failures over 15m',
      series: {
        [engine('tradewatch_engine_api_rate_limit_hits_total', { api: 'polygon' })]: '0x15 9 10',
        [engine('tradewatch_engine_api_auth_failures_total', { api: 'alpaca' })]: '0x15 2 3',
      },
      alerts: [
        ...boundary(
          'TradewatchApiRateLimited',
          '16m',
          '17m',
          { ...EL, api: 'polygon' },
          'Engine live got 10 rate-limit answers from polygon in the last 15m (threshold 10).',
        ),
        ...boundary(
          'TradewatchApiAuthenticationFailures',
          '16m',
          '17m',
          { ...EL, api: 'alpaca' },
          'Engine live got 3 authentication failures from alpaca in the last 15m (threshold 3).',
        ),
      ],
    },
  ],
};
