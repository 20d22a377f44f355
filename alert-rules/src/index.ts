import { discovery } from './discovery.js';
import { dipDetection } from './dip_detection.js';
import { learning } from './learning.js';
import { model } from './model.js';
import type { AlertingRule, ComponentRules, RecordingRule } from './rule.js';
import { systemHealth } from './system_health.js';
import { trading } from './trading.js';

/** Every component's rules, in the order the generated files list them. */
export const components: readonly ComponentRules[] = [
  discovery,
  learning,
  dipDetection,
  trading,
  model,
  systemHealth,
];

export function allAlerts(): AlertingRule[] {
  return components.flatMap((c) => c.alerts);
}

export function allRecordingRules(): RecordingRule[] {
  return components.flatMap((c) => c.recording);
}
