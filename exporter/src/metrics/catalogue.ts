import { alertMetrics } from '../alerts/metrics.js';
import { driftMetrics } from '../drift/metrics.js';
import { pipelineMetrics } from '../pipeline/metrics.js';
import { positionMetrics } from '../positions/metrics.js';
import { rankingMetrics } from '../ranking/metrics.js';
import { recommendationMetrics } from '../recommendations/metrics.js';
import { sdkMetrics } from '../sdk/metrics.js';
import { sourceMetrics } from '../sources/metrics.js';
import { storageMetrics } from '../storage/metrics.js';
import { tradingMetrics } from '../trading/metrics.js';
import { tracingMetrics } from '../tracing/metrics.js';
import { coreMetrics } from './core.js';
import type { MetricDefinition } from './definition.js';
import { OVERFLOW_DEFINITION } from './registry.js';

/**
 * Every metric family tradewatch defines, by domain: the single source of truth that
 * docs/metrics.md is generated from and that alert rules and dashboards are checked against.
 */
export const catalogue: Readonly<Record<string, Readonly<Record<string, MetricDefinition>>>> = {
  core: coreMetrics,
  pipeline: pipelineMetrics,
  trading: tradingMetrics,
  sources: sourceMetrics,
  sdk: sdkMetrics,
  storage: storageMetrics,
  recommendations: recommendationMetrics,
  positions: positionMetrics,
  ranking: rankingMetrics,
  drift: driftMetrics,
  tracing: tracingMetrics,
  alerts: alertMetrics,
};

/** Families outside the domains that every registry also has. */
export const registryMetrics: readonly MetricDefinition[] = [OVERFLOW_DEFINITION];

export function allDefinitions(): MetricDefinition[] {
  return [...registryMetrics, ...Object.values(catalogue).flatMap((d) => Object.values(d))];
}
