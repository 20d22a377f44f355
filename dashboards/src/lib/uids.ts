/**
 * Dashboard uids: stable, because links between the dashboards, bookmarks and alert annotations
 * point at them. Changing one breaks every saved link to that dashboard.
 */
export const UID = {
  overview: 'tradewatch-overview',
  pipeline: 'tradewatch-pipeline',
  trading: 'tradewatch-trading',
  drift: 'tradewatch-model-drift',
  recommendations: 'tradewatch-recommendations',
  alerts: 'tradewatch-alerts',
  exporter: 'tradewatch-exporter',
} as const;
