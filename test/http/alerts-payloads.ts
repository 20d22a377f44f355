/** Document 000's manual alerts (sections 1.3 and 3.3) as printed, and Alertmanager webhook bodies. */

export const pipelineAlert = (alertId: string, createdAt: string) => ({
  alert_id: alertId,
  severity: 'CRITICAL',
  component: 'volume_filtering',
  title: 'Discovery Pipeline Failure',
  message: 'Volume filtering stage failed - no candidates found for 3 consecutive runs',
  details: {
    pipeline_run_id: 'discovery_20250903_143022',
    failed_stage: 'volume_filtering',
    error_code: 'NO_VOLUME_SPIKE_CANDIDATES',
    consecutive_failures: 3,
    last_successful_run: '2025-09-03T14:15:22Z',
  },
  recommended_actions: [
    'Check volume spike thresholds - current: 10.0x minimum',
    'Verify Polygon API data quality',
    'Consider temporary threshold relaxation',
  ],
  escalation_required: true,
  created_at: createdAt,
});

export const buyMoreAlert = (alertId: string, createdAt: string) => ({
  alert_id: alertId,
  alert_type: 'BUY_MORE_OPPORTUNITY',
  symbol: 'QUBT',
  priority: 'HIGH',
  current_price: 2.45,
  entry_price: 2.94,
  dip_percentage: -16.7,
  thesis_validation: {
    original_thesis: 'Explosive volume surge with tight squeeze metrics matching VIGL pattern',
    thesis_strength: 'STRONG',
    validation_factors: [
      'Volume still 12.5x average (thesis: >10x) ✓',
      'Short interest increased to 22% (thesis: >18%) ✓',
      'Float remains tight at 15.2M shares ✓',
      'No fundamental deterioration detected ✓',
    ],
    invalidating_factors: [],
  },
  buy_more_recommendation: {
    recommended_action: 'BUY_MORE',
    confidence: 0.82,
    recommended_size_usd: 225.0,
    recommended_size_pct: 15.0,
    price_targets: { support_level: 2.4, entry_range_low: 2.35, entry_range_high: 2.5 },
    risk_management: {
      stop_loss: 2.15,
      take_profit_1: 3.25,
      take_profit_2: 4.15,
      max_position_size_usd: 2500.0,
      risk_reward_ratio: 3.2,
    },
  },
  catalyst_timeline: 'Expected catalyst within 7-14 days based on pattern analysis',
  historical_precedent: 'Similar to VIGL pattern day 5-7 before +324% move',
  created_at: createdAt,
});

export interface TestAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
}

/** A version 4 webhook body as Alertmanager sends it. */
export const webhook = (alerts: TestAlert[]) => ({
  version: '4',
  groupKey: '{}:{alertname="test"}',
  truncatedAlerts: 0,
  status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
  receiver: 'tradewatch',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  alerts: alerts.map((a) => ({
    annotations: {},
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph',
    ...a,
  })),
});
