/**
 * The one configuration object of the tradewatch mixin: every selector, threshold, `for`
 * duration, severity and window that the alert rules, recording rules, the Alertmanager routing
 * and the dashboards are generated from. Change a number here, run `npm run rules`, commit the
 * regenerated YAML.
 *
 * Thresholds that belong to the trading system itself (daily loss limit, position limit,
 * heartbeat interval, sentiment error limit, artifact staleness, data-source cadence, PSI levels)
 * are NOT here: the exporter publishes them as gauges from its own configuration, and the rules
 * compare against those gauges so that both sides use the same number.
 */

/**
 * `critical` pages a person, `warning` goes to chat, `info` is recorded but not routed. `none`
 * marks plumbing that is not about the system (the always-firing Watchdog, as in
 * kube-prometheus): routed by name, left out of every alert count (GET /alerts/dashboard).
 */
export type Severity = 'critical' | 'warning' | 'info' | 'none';

/** The `component` label of every alert (issue 6; routing and inhibition key on it). */
export type Component =
  'discovery' | 'learning' | 'dip_detection' | 'trading' | 'model' | 'system_health';

/** A Prometheus duration such as `5m` or `1h`. */
export type Duration = `${number}${'s' | 'm' | 'h' | 'd' | 'w'}`;

/** How one alert fires: its severity and how long the condition must hold. */
export interface AlertPolicy {
  readonly severity: Severity;
  readonly for: Duration;
}

/** An alert policy with a threshold of its own (one the trading system does not publish). */
export interface ThresholdPolicy extends AlertPolicy {
  readonly threshold: number;
}

/** An alert policy that counts events over a window. */
export interface WindowPolicy extends ThresholdPolicy {
  readonly window: Duration;
}

const critical = (forDuration: Duration): AlertPolicy => ({
  severity: 'critical',
  for: forDuration,
});
const warning = (forDuration: Duration): AlertPolicy => ({ severity: 'warning', for: forDuration });
const info = (forDuration: Duration): AlertPolicy => ({ severity: 'info', for: forDuration });

