/**
 * Document 000 section 4.2's alert dashboard, computed from the history (pure). Definitions
 * (docs/alerting.md):
 * - active: firing, and notified within `alerts.firing_stale_hours`; severity `none` (Watchdog
 *   and the like) is left out of every figure.
 * - priority alerts: active, unacknowledged, critical or warning; critical first, then oldest.
 * - categories follow the `component` label; document 000's three keep their names
 *   (discovery_health, learning_opportunities, buy_the_dip), the others are named after it.
 * - trend: occurrences started in the last 24 h against the 24 h before: `worsening` when up by
 *   at least max(1, 20 % of the earlier count), `improving` when down by as much, else `stable`.
 * - money and confidence figures come from the annotations `value_usd`, `confidence` and
 *   `estimated_revenue_impact_usd`; absent ones count as nothing (null when none has one).
 */
import { messageOf, severityOf } from './record.js';
import type { ComponentCounts, Occurrence } from './store.js';

export type Trend = 'worsening' | 'improving' | 'stable';

export function trend(lastDay: number, previousDay: number): Trend {
  const margin = Math.max(1, 0.2 * previousDay);
  if (lastDay - previousDay >= margin) return 'worsening';
  if (previousDay - lastDay >= margin) return 'improving';
  return 'stable';
}

const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  discovery: 'discovery_health',
  learning: 'learning_opportunities',
  dip_detection: 'buy_the_dip',
};
const categoryOf = (component: string): string =>
  CATEGORY_NAMES[component] ?? (component === '' ? 'uncategorised' : component);

export interface PriorityAlert {
  alert_id: string;
  severity: string;
  component: string | null;
  message: string;
  age_minutes: number;
  requires_immediate_action: boolean;
  estimated_revenue_impact_usd: number | null;
  alertname: string;
  fingerprint: string;
  starts_at: string;
}

export interface Category {
  active_count: number;
  trend: Trend;
  last_24h_count: number;
  missed_opportunities_value_usd?: number | null;
  total_opportunity_usd?: number | null;
  highest_confidence?: number | null;
}

export interface Dashboard {
  dashboard_timestamp: string;
  alert_summary: {
    total_active_alerts: number;
    critical_alerts: number;
    warning_alerts: number;
    info_alerts: number;
    unacknowledged_alerts: number;
  };
  priority_alerts: PriorityAlert[];
  alert_categories: Record<string, Category>;
}

const annotationNumber = (o: Occurrence, name: string): number | undefined => {
  const text = o.annotations[name];
  const n = text === undefined || text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
};

/** Sum (or max) of an annotation over occurrences; null when none carries it. */
function fold(list: readonly Occurrence[], name: string, op: 'sum' | 'max'): number | null {
  const values = list.flatMap((o) => annotationNumber(o, name) ?? []);
  if (values.length === 0) return null;
  return op === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
}

export function buildDashboard(
  occurrences: readonly Occurrence[],
  counts: readonly ComponentCounts[],
  now: Date,
  priorityLimit: number,
): Dashboard {
  const active = occurrences.filter((o) => severityOf(o.labels) !== 'none');
  const bySeverity = (s: string) => active.filter((o) => severityOf(o.labels) === s).length;
  const unacknowledged = active.filter((o) => o.ack === null);
  const rank = { critical: 0, warning: 1 } as Record<string, number>;
  const priority = unacknowledged
    .filter((o) => severityOf(o.labels) in rank)
    .sort(
      (a, b) =>
        (rank[severityOf(a.labels)] ?? 2) - (rank[severityOf(b.labels)] ?? 2) ||
        a.startsAt.getTime() - b.startsAt.getTime() ||
        a.id - b.id,
    )
    .slice(0, priorityLimit)
    .map((o): PriorityAlert => {
      const severity = severityOf(o.labels);
      return {
        alert_id: String(o.id),
        severity: severity.toUpperCase(),
        component: o.labels.component ?? null,
        message: messageOf(o.labels, o.annotations),
        age_minutes: Math.max(0, Math.floor((now.getTime() - o.startsAt.getTime()) / 60_000)),
        requires_immediate_action: severity === 'critical',
        estimated_revenue_impact_usd: annotationNumber(o, 'estimated_revenue_impact_usd') ?? null,
        alertname: o.labels.alertname ?? '',
        fingerprint: o.fingerprint,
        starts_at: o.startsAt.toISOString(),
      };
    });

  const components = new Set([
    ...Object.keys(CATEGORY_NAMES),
    ...active.map((o) => o.labels.component ?? ''),
    ...counts.map((c) => c.component),
  ]);
  const categories: Record<string, Category> = {};
  for (const component of [...components].sort()) {
    const own = active.filter((o) => (o.labels.component ?? '') === component);
    const count = counts.find((c) => c.component === component);
    const category: Category = {
      active_count: own.length,
      trend: trend(count?.lastDay ?? 0, count?.previousDay ?? 0),
      last_24h_count: count?.lastDay ?? 0,
    };
    if (component === 'learning') {
      category.missed_opportunities_value_usd = fold(own, 'value_usd', 'sum');
    }
    if (component === 'dip_detection') {
      category.total_opportunity_usd = fold(own, 'value_usd', 'sum');
      category.highest_confidence = fold(own, 'confidence', 'max');
    }
    categories[categoryOf(component)] = category;
  }

  return {
    dashboard_timestamp: now.toISOString(),
    alert_summary: {
      total_active_alerts: active.length,
      critical_alerts: bySeverity('critical'),
      warning_alerts: bySeverity('warning'),
      info_alerts: bySeverity('info'),
      unacknowledged_alerts: unacknowledged.length,
    },
    priority_alerts: priority,
    alert_categories: categories,
  };
}
