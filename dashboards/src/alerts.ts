import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { MappingType, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { stateTimelinePanel, statPanel, tablePanel, timeseriesPanel } from './lib/panels.js';
import { alerts as alertSeries, increase, series, target } from './lib/query.js';
import { UID } from './lib/uids.js';

const SEVERITIES = [
  ['critical', 'red'],
  ['warning', 'orange'],
  ['info', 'blue'],
] as const;

const firing = 'alertstate="firing"';

const BREAKER = 'tradewatch_alerts_alertmanager_circuit_breaker_state';

/** The breaker's state as one number per instance (0 closed, 1 half-open, 2 open). */
const breakerCode =
  `2 * max by (instance) (${series(BREAKER, 'state="open"')})` +
  ` + max by (instance) (${series(BREAKER, 'state="half_open"')})`;

const BREAKER_STATES: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'closed', color: 'green', index: 0 },
      '1': { text: 'half-open', color: 'orange', index: 1 },
      '2': { text: 'OPEN', color: 'red', index: 2 },
    },
  },
];

/** Per interval, summed by `by`: the exporter's alert counters. */
const perInterval = (metric: string, by: string) => `sum by (${by}) (${increase(metric)})`;

/** Document 000 section 4.2's alert dashboard, read from Prometheus' own ALERTS series. */
export function alerts(): Dashboard {
  return buildDashboard({
    uid: UID.alerts,
    title: 'tradewatch / Alerts',
    description:
      "tradewatch alerts firing and pending now, how often they started over time, and the exporter's alert history, manual alerts and Alertmanager client.",
    tags: ['alerts'],
    from: 'now-24h',
    rows: [
      {
        title: 'Now',
        panels: [
          ...SEVERITIES.map(([severity, color]) =>
            statPanel({
              title: `Firing ${severity}`,
              description: `tradewatch alerts of severity ${severity} firing now.`,
              unit: 'short',
              targets: [
                target(
                  `count(${alertSeries(`${firing}, severity="${severity}"`)}) or vector(0)`,
                  severity,
                  {
                    instant: true,
                  },
                ),
              ],
              thresholds: [
                ['green', null],
                [color, 1],
              ],
              width: 6,
              height: 4,
            }),
          ),
          statPanel({
            title: 'Pending',
            description: 'Alerts whose condition holds but not yet for their `for` duration.',
            unit: 'short',
            targets: [
              target(`count(${alertSeries('alertstate="pending"')}) or vector(0)`, 'pending', {
                instant: true,
              }),
            ],
            thresholds: [
              ['green', null],
              ['yellow', 1],
            ],
            width: 6,
            height: 4,
          }),
          tablePanel({
            title: 'Active alerts',
            description:
              'Every tradewatch alert firing or pending now, with its labels (component, severity, engine, pipeline...).',
            unit: 'none',
            targets: [
              target(alertSeries('alertstate=~"firing|pending"'), '{{alertname}}', {
                instant: true,
                format: 'table',
              }),
            ],
            width: 24,
            height: 10,
          }),
        ],
      },
      {
        title: 'History',
        panels: [
          timeseriesPanel({
            title: 'Firing alerts by severity',
            description:
              'Number of tradewatch alerts firing over time, by severity (the always-firing Watchdog, severity none, left out).',
            unit: 'short',
            targets: [
              target(
                `count by (severity) (${alertSeries(`${firing}, severity!="none"`)})`,
                '{{severity}}',
              ),
            ],
            stacked: true,
            width: 12,
          }),
          timeseriesPanel({
            title: 'Alerts started',
            description:
              'Alerts that started firing per interval, by name: firing now but not one interval earlier.',
            unit: 'short',
            targets: [
              target(
                `count by (alertname, severity) (${alertSeries(firing)} unless ${alertSeries(firing)} offset $__interval)`,
                '{{alertname}} ({{severity}})',
              ),
            ],
            bars: true,
            stacked: true,
            width: 12,
          }),
        ],
      },
      {
        title: 'Alert history and Alertmanager client (the exporter)',
        panels: [
          timeseriesPanel({
            title: 'Notifications stored',
            description:
              "Alertmanager notifications the exporter's webhook stored in the alert history per interval, by status and severity (repeats of a stored notification not counted).",
            unit: 'short',
            targets: [
              target(
                perInterval('tradewatch_alerts_received_total', 'status, severity'),
                '{{status}} {{severity}}',
              ),
            ],
            bars: true,
            stacked: true,
            width: 12,
          }),
          timeseriesPanel({
            title: 'Acknowledgements and alert log',
            description:
              'Alerts acknowledged (a silence created) and failed appends to the JSONL alert log, per interval.',
            unit: 'short',
            targets: [
              target(
                perInterval('tradewatch_alerts_acknowledgements_total', 'job'),
                'acknowledged',
              ),
              target(
                perInterval('tradewatch_alerts_log_write_failures_total', 'job'),
                'log write failed',
              ),
            ],
            width: 12,
          }),
          timeseriesPanel({
            title: 'Manual alerts',
            description:
              'Manual alerts (POST /v1/alerts) per interval: taken by Alertmanager, queued for retry, or refused (4xx, dropped).',
            unit: 'short',
            targets: [
              target(perInterval('tradewatch_alerts_manual_sent_total', 'kind'), 'sent {{kind}}'),
              target(
                perInterval('tradewatch_alerts_manual_queued_total', 'kind'),
                'queued {{kind}}',
              ),
              target(
                perInterval('tradewatch_alerts_manual_failures_total', 'kind'),
                'refused {{kind}}',
              ),
            ],
            width: 8,
          }),
          statPanel({
            title: 'Manual alerts waiting',
            description:
              'Manual alerts in the retry queue, summed over the replicas: Alertmanager could not take them yet. Only with alerts.alertmanager_url set.',
            unit: 'short',
            targets: [
              target(`sum(${series('tradewatch_alerts_manual_pending')})`, 'waiting', {
                instant: true,
              }),
            ],
            thresholds: [
              ['green', null],
              ['orange', 1],
            ],
            sparkline: true,
            width: 4,
          }),
          timeseriesPanel({
            title: 'Alertmanager API calls',
            description:
              'Calls the exporter made to the Alertmanager API per interval, and those that failed (unreachable, timed out or 5xx), by operation. Only with alerts.alertmanager_url set.',
            unit: 'short',
            targets: [
              target(
                perInterval('tradewatch_alerts_alertmanager_requests_total', 'operation'),
                'calls {{operation}}',
              ),
              target(
                perInterval('tradewatch_alerts_alertmanager_request_failures_total', 'operation'),
                'failed {{operation}}',
              ),
            ],
            width: 6,
          }),
          stateTimelinePanel({
            title: 'Alertmanager circuit breaker',
            description:
              "State of each replica's circuit breaker on Alertmanager calls: open after repeated failures (calls are queued, not made), half-open while one trial call runs. Only with alerts.alertmanager_url set.",
            unit: 'none',
            targets: [target(breakerCode, '{{instance}}')],
            mappings: BREAKER_STATES,
            width: 6,
          }),
        ],
      },
    ],
  });
}
