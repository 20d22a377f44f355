export type BreakerState = 'closed' | 'open' | 'half_open';
export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open'];

export interface BreakerSettings {
  /** Failures in a row that open the breaker (document 000 section 6.5 alert_delivery: 3). */
  failureThreshold: number;
  /** How long it stays open before one trial call is let through (section 6.5: 60 s). */
  openMs: number;
  now?: () => number;
}

/**
 * A circuit breaker over the calls to one service. Closed: calls go through and failures in a
 * row are counted; at the threshold it opens. Open: calls are refused at once (no waiting on a
 * dead service) until `openMs` has passed; then it is half open and lets exactly one trial call
 * through: its success closes the breaker, its failure opens it again for `openMs`.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;
  private readonly listeners: ((state: BreakerState) => void)[] = [];

  constructor(private readonly settings: BreakerSettings) {
    this.now = settings.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.settings.openMs) {
      this.set('half_open');
    }
    return this.current;
  }

  /** Milliseconds until a call may be tried (0 when it may be now). */
  retryAfterMs(): number {
    const state = this.state;
    if (state === 'open') return Math.max(0, this.openedAt + this.settings.openMs - this.now());
    return state === 'half_open' && this.trialInFlight ? this.settings.openMs : 0;
  }

  /** Whether a call may go ahead now; the caller then reports `success()` or `failure()`. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.trialInFlight = false;
    this.failures = 0;
    this.set('closed');
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.current === 'half_open' || this.failures >= this.settings.failureThreshold) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  onChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
    listener(this.current);
  }

  private set(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
