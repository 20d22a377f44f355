import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from '../../src/alerts/breaker.js';

describe('circuit breaker (document 000 section 6.5: 3 failures, 60 s)', () => {
  const make = () => {
    let now = 0;
    const seen: BreakerState[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 60_000, now: () => now });
    breaker.onChange((s) => seen.push(s));
    return { breaker, seen, advance: (ms: number) => (now += ms) };
  };

  it('opens after 3 failures in a row, not after 2 split by a success', () => {
    const { breaker } = make();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryAfterMs()).toBe(60_000);
  });

  it('lets one trial through after 60 s; its failure reopens, its success closes', () => {
    const { breaker, seen, advance } = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(59_999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // one trial at a time
    breaker.failure();
    expect(breaker.state).toBe('open');
    advance(60_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(seen).toEqual(['closed', 'open', 'half_open', 'open', 'half_open', 'closed']);
  });
});
