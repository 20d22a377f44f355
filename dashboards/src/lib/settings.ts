import { config } from '../../../mixin/config.js';

/**
 * The part of the mixin configuration the dashboards read: the same selector and thresholds
 * the alert rules are generated from, so a panel's red line is where the alert fires.
 */
export const settings = {
  selector: config.tradewatchSelector,
  alertNamePrefix: config.alertNamePrefix,
  trading: config.trading,
  discovery: config.discovery,
  model: config.model,
  learning: config.learning,
  systemHealth: config.systemHealth,
  funnelPanel: config.dashboards.funnelPanel,
} as const;
