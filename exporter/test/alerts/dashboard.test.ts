import { describe, expect, it } from 'vitest';
import { buildDashboard, trend } from '../../src/alerts/dashboard.js';
import type { Occurrence } from '../../src/alerts/store.js';
import { generatedAlertLabels } from '../../../test/alerting/rules-harness.js';

const NOW = new Date('2025-09-03T15:00:00Z');
let nextId = 1;
const occurrence = (
  labels: Record<string, string>,
  minutesAgo: number,
  annotations: Record<string, string> = {},
  acked = false,
): Occurrence => ({
  id: nextId++,
  fingerprint: `f${nextId}`,
  status: 'firing',
  labels,
  annotations,
  startsAt: new Date(NOW.getTime() - minutesAgo * 60_000),
  endsAt: null,
  receivedAt: NOW,
  ack: acked
    ? { by: 'alice', comment: '', silenceId: 's', at: NOW, expiresAt: new Date(NOW.getTime() + 1) }
    : null,
});

describe('trend: last 24 h against the 24 h before', () => {
  it.each([
    [0, 0, 'stable'],
    [1, 0, 'worsening'],
    [0, 1, 'improving'],
    [11, 10, 'stable'], // 1 < 20 % of 10
    [12, 10, 'worsening'],
    [8, 10, 'improving'],
    [9, 10, 'stable'],
  ] as const)('%i against %i is %s', (last, previous, expected) => {
    expect(trend(last, previous)).toBe(expected);
  });
});

describe('dashboard (document 000 section 4.2)', () => {
  const active = [
    occurrence({ alertname: 'A', severity: 'warning', component: 'discovery' }, 5),
    occurrence({ alertname: 'B', severity: 'critical', component: 'discovery' }, 15, {
      summary: 'Volume filtering failed.',
      estimated_revenue_impact_usd: '2500',
    }),
    occurrence({ alertname: 'C', severity: 'critical', component: 'trading' }, 30, {}, true),
    occurrence({ alertname: 'D', severity: 'info', component: 'dip_detection' }, 3, {
      value_usd: '225',
      confidence: '0.82',
    }),
    occurrence({ alertname: 'E', severity: 'info', component: 'dip_detection' }, 4, {
      value_usd: '3525',
      confidence: '0.87',
    }),
    occurrence({ alertname: 'Watchdog', severity: 'none' }, 600),
  ];
  const board = buildDashboard(
    active,
    [
      { component: 'discovery', lastDay: 12, previousDay: 4 },
      { component: 'learning', lastDay: 2, previousDay: 2 },
    ],
    NOW,
    10,
  );

  it('counts active alerts by severity, leaving out severity none', () => {
    expect(board.alert_summary).toEqual({
      total_active_alerts: 5,
      critical_alerts: 2,
      warning_alerts: 1,
      info_alerts: 2,
      unacknowledged_alerts: 4,
    });
  });

  it('lists unacknowledged critical then warning alerts, oldest first', () => {
    expect(board.priority_alerts.map((p) => [p.severity, p.message, p.age_minutes])).toEqual([
      ['CRITICAL', 'Volume filtering failed.', 15],
      ['WARNING', 'A', 5],
    ]);
    expect(board.priority_alerts[0]).toMatchObject({
      component: 'discovery',
      requires_immediate_action: true,
      estimated_revenue_impact_usd: 2500,
    });
  });

  it('computes the categories from the components', () => {
    expect(board.alert_categories).toEqual({
      discovery_health: { active_count: 2, trend: 'worsening', last_24h_count: 12 },
      learning_opportunities: {
        active_count: 0,
        trend: 'stable',
        last_24h_count: 2,
        missed_opportunities_value_usd: null,
      },
      buy_the_dip: {
        active_count: 2,
        trend: 'stable',
        last_24h_count: 0,
        total_opportunity_usd: 3750,
        highest_confidence: 0.87,
      },
      trading: { active_count: 1, trend: 'stable', last_24h_count: 0 },
    });
  });
});

describe('the generated Watchdog (alert-rules/alerts.yml)', () => {
  // Its labels as Prometheus sends them, read from the generated rules: a hand-made copy would
  // not notice the rule's severity changing.
  const watchdog = occurrence(generatedAlertLabels('TradewatchWatchdog'), 24 * 60);

  it('is in no count of the dashboard, however long it fires', () => {
    const board = buildDashboard([watchdog], [], NOW, 10);
    expect(board.alert_summary).toEqual({
      total_active_alerts: 0,
      critical_alerts: 0,
      warning_alerts: 0,
      info_alerts: 0,
      unacknowledged_alerts: 0,
    });
    expect(board.priority_alerts).toEqual([]);
    expect(Object.keys(board.alert_categories)).not.toContain('system_health');
  });
});
