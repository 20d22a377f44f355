/**
 * Document 000's manual alerts as Alertmanager alerts: labels alertname, severity and component
 * (what routing and inhibition match on), plus the alert's own id so that each alert is its own
 * Alertmanager alert and a repeat of it updates that alert instead of adding one; the payload's
 * text and figures go to annotations, the whole payload to `payload`. No `endsAt`: Alertmanager
 * resolves a one-off alert after its resolve_timeout.
 */
import type { PostableAlert } from './alertmanager.js';
import { COMPONENTS, type BuyMoreAlert, type ManualAlert, type PipelineAlert } from './schema.js';

export const MANUAL_ALERTNAMES = {
  pipeline: 'TradewatchPipelineAlert',
  buy_more: 'TradewatchBuyMoreOpportunity',
} as const;

/** Document 000's four levels on this stack's three: an emergency pages like a critical. */
const PIPELINE_SEVERITY = {
  INFO: 'info',
  WARNING: 'warning',
  CRITICAL: 'critical',
  EMERGENCY: 'critical',
} as const;

export function toAlertmanagerAlert(manual: ManualAlert): PostableAlert {
  return manual.kind === 'pipeline' ? pipelineAlert(manual.alert) : buyMoreAlert(manual.alert);
}

export const manualAlertId = (manual: ManualAlert): string => manual.alert.alert_id;

function pipelineAlert(a: PipelineAlert): PostableAlert {
  // Document 000's `component` is a pipeline stage (volume_filtering) or one of the components.
  const isComponent = (COMPONENTS as readonly string[]).includes(a.component);
  const labels: Record<string, string> = {
    alertname: MANUAL_ALERTNAMES.pipeline,
    severity: PIPELINE_SEVERITY[a.severity],
    component: isComponent ? a.component : 'discovery',
    alert_id: a.alert_id,
  };
  if (!isComponent) labels.stage = a.component;
  return {
    labels,
    annotations: compact({
      summary: a.title,
      description: a.message,
      upstream_severity: a.severity,
      recommended_actions: a.recommended_actions?.join('\n'),
      escalation_required: a.escalation_required?.toString(),
      estimated_revenue_impact_usd: numberText(a.details?.estimated_revenue_impact_usd),
      details: a.details === undefined ? undefined : JSON.stringify(a.details),
      payload: JSON.stringify(a),
    }),
    startsAt: a.created_at,
  };
}

function buyMoreAlert(a: BuyMoreAlert): PostableAlert {
  const rec = a.buy_more_recommendation;
  const thesis = a.thesis_validation;
  return {
    labels: {
      alertname: MANUAL_ALERTNAMES.buy_more,
      severity: 'info',
      component: 'dip_detection',
      alert_id: a.alert_id,
      symbol: a.symbol,
      priority: a.priority,
    },
    annotations: compact({
      summary: `Buy more ${a.symbol}: ${Math.abs(a.dip_percentage)}% below the entry price.`,
      description: `${a.symbol} trades at ${a.current_price} against an entry of ${a.entry_price}.`,
      value_usd: numberText(rec?.recommended_size_usd),
      confidence: numberText(rec?.confidence),
      thesis_strength: thesis?.thesis_strength,
      recommended_action: rec?.recommended_action,
      catalyst_timeline: a.catalyst_timeline,
      payload: JSON.stringify(a),
    }),
    startsAt: a.created_at,
  };
}

const numberText = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;

function compact(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined),
  );
}
