import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { alerts } from './alerts.js';
import { drift } from './drift.js';
import { exporter } from './exporter.js';
import { overview } from './overview.js';
import { pipeline } from './pipeline.js';
import { recommendations } from './recommendations.js';
import { trading } from './trading.js';

/** Every dashboard of the bundle, by file name (without `.json`) in dashboards/generated/. */
export function dashboards(): Record<string, Dashboard> {
  return {
    overview: overview(),
    pipeline: pipeline(),
    trading: trading(),
    drift: drift(),
    recommendations: recommendations(),
    alerts: alerts(),
    exporter: exporter(),
  };
}