export const config = {
  /** Selects the exporter's series; every rule uses it, nothing hard-codes a job name. */
  tradewatchSelector: 'job="tradewatch"',

  /** Prefix of every alert name (CamelCase, shared by the whole bundle). */
  alertNamePrefix: 'Tradewatch',

  /** runbook_url is `${runbookBaseUrl}#<lower-cased alert name>`: a heading in docs/runbooks.md. */
  runbookBaseUrl: 'https://github.com/tradewatch/tradewatch/blob/main/docs/runbooks.md',

  /** Evaluation interval of the generated rule groups. */
  ruleEvaluationInterval: '1m' as Duration,

  /** Rate windows shared by recording rules and dashboards. */
  windows: {
    /** Short rate window for request and ingest rates (at least 4 scrape intervals). */
    rate: '5m' as Duration,
  },

  trading: {
    circuitBreakerActive: critical('0m'),
    /** Compares with the exporter's tradewatch_engine_daily_loss_limit_ratio. */
    dailyLossLimitReached: critical('0m'),
    /** Document 003: portfolio drawdown over 5% within 1 hour. */
    drawdownShort: { ...critical('0m'), threshold: 0.05, window: '1h' } as WindowPolicy,
    /** Document 003: over 10% within the day (a rolling day: the exporter has no session calendar). */
    drawdownLong: { ...critical('0m'), threshold: 0.1, window: '1d' } as WindowPolicy,
    /** Compares with tradewatch_engine_position_limit_value. */
    positionLimitBreached: critical('0m'),
    /**
     * Fires when, at a scrape, the engine's last tick is older than this many heartbeat
     * intervals (tradewatch_engine_heartbeat_interval_seconds): one late tick is jitter. The age
     * is taken at the scrape (`timestamp()`), so scrape and evaluation intervals longer than the
     * heartbeat's add nothing to it; `tradewatch health` applies the same factor.
     */
    heartbeatLapsed: { ...critical('0m'), threshold: 3 } as ThresholdPolicy,
    /** Rides out a single reconnect. */
    connectivityLost: critical('2m'),
    /** Compares with tradewatch_engine_sentiment_provider_errors_limit. */
    sentimentProviderFailures: warning('0m'),
    /** Rate-limit answers from an external API within the window. */
    apiRateLimited: { ...warning('0m'), threshold: 10, window: '15m' } as WindowPolicy,
    /** Authentication failures from an external API within the window. */
    apiAuthFailures: { ...warning('0m'), threshold: 3, window: '15m' } as WindowPolicy,
    /**
     * A data source is late once its last update is older than this many times the cadence
     * the exporter publishes (tradewatch_data_source_expected_interval_seconds): one missed
     * update is jitter, two are an outage.
     */
    dataSourceStale: { ...warning('0m'), threshold: 2 } as ThresholdPolicy,
  },

  discovery: {
    /** The latest finished run failed (its end is later than the latest success). */
    runFailed: warning('0m'),
    /** Document 000 section 1.3: no candidates for 3 consecutive runs. */
    noCandidates: { ...critical('0m'), threshold: 3 } as ThresholdPolicy,
    /** p95 of a stage's duration over the window against its budget, in seconds. */
    stageLatency: {
      ...warning('15m'),
      threshold: 30,
      window: '1h',
      quantile: 0.95,
    } as WindowPolicy & { readonly quantile: number },
    fallbackActive: warning('0m'),
    /** No finished run for this many seconds: the scheduler or the pipeline is stuck. */
    noRecentRun: { ...warning('0m'), threshold: 3600 } as ThresholdPolicy,
  },

  model: {
    /** Compares with tradewatch_model_artifact_staleness_threshold_seconds. */
    artifactStale: warning('0m'),
    /** Share of a model's features that drifted at the last evaluation. */
    featureDrift: { ...warning('0m'), threshold: 0.3 } as ThresholdPolicy,
    /** Compares with tradewatch_model_drift_psi_threshold{level="significant"}. */
    psiSignificant: warning('0m'),
    /** Document 002's performance_threshold: 10% worse than baseline. */
    performanceDegraded: { ...warning('0m'), threshold: 0.1 } as ThresholdPolicy,
  },

  learning: {
    /**
     * precision@K below (1 - threshold) times its own average over the window: a drop of 20%
     * against the strategy's recent level, whatever that level is.
     */
    precisionDrop: { ...warning('0m'), threshold: 0.2, window: '7d' } as WindowPolicy,
    /**
     * A missed opportunity in the exporter's window whose own peak return is over this ratio
     * (document 000 section 4.3: potential_return > 50, per opportunity). The rule reads the
     * window's largest peak return, so one series stands for every opportunity.
     */
    missedOpportunity: { ...info('0m'), threshold: 0.5 } as ThresholdPolicy,
  },

  dipDetection: {
    buyTheDipCandidate: info('0m'),
  },

  systemHealth: {
    exporterDown: critical('2m'),
    storageDown: critical('5m'),
    /** Share of ingest requests refused over the rate window. */
    ingestRejections: { ...warning('10m'), threshold: 0.05 } as ThresholdPolicy,
    /** Any update sent to an overflow series within the window. */
    cardinalityOverflow: { ...warning('0m'), threshold: 0, window: '15m' } as WindowPolicy,
    /** Any span dropped or failed to export within the window. */
    spansDropped: { ...warning('0m'), threshold: 0, window: '15m' } as WindowPolicy,
    /** Severity `none`: it always fires, so counting it would keep one alert active forever. */
    watchdog: { severity: 'none', for: '0m' } as AlertPolicy,
  },

  /** Alertmanager routing (document 000 section 4.3). */
  routing: {
    groupBy: ['alertname', 'component'],
    groupWait: '30s' as Duration,
    groupInterval: '5m' as Duration,
    repeatInterval: '4h' as Duration,
    /** Critical discovery alerts go to chat first and to the pager after this long unresolved. */
    discoveryEscalationDelay: '5m' as Duration,
    /**
     * Webhook receivers. Alertmanager 0.25 (Debian 12) has no `url_file` for webhooks, so
     * their addresses are service addresses here; what authenticates them is read from files.
     */
    webhooks: {
      /** tradewatch's own alert history: every alert, firing and resolved (the docker-compose service `exporter`, port 9473). */
      tradewatch: 'http://exporter:9473/alerts/webhook',
      /** Retraining service: the drift alerts (document 002's drift-triggered retraining). */
      retraining: 'http://retraining:8080/webhooks/alertmanager',
      /** Dead man's switch: receives the always-firing watchdog and pages when it stops. */
      deadMansSwitch: 'http://deadmansswitch:8080/ping',
    },
    /** Chat channels (Slack incoming webhooks; each webhook URL is a secret file). */
    channels: { alerts: '#trading-alerts', learning: '#trading-learning' },
    /** How often the dead man's switch hears from the watchdog. */
    watchdogRepeatInterval: '1m' as Duration,
    /**
     * Directory of the files receivers read their URLs and credentials from (Alertmanager's
     * `*_file` fields), mounted as secrets; nothing secret is committed.
     */
    secretsDir: '/etc/alertmanager/secrets',
  },

  /** Read by the dashboards only. */
  dashboards: {
    /**
     * Panel type of the discovery funnel: the `tradewatch-funnel-panel` plugin of grafana-plugin/
     * (the stack's Grafana loads it); `bargauge` for a Grafana without the plugin.
     */
    funnelPanel: 'tradewatch-funnel-panel' as 'bargauge' | 'tradewatch-funnel-panel',
  },
} as const;

export type MixinConfig = typeof config;

/** `metric{job="tradewatch"}`, or with extra matchers `metric{job="tradewatch",a="b"}`. */
export function selector(metric: string, ...matchers: string[]): string {
  return `${metric}{${[config.tradewatchSelector, ...matchers].join(',')}}`;
}

/** The runbook link of an alert: its section (heading) of docs/runbooks.md. */
export function runbookUrl(alertName: string): string {
  return `${config.runbookBaseUrl}#${alertName.toLowerCase()}`;
}

/** A Prometheus duration in seconds (for thresholds written as durations). */
export function durationSeconds(duration: Duration): number {
  const unit = duration.slice(-1);
  const value = Number(duration.slice(0, -1));
  const factor = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[unit];
  if (factor === undefined || !Number.isFinite(value)) throw new Error(`bad duration ${duration}`);
  return value * factor;
}
