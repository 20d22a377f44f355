import type { Router } from 'express';
import type { DomainContext, HttpDomain } from '../context.js';
import { ConfigError } from '../config/load.js';
import type { DriftConfig } from './config.js';
import { driftMetrics } from './metrics.js';
import { ModelMonitor } from './monitor.js';
import { publish, publishThresholds } from './publish.js';
import { driftRoutes } from './routes.js';
import { pruneBefore } from './store.js';

export { driftMetrics } from './metrics.js';

/** What a test gets from `createDriftDomain({ onStart })`. */
export interface DriftHandle {
  monitor: ModelMonitor;
  /** Runs an evaluation that starts after the call and resolves when it is published. */
  evaluate(): Promise<void>;
}

export interface DriftDomainOptions {
  onStart?: (handle: DriftHandle) => void;
}

const PRUNE_INTERVAL_SECONDS = 3600;

/** What the configuration schema cannot say. */
export function checkDriftConfig(config: DriftConfig): void {
  if (!(config.psi_moderate < config.psi_significant)) {
    throw new ConfigError(
      'invalid configuration:\n  drift.psi_moderate must be below drift.psi_significant',
    );
  }
}

/**
 * Model monitoring (issue 4, documents 002 and 004): predictions and outcomes in, per-model
 * reference and current windows, data drift per feature, performance against the baseline,
 * importances and ensemble members out as metrics (docs/drift.md). Each replica evaluates the
 * predictions it received, every `drift.evaluation_interval_seconds`.
 */
export function createDriftDomain(options: DriftDomainOptions = {}): HttpDomain {
  return async (ctx: DomainContext): Promise<Router> => {
    const config = ctx.config.drift;
    checkDriftConfig(config);
    const families = ctx.registry.registerAll(driftMetrics);
    publishThresholds(families, config);
    const monitor = new ModelMonitor(config, ctx.storage.buffer, families);
    try {
      await monitor.load(ctx.storage.db);
    } catch (err) {
      ctx.logger.warn(
        { component: 'storage', err },
        'could not read the monitored models back; they start empty',
      );
    }

    let lastPrune = 0;
    const prune = async (): Promise<void> => {
      const now = Date.now() / 1000;
      const days = config.retention_days;
      if (days <= 0 || !ctx.storage.leader.isLeader()) return;
      if (now - lastPrune < PRUNE_INTERVAL_SECONDS) return;
      lastPrune = now;
      await pruneBefore(ctx.storage.db, now - days * 86_400);
    };
    const runOnce = async (): Promise<void> => {
      try {
        await monitor.evaluateAll();
        publish(families, monitor.models);
        await prune();
      } catch (err) {
        ctx.logger.warn({ component: 'drift', err }, 'model drift evaluation failed');
      }
    };
    // One evaluation at a time; calls during one share the single evaluation queued after it.
    let last: Promise<void> = Promise.resolve();
    let queued: Promise<void> | undefined;
    const evaluate = (): Promise<void> => {
      queued ??= last.then(() => {
        queued = undefined;
        return runOnce();
      });
      last = queued;
      return queued;
    };
    const timer = setInterval(() => void evaluate(), config.evaluation_interval_seconds * 1000);
    timer.unref();
    void evaluate();
    options.onStart?.({ monitor, evaluate });
    return driftRoutes(ctx, monitor, () => {
      publish(families, monitor.models);
      void evaluate();
    });
  };
}

export const driftDomain: HttpDomain = createDriftDomain();
