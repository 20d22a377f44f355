import type { MetricDefinition } from '../metrics/definition.js';

/**
 * The alert history, manual alerts and the Alertmanager client (docs/alerting.md). Label values
 * are closed sets: status (firing, resolved), severity (critical, warning, info, none), kind
 * (pipeline, buy_more), operation (post_alerts, post_silence), state (closed, open, half_open).
 */
export const alertMetrics = {
  received: {
    name: 'tradewatch_alerts_received_total',
    type: 'counter',
    help: 'Alert notifications stored from the Alertmanager webhook (repeats of a stored one not counted).',
    labelNames: ['status', 'severity'],
  },
  logWriteFailures: {
    name: 'tradewatch_alerts_log_write_failures_total',
    type: 'counter',
    help: 'Appends to the JSONL alert log that failed (the notifications are still stored).',
    labelNames: [],
  },
  acknowledgements: {
    name: 'tradewatch_alerts_acknowledgements_total',
    type: 'counter',
    help: 'Alerts acknowledged (an Alertmanager silence created and the acknowledgement stored).',
    labelNames: [],
  },
  manualSent: {
    name: 'tradewatch_alerts_manual_sent_total',
    type: 'counter',
    help: 'Manual alerts (POST /v1/alerts) Alertmanager took, at once or from the retry queue.',
    labelNames: ['kind'],
  },
  manualQueuedTotal: {
    name: 'tradewatch_alerts_manual_queued_total',
    type: 'counter',
    help: 'Manual alerts Alertmanager could not take at once, stored for retry.',
    labelNames: ['kind'],
  },
  manualFailures: {
    name: 'tradewatch_alerts_manual_failures_total',
    type: 'counter',
    help: 'Manual alerts Alertmanager refused (4xx): dropped from the queue, since a retry cannot succeed.',
    labelNames: ['kind'],
  },
  manualPending: {
    name: 'tradewatch_alerts_manual_pending',
    type: 'gauge',
    help: 'Manual alerts waiting in the retry queue of this replica.',
    labelNames: [],
  },
  alertmanagerRequests: {
    name: 'tradewatch_alerts_alertmanager_requests_total',
    type: 'counter',
    help: 'Calls made to the Alertmanager API, by operation.',
    labelNames: ['operation'],
  },
  alertmanagerFailures: {
    name: 'tradewatch_alerts_alertmanager_request_failures_total',
    type: 'counter',
    help: 'Calls to the Alertmanager API that failed (unreachable, timed out or 5xx), by operation.',
    labelNames: ['operation'],
  },
  breakerState: {
    name: 'tradewatch_alerts_alertmanager_circuit_breaker_state',
    type: 'gauge',
    help: "1 for the current state of the Alertmanager client's circuit breaker (closed, open, half_open), 0 for the others.",
    labelNames: ['state'],
  },
} as const satisfies Record<string, MetricDefinition>;
