import { Type, type Static, type TInteger, type TOptional } from '@sinclair/typebox';
import { DriftConfigSchema } from '../drift/config.js';
import { ROLES, TOKEN_HASH_PATTERN } from '../security/tokens.js';
import { Enum, Identifier, IdentifierRecord } from '../validation.js';

/**
 * The exporter's whole configuration. Every threshold the upstream documents name lives here
 * (and is published as a metric, so alert rules compare against the same numbers).
 * Keys are snake_case as in the YAML file; unknown keys are rejected.
 */
const Strict = { additionalProperties: false } as const;
const PositiveSeconds = Type.Number({ exclusiveMinimum: 0 });

/**
 * The endpoint groups that have their own rate limit (docs/security.md, "Rate limits"). Writes:
 * the ingest kind of the route; reads: routes answering the same question share a group.
 */
export const WRITE_LIMIT_GROUPS = [
  'pipeline_run',
  'tick',
  'source_heartbeat',
  'price',
  'ranking',
  'recommendation',
  'prediction',
  'outcome',
  'baseline',
  'importance',
  'alert_webhook',
  'alert_ack',
  'manual_alert',
] as const;
export const READ_LIMIT_GROUPS = [
  'pipeline_status',
  'ranking_quality',
  'recommendation_status',
  'missed_opportunities',
  'portfolio_analysis',
  'alerts_status',
  'correlation',
  'audit',
] as const;
export type LimitGroup = (typeof WRITE_LIMIT_GROUPS)[number] | (typeof READ_LIMIT_GROUPS)[number];
/** Requests per window for some endpoint groups; unknown group names are refused. */
const EndpointLimits = Type.Object(
  Object.fromEntries(
    [...WRITE_LIMIT_GROUPS, ...READ_LIMIT_GROUPS].map((g) => [
      g,
      Type.Optional(Type.Integer({ minimum: 0 })),
    ]),
  ) as Record<LimitGroup, TOptional<TInteger>>,
  { ...Strict, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '0.0.0.0', minLength: 1 }),
        port: Type.Integer({ default: 9473, minimum: 0, maximum: 65535 }),
        body_limit_bytes: Type.Integer({ default: 1_048_576, minimum: 1024 }),
        max_batch_size: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
        shutdown_timeout_seconds: Type.Number({ default: 10, minimum: 0 }),
        /**
         * express's `trust proxy`: which `X-Forwarded-For` hops name the client (rate limits,
         * logs). false (default): the peer address; true: the leftmost; a number: that many
         * proxies; a string: trusted addresses or subnets ("loopback, 10.0.0.0/8").
         */
        trust_proxy: Type.Union(
          [Type.Boolean(), Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })],
          { default: false },
        ),
        /** HTTPS from certificate files (PEM); without it, plain HTTP. docs/security.md. */
        tls: Type.Optional(
          Type.Object(
            {
              cert_file: Type.String({ minLength: 1 }),
              key_file: Type.String({ minLength: 1 }),
              /** How often the files are checked for a new certificate (also on SIGHUP). */
              reload_interval_seconds: Type.Number({ default: 60, exclusiveMinimum: 0 }),
            },
            Strict,
          ),
        ),
      },
      { ...Strict, default: {} },
    ),
    /** Tokens and their roles (docs/security.md); plain tokens only from the environment. */
    auth: Type.Object(
      {
        /** Hashed tokens: `sha256:<hex>` or `scrypt:N:r:p:<salt hex>:<hash hex>`. */
        tokens: Type.Array(
          Type.Object(
            {
              name: Identifier,
              role: Enum(ROLES),
              hash: Type.String({ pattern: TOKEN_HASH_PATTERN }),
            },
            Strict,
          ),
          { default: [] },
        ),
        /** Role of `ingest.tokens` and TRADEWATCH_INGEST_TOKEN; auto: admin until an admin token exists. */
        legacy_tokens_role: Enum(['auto', 'writer', 'admin'], { default: 'auto' }),
        /** Whether the read APIs need a token (any role); by default they are open. */
        require_reader: Type.Boolean({ default: false }),
        metrics: Type.Object(
          {
            /** Whether `/metrics` needs a Bearer token (any role) or a Basic user below. */
            require_auth: Type.Boolean({ default: false }),
            basic_auth: Type.Array(
              Type.Object(
                {
                  username: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^:]+$' }),
                  password_hash: Type.String({ pattern: TOKEN_HASH_PATTERN }),
                },
                Strict,
              ),
              { default: [] },
            ),
          },
          { ...Strict, default: {} },
        ),
      },
      { ...Strict, default: {} },
    ),
    log: Type.Object(
      {
        level: Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          default: 'info',
        }),
      },
      { ...Strict, default: {} },
    ),
    ingest: Type.Object(
      {
        /**
         * Legacy plain tokens (also TRADEWATCH_INGEST_TOKEN), role `auth.legacy_tokens_role`:
         * prefer hashed `auth.tokens` and TRADEWATCH_WRITER_TOKEN.
         */
        tokens: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
      },
      { ...Strict, default: {} },
    ),
    rate_limit: Type.Object(
      {
        window_seconds: Type.Integer({ default: 60, minimum: 1 }),
        /** Requests per client, window and write endpoint group, unless `endpoints` names one; 0: none. */
        ingest_requests: Type.Integer({ default: 6000, minimum: 0 }),
        /** Requests per client, window and read endpoint group (document 000: status checks 100/minute). */
        read_requests: Type.Integer({ default: 100, minimum: 0 }),
        /** Per-endpoint-group limits (document 000 section 7: per-endpoint limits); 0: none. */
        endpoints: EndpointLimits,
        /** Per-token overrides ("user-specific overrides"), by token name, then endpoint group. */
        tokens: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), EndpointLimits, {
          default: {},
        }),
      },
      { ...Strict, default: {} },
    ),
    metrics: Type.Object(
      {
        max_series_per_metric: Type.Integer({ default: 10_000, minimum: 1 }),
        max_label_value_length: Type.Integer({ default: 128, minimum: 8, maximum: 1024 }),
      },
      { ...Strict, default: {} },
    ),
    pipeline: Type.Object(
      {
        /** Runs kept for `GET /v1/pipeline-runs` and the status endpoint. */
        history_size: Type.Integer({ default: 100, minimum: 1, maximum: 10_000 }),
      },
      { ...Strict, default: {} },
    ),
    engine: Type.Object(
      {
        heartbeat_interval_seconds: Type.Number({ default: 5, exclusiveMinimum: 0 }),
        /** Daily loss limit as a ratio of equity (0.05 = 5%). */
        daily_loss_limit_ratio: Type.Number({ default: 0.05, exclusiveMinimum: 0, maximum: 1 }),
        /** Largest allowed single position value, in account currency. */
        position_limit_value: Type.Number({ default: 50_000, exclusiveMinimum: 0 }),
        /** Per the engine's own window: document 001's snapshot reports errors of the last hour. */
        max_sentiment_failures_per_hour: Type.Integer({ default: 5, minimum: 0 }),
        artifact_staleness_hours: Type.Number({ default: 24, exclusiveMinimum: 0 }),
      },
      { ...Strict, default: {} },
    ),
    sources: Type.Object(
      {
        /** Expected update cadence of a data source that names none (document 003). */
        default_expected_interval_seconds: Type.Number({ default: 300, exclusiveMinimum: 0 }),
        expected_interval_seconds: IdentifierRecord(PositiveSeconds, { default: {} }),
      },
      { ...Strict, default: {} },
    ),
    storage: Type.Object(
      {
        /** PostgreSQL connection string (also DATABASE_URL); without it, embedded PGlite. */
        database_url: Type.Optional(Type.String({ minLength: 1 })),
        /** PGlite's data directory, relative to the working directory (`memory://` for none). */
        pglite_data_dir: Type.String({ default: '.tradewatch/data', minLength: 1 }),
        /** Writes held while the database is unreachable; past it ingest answers 503. */
        buffer_size: Type.Integer({ default: 100_000, minimum: 1 }),
        /** Writes per transaction. */
        batch_size: Type.Integer({ default: 500, minimum: 1, maximum: 100_000 }),
        /** Longest a write waits for its batch to fill. */
        flush_interval_ms: Type.Integer({ default: 200, minimum: 1, maximum: 60_000 }),
        /** Days each table keeps its rows (document 001: alerts 90, metrics 30); 0 keeps forever. */
        retention_days: Type.Object(
          {
            alerts: Type.Integer({ default: 90, minimum: 0 }),
            /** Longer than the 30-day tracking window, so a late evaluation still has its prices. */
            prices: Type.Integer({ default: 45, minimum: 0 }),
            pipeline_runs: Type.Integer({ default: 30, minimum: 0 }),
            rankings: Type.Integer({ default: 30, minimum: 0 }),
            thesis_strength_history: Type.Integer({ default: 30, minimum: 0 }),
            recommendation_tracking: Type.Integer({ default: 0, minimum: 0 }),
            /** The audit log, as long as the alerts it explains. */
            audit_log: Type.Integer({ default: 90, minimum: 0 }),
          },
          { ...Strict, default: {} },
        ),
        /** How often the leader runs retention. */
        retention_interval_seconds: Type.Number({ default: 3600, minimum: 1 }),
        /** How often a replica that is not leader tries to become it. */
        leader_retry_seconds: Type.Number({ default: 5, exclusiveMinimum: 0 }),
        /** How often the leader recomputes metrics from the shared tables (precision@K, outcomes). */
        shared_metrics_interval_seconds: Type.Number({ default: 15, exclusiveMinimum: 0 }),
      },
      { ...Strict, default: {} },
    ),
    /** Model monitoring: data and performance drift (documents 002, 004); docs/drift.md. */
    drift: DriftConfigSchema,
    /** Ranking quality of ranked lists (document 003 section 3); definitions in docs/ranking.md. */
    ranking: Type.Object(
      {
        /** Cut-offs K of precision@K, recall@K, hit rate@K, NDCG@K and MAP@K. */
        k_values: Type.Array(Type.Integer({ minimum: 1, maximum: 1000 }), {
          default: [1, 5, 10],
          minItems: 1,
          maxItems: 20,
          uniqueItems: true,
        }),
        /** Horizons (whole days) at which a list's items are judged from their prices. */
        horizons_days: Type.Array(Type.Integer({ minimum: 1, maximum: 365 }), {
          default: [1, 7],
          minItems: 1,
          maxItems: 10,
          uniqueItems: true,
        }),
        /** An item is relevant (a hit) when its return at the horizon is at least this (0.05 = +5%). */
        hit_threshold_ratio: Type.Number({ default: 0.05, exclusiveMinimum: -1 }),
        /** How far a start price may be from the list time, and an end price from the horizon end. */
        price_tolerance_hours: Type.Number({ default: 72, exclusiveMinimum: 0 }),
        /** Lists whose time is within this many days are evaluated (bounds each refresh). */
        lookback_days: Type.Number({ default: 30, exclusiveMinimum: 0 }),
        /** At most this many lists (the newest) are evaluated per refresh. */
        max_lists: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
        /** Items a list may hold; longer lists are refused. */
        max_list_items: Type.Integer({ default: 500, minimum: 1, maximum: 10_000 }),
      },
      { ...Strict, default: {} },
    ),
    /** Recommendation tracking and missed opportunities (document 000 section 2); docs/learning.md. */
    recommendations: Type.Object(
      {
        /** Days a recommendation is followed when its payload names no `tracking_period_days`. */
        tracking_days: Type.Integer({ default: 30, minimum: 1, maximum: 365 }),
        /** Checkpoints (days after discovery) when the payload names no `performance_checkpoints`. */
        checkpoint_days: Type.Array(Type.Integer({ minimum: 1, maximum: 365 }), {
          default: [1, 7, 14, 30],
          minItems: 1,
          maxItems: 30,
          uniqueItems: true,
        }),
        /** Outcome categories by peak return (ratio), checked from the top; below `poor` is failed. */
        outcome_min_peak_return_ratio: Type.Object(
          {
            explosive: Type.Number({ default: 1 }),
            strong: Type.Number({ default: 0.5 }),
            moderate: Type.Number({ default: 0.2 }),
            poor: Type.Number({ default: 0.05 }),
          },
          { ...Strict, default: {} },
        ),
        /** Missed opportunity / major move thresholds when the payload names no `alert_thresholds`. */
        missed_opportunity_return_ratio: Type.Number({ default: 0.25, minimum: 0 }),
        major_move_return_ratio: Type.Number({ default: 0.5, minimum: 0 }),
        /** How often the leader recomputes every open recommendation (checkpoints pass with time). */
        recompute_interval_seconds: Type.Number({ default: 300, minimum: 1 }),
        /** Window of the missed-opportunity metrics (discovered within the last N days). */
        missed_opportunity_window_days: Type.Integer({ default: 7, minimum: 1, maximum: 365 }),
      },
      { ...Strict, default: {} },
    ),
    /** Positions and buy-the-dip (document 000 section 3); definitions in docs/dip-detection.md. */
    positions: Type.Object(
      {
        /** A position whose return is at or below this is dipping (-0.1 = 10% below entry). */
        dip_threshold_ratio: Type.Number({ default: -0.1, exclusiveMinimum: -1, maximum: 0 }),
        /** Thesis strength (0..1) a dip needs to be a buy-the-dip candidate ("thesis still valid"). */
        min_thesis_strength: Type.Number({ default: 0.6, minimum: 0, maximum: 1 }),
        /** Dip severity: MILD, MODERATE, SEVERE when the return is at or below each bound. */
        severity: Type.Object(
          {
            mild_ratio: Type.Number({ default: -0.05, exclusiveMinimum: -1, maximum: 0 }),
            moderate_ratio: Type.Number({ default: -0.1, exclusiveMinimum: -1, maximum: 0 }),
            severe_ratio: Type.Number({ default: -0.2, exclusiveMinimum: -1, maximum: 0 }),
          },
          { ...Strict, default: {} },
        ),
        /** Thesis strength labels: STRONG, MODERATE at or above each bound, else WEAK. */
        strength: Type.Object(
          {
            strong: Type.Number({ default: 0.7, minimum: 0, maximum: 1 }),
            moderate: Type.Number({ default: 0.4, minimum: 0, maximum: 1 }),
          },
          { ...Strict, default: {} },
        ),
        /** Weights of the thesis evaluation factors (renormalised over those a holding reports). */
        thesis_weights: Type.Object(
          {
            volume_thesis_match: Type.Number({ default: 0.35, minimum: 0 }),
            catalyst_timeline: Type.Number({ default: 0.25, minimum: 0 }),
            technical_pattern_integrity: Type.Number({ default: 0.25, minimum: 0 }),
            market_regime_alignment: Type.Number({ default: 0.15, minimum: 0 }),
          },
          { ...Strict, default: {} },
        ),
        /** The catalyst_timeline factor (0..1) for each catalyst_timeline_status. */
        catalyst_scores: Type.Object(
          {
            on_track: Type.Number({ default: 1, minimum: 0, maximum: 1 }),
            delayed: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
            expired: Type.Number({ default: 0, minimum: 0, maximum: 1 }),
          },
          { ...Strict, default: {} },
        ),
        /** Support and resistance from the stored prices: pivots, clustered. */
        levels: Type.Object(
          {
            lookback_days: Type.Number({ default: 30, exclusiveMinimum: 0 }),
            /** A pivot is the lowest (highest) price among this many prices on each side. */
            pivot_window: Type.Integer({ default: 2, minimum: 1, maximum: 100 }),
            /** Pivots within this ratio of a level's lowest pivot join that level. */
            cluster_tolerance_ratio: Type.Number({ default: 0.02, minimum: 0, maximum: 1 }),
            /** Support and resistance levels reported at most, nearest first. */
            max_levels: Type.Integer({ default: 3, minimum: 1, maximum: 20 }),
          },
          { ...Strict, default: {} },
        ),
        /** A candidate's recommended addition as a ratio of the position's value. */
        buy_more_size_ratio: Type.Number({ default: 0.15, minimum: 0, maximum: 10 }),
        /**
         * Thesis evaluations are recorded at most this often per engine and symbol (0: every
         * snapshot), and whenever the label or the thesis changes.
         */
        evaluation_interval_seconds: Type.Number({ default: 300, minimum: 0 }),
      },
      { ...Strict, default: {} },
    ),
    alerts: Type.Object(
      {
        /** Alertmanager's base URL: manual alerts, acknowledgements (silences); none: those answer 503. */
        alertmanager_url: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+[^\\s]*$' })),
        /** Where the webhook's history is appended as `<date>.jsonl` (document 001's alert log). */
        log_dir: Type.String({ default: 'logs/alerts', minLength: 1 }),
        /** Longest a call to Alertmanager may take before it counts as a failure. */
        request_timeout_seconds: Type.Number({ default: 2, exclusiveMinimum: 0, maximum: 60 }),
        /** Delays between retries of queued manual alerts; the last one repeats (document 000 1.2). */
        retry_delays_seconds: Type.Array(PositiveSeconds, {
          default: [1, 2, 4, 8],
          minItems: 1,
          maxItems: 20,
        }),
        /** Document 000 section 6.5, alert_delivery: open after 3 failures in a row, for 60 s. */
        circuit_breaker: Type.Object(
          {
            failure_threshold: Type.Integer({ default: 3, minimum: 1 }),
            open_seconds: Type.Number({ default: 60, exclusiveMinimum: 0 }),
          },
          { ...Strict, default: {} },
        ),
        /** Manual alerts waiting for Alertmanager at most; past it `POST /v1/alerts` answers 503. */
        max_queued: Type.Integer({ default: 10_000, minimum: 1 }),
        /** How long the silence of an acknowledgement lasts unless the request names a duration. */
        ack_silence_minutes: Type.Integer({ default: 120, minimum: 1, maximum: 10_080 }),
        /**
         * A firing alert with no notification for this long no longer counts as active (its
         * resolution was never sent): keep it above the longest repeat_interval of the routes.
         */
        firing_stale_hours: Type.Number({ default: 24, exclusiveMinimum: 0 }),
      },
      { ...Strict, default: {} },
    ),
  },
  Strict,
);

export type Config = Static<typeof ConfigSchema>;
