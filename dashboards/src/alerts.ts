import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { statPanel, tablePanel, timeseriesPanel } from './lib/panels.js';
import { alerts as alertSeries, target } from './lib/query.js';
import { UID } from './lib/uids.js';

const SEVERITIES = [
  ['critical', 'red'],
  ['warning', 'orange'],
  ['info', 'blue'],
] as const;

const firing = 'alertstate="firing"';

/** Document 000 section 4.2's alert dashboard, read from Prometheus' own ALERTS series. */
export function alerts(): Dashboard {
  return buildDashboard({
    uid: UID.alerts,
    title: 'tradewatch / Alerts',
    description: 'tradewatch alerts firing and pending now, and how often they started over time.',
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
            description: 'Number of tradewatch alerts firing over time, by severity.',
            unit: 'short',
            targets: [target(`count by (severity) (${alertSeries(firing)})`, '{{severity}}')],
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
    ],
  });
}
