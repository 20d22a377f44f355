import type { MetricDefinition } from '../metrics/definition.js';

/** Returns at a checkpoint, as ratios (0.25 = +25%); -1 is the lowest possible. */
export const RETURN_BUCKETS = [-0.5, -0.25, -0.1, 0, 0.1, 0.25, 0.5, 1, 2, 5];

/**
 * Recommendation tracking and missed opportunities (document 000 section 2). The families marked
 * "leader" are computed from `recommendation_tracking` and exported by the leader replica only
 * (empty elsewhere); the others count what this replica did. Units: docs/learning.md.
 */
export const recommendationMetrics = {
  received: {
    name: 'tradewatch_recommendations_received_total',
    type: 'counter',
    help: 'Recommendations accepted for tracking by this replica (identical retries not counted), by whether they were bought.',
    labelNames: ['bought'],
  },
  trackingUpdates: {
    name: 'tradewatch_recommendation_tracking_updates_total',
    type: 'counter',
    help: 'Tracked recommendations whose performance record this replica recomputed and rewrote with new values.',
    labelNames: [],
  },
  trackingFailures: {
    name: 'tradewatch_recommendation_tracking_failures_total',
    type: 'counter',
    help: 'Tracker passes that failed (database unreachable or write buffer full); their symbols are retried.',
    labelNames: [],
  },
  open: {
    name: 'tradewatch_recommendations_open',
    type: 'gauge',
    help: 'Recommendations still inside their tracking period (leader only), by whether they were bought.',
    labelNames: ['bought'],
  },
  outcomes: {
    name: 'tradewatch_recommendation_outcomes',
    type: 'gauge',
    help: 'Recommendations whose tracking period ended, by outcome category and whether they were bought (leader only).',
    labelNames: ['outcome', 'bought'],
  },
  returns: {
    name: 'tradewatch_recommendation_return_ratio',
    type: 'histogram',
    help: 'Return of tracked recommendations at each checkpoint since discovery (0.25 = +25%), by horizon (leader only).',
    labelNames: ['horizon'],
    unit: 'ratio',
    buckets: RETURN_BUCKETS,
  },
  missedOpportunities: {
    name: 'tradewatch_recommendation_missed_opportunities',
    type: 'gauge',
    help: 'Recommendations not bought whose peak return reached their missed-opportunity threshold, discovered within the configured window (leader only).',
    labelNames: [],
  },
  missedPotentialReturn: {
    name: 'tradewatch_recommendation_missed_opportunity_potential_return_ratio',
    type: 'gauge',
    help: 'Sum of the peak returns of those missed opportunities (document 000 total_potential_return, as a ratio; leader only).',
    labelNames: [],
    unit: 'ratio',
  },
  missedMaxPotentialReturn: {
    name: 'tradewatch_recommendation_missed_opportunity_max_potential_return_ratio',
    type: 'gauge',
    help: 'Largest peak return among those missed opportunities, 0 without any (document 000 alerts per opportunity; as a ratio; leader only).',
    labelNames: [],
    unit: 'ratio',
  },
  missedWindow: {
    name: 'tradewatch_recommendation_missed_opportunity_window_seconds',
    type: 'gauge',
    help: 'Window of the missed-opportunity gauges: recommendations discovered within this many seconds.',
    labelNames: [],
    unit: 'seconds',
  },
} as const satisfies Record<string, MetricDefinition>;
