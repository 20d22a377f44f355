import type { FamiliesFor } from '../metrics/registry.js';
import type { CallResult } from './alertmanager.js';
import { BREAKER_STATES, type CircuitBreaker } from './breaker.js';
import type { alertMetrics } from './metrics.js';

export type Operation = 'post_alerts' | 'post_silence';
export const OPERATIONS: readonly Operation[] = ['post_alerts', 'post_silence'];

/**
 * Every call tradewatch makes to Alertmanager goes through one breaker: while it is open, calls
 * fail at once with how long to wait, and no request or client waits on a dead Alertmanager.
 * A 4xx means Alertmanager is up, so only unreachable, timed-out and 5xx calls count against it.
 */
export class GuardedCalls {
  constructor(
    readonly breaker: CircuitBreaker,
    private readonly families: FamiliesFor<typeof alertMetrics>,
  ) {
    for (const op of OPERATIONS) {
      families.alertmanagerRequests.init(op);
      families.alertmanagerFailures.init(op);
    }
    breaker.onChange((state) => {
      for (const s of BREAKER_STATES) families.breakerState.set([s], s === state ? 1 : 0);
    });
  }

  async run<T>(operation: Operation, call: () => Promise<CallResult<T>>): Promise<CallResult<T>> {
    if (!this.breaker.tryAcquire()) {
      const seconds = Math.ceil(this.breaker.retryAfterMs() / 1000);
      return {
        ok: false,
        kind: 'unavailable',
        message: `the circuit breaker is open after repeated failures; next attempt in ${seconds} s`,
      };
    }
    this.families.alertmanagerRequests.inc([operation]);
    const result = await call();
    if (!result.ok && result.kind === 'unavailable') {
      this.families.alertmanagerFailures.inc([operation]);
      this.breaker.failure();
    } else {
      this.breaker.success();
    }
    return result;
  }

  /** Seconds a client should wait before trying again (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.breaker.retryAfterMs() / 1000));
  }
}

/** Answered 503 with `Retry-After` by the error handler (like a full storage buffer). */
export class UnavailableError extends Error {
  readonly status = 503;

  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
