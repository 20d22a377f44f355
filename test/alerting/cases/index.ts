import type { ComponentCases } from '../rules-harness.js';
import { dipDetection } from './dip_detection.js';
import { discovery } from './discovery.js';
import { learning } from './learning.js';
import { model } from './model.js';
import { systemHealth } from './system_health.js';
import { trading } from './trading.js';

/** One promtool test file per component. */
export const componentCases: readonly ComponentCases[] = [
  discovery,
  learning,
  dipDetection,
  trading,
  model,
  systemHealth,
];
