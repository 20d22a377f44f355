import { type GrafanaTheme2, getActiveThreshold, type ThresholdsConfig } from '@grafana/data';

import type { FunnelStage } from './compute';

/**
 * Colour of a stage's surviving symbols, from the panel's thresholds applied to its drop-off in
 * percent (0–100). Since drop-off is already a percentage, absolute and percentage threshold
 * modes mean the same here. A stage with no drop-off (the first, or one with no input) takes
 * the base colour.
 */
export function dropOffColor(
  dropOff: number | undefined,
  thresholds: ThresholdsConfig | undefined,
  theme: GrafanaTheme2,
): string {
  const steps = thresholds?.steps ?? [];
  if (steps.length === 0) return theme.colors.primary.main;
  const percent = dropOff === undefined ? Number.NEGATIVE_INFINITY : dropOff * 100;
  return theme.visualization.getColorByName(getActiveThreshold(percent, steps).color);
}

/**
 * Reasons take hues that the surviving symbols never do: those are green, orange or red by
 * default thresholds, and a reason in the same colour would read as survivors or as an alarm.
 */
const REASON_HUES = [
  'blue',
  'purple',
  'yellow',
  'super-light-blue',
  'dark-purple',
  'dark-yellow',
  'dark-blue',
  'super-light-purple',
];

/** One colour per elimination reason, the same in every stage, in order of first appearance. */
export function reasonColors(stages: FunnelStage[], theme: GrafanaTheme2): Map<string, string> {
  const colors = new Map<string, string>();
  for (const stage of stages) {
    for (const { reason } of stage.reasons) {
      if (colors.has(reason)) continue;
      const hue = REASON_HUES[colors.size % REASON_HUES.length] ?? 'blue';
      colors.set(reason, theme.visualization.getColorByName(hue));
    }
  }
  return colors;
}
