import { describe, expect, it } from 'vitest';
import { lateCheck } from '../../src/recommendations/late-prices.js';
import type { PerformanceState } from '../../src/recommendations/performance.js';
import type { TrackingRow } from '../../src/recommendations/tracking-store.js';

const DAY = 86_400;
const T0 = 1_756_909_845.123;

const state = (anchor: PerformanceState['anchor']): PerformanceState => ({
  observations: 50,
  firstTime: T0 + 60,
  lastTime: T0 + DAY,
  lastPrice: 3,
  peakPrice: 4,
  peakTime: T0 + 3600,
  maxDrawdown: 0.1,
  checkpoints: [],
  anchor,
});

const row = (s: PerformanceState | null): TrackingRow =>
  ({ symbol: 'AAA', discoverySeconds: T0, trackingDays: 30, state: s }) as TrackingRow;

describe('lateCheck', () => {
  const anchored = row(state({ time: T0 + DAY - 600, observations: 40 }));

  it('counts nothing without a state, or when every price told of lies after the watermark', () => {
    expect(lateCheck(row(null), T0)).toBeUndefined();
    expect(lateCheck(anchored, T0 + DAY + 0.001)).toBeUndefined();
  });

  it('counts only the prices the latest fold took in when the prices told of lie after its anchor', () => {
    // (anchor, watermark] at millisecond precision; the fold took in 50 - 40 prices.
    expect(lateCheck(anchored, T0 + DAY)).toEqual({
      count: {
        symbol: 'AAA',
        fromSeconds: T0 + DAY - 600 + 0.001,
        beforeSeconds: T0 + DAY + 0.001,
      },
      expected: 10,
    });
    expect(lateCheck(anchored, T0 + DAY - 599.999)?.expected).toBe(10);
  });

  it('counts the window up to the watermark otherwise', () => {
    const whole = {
      count: { symbol: 'AAA', fromSeconds: T0, beforeSeconds: T0 + DAY + 0.001 },
      expected: 50,
    };
    expect(lateCheck(anchored, null)).toEqual(whole); // the periodic pass
    expect(lateCheck(anchored, T0 + DAY - 600)).toEqual(whole); // at the anchor: further back
    expect(lateCheck(row(state(null)), T0 + DAY)).toEqual(whole); // a fold from nothing
    expect(lateCheck(row(state(undefined)), T0 + DAY)).toEqual(whole); // stored before anchors
  });
});
