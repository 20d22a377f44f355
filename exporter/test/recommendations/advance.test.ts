import { describe, expect, it } from 'vitest';
import {
  advancePerformance,
  trackPerformance,
  type PerformanceState,
  type PricePoint,
} from '../../src/recommendations/performance.js';
import { random } from './random.js';

const DAY = 86_400;
const T0 = 1_756_909_845;
const thresholds = { explosive: 1, strong: 0.5, moderate: 0.2, poor: 0 };

/** Distinct times from a little before discovery to a little after the window, random prices. */
function series(rnd: () => number, trackingDays: number): PricePoint[] {
  const n = Math.floor(rnd() * 60);
  const times = new Set<number>();
  while (times.size < n) {
    const t = T0 + Math.round((rnd() * (trackingDays + 4) - 2) * DAY * 1000) / 1000;
    times.add(t);
  }
  return [...times]
    .sort((a, b) => a - b)
    .map((timeSeconds) => ({ timeSeconds, price: Math.round(rnd() * 100_000) / 10_000 + 0.01 }));
}

/** The state as it comes back from the database (JSON). */
const stored = (state: PerformanceState | null): PerformanceState | null =>
  JSON.parse(JSON.stringify(state)) as PerformanceState | null;

describe('advancePerformance', () => {
  it('folded in random pieces, equals trackPerformance over the whole history', () => {
    let folds = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const rnd = random(seed);
      const trackingDays = 1 + Math.floor(rnd() * 30);
      const prices = series(rnd, trackingDays);
      const base = {
        discoverySeconds: T0,
        discoveryPrice: 1 + rnd() * 5,
        checkpointDays: [1, 3, 7, 14, 30].filter((d) => d <= trackingDays),
        trackingDays,
        thresholds,
      };
      // Random split points; each pass sees the prices up to its split, at a time no earlier
      // than the latest of them (prices are not from the future), time only moving forward.
      const cuts = [
        ...new Set(
          Array.from({ length: 1 + Math.floor(rnd() * 6) }, () =>
            Math.floor(rnd() * (prices.length + 1)),
          ),
        ),
      ].sort((a, b) => a - b);
      cuts.push(prices.length);
      let state: PerformanceState | null = null;
      let from = 0;
      let now = T0 - DAY;
      for (const cut of cuts) {
        const seen = prices.slice(0, cut);
        now = Math.max(now, seen.at(-1)?.timeSeconds ?? now) + rnd() * 3 * DAY;
        const params = { ...base, nowSeconds: now };
        const folded = advancePerformance(stored(state), prices.slice(from, cut), params);
        expect(folded, `seed ${seed}, cut ${cut}`).toBeDefined();
        expect(folded!.record, `seed ${seed}, cut ${cut}`).toEqual(
          trackPerformance({ ...params, prices: seen }),
        );
        state = folded!.state;
        from = cut;
        folds++;
      }
    }
    expect(folds).toBeGreaterThan(1000);
  });

  it('with prices from the future, either equals trackPerformance or asks for the whole history', () => {
    let declined = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const rnd = random(seed);
      const trackingDays = 1 + Math.floor(rnd() * 30);
      const prices = series(rnd, trackingDays);
      const base = {
        discoverySeconds: T0,
        discoveryPrice: 1 + rnd() * 5,
        checkpointDays: [1, 3, 7, 14, 30].filter((d) => d <= trackingDays),
        trackingDays,
        thresholds,
      };
      let state: PerformanceState | null = null;
      let from = 0;
      let now = T0 - 2 * DAY;
      for (const cut of [
        Math.floor(prices.length / 3),
        Math.floor(prices.length / 2),
        prices.length,
      ]) {
        now += rnd() * 10 * DAY;
        const params = { ...base, nowSeconds: now };
        const folded = advancePerformance(stored(state), prices.slice(from, cut), params);
        const full = trackPerformance({ ...params, prices: prices.slice(0, cut) });
        if (folded === undefined) {
          declined++;
          state = advancePerformance(null, prices.slice(0, cut), params)!.state;
        } else {
          expect(folded.record, `seed ${seed}, cut ${cut}`).toEqual(full);
          state = folded.state;
        }
        from = cut;
      }
    }
    expect(declined).toBeGreaterThan(0);
  });

  it('declines a price at or before the watermark (a late price)', () => {
    const params = {
      discoverySeconds: T0,
      discoveryPrice: 2,
      checkpointDays: [1, 7],
      trackingDays: 30,
      nowSeconds: T0 + 10 * DAY,
      thresholds,
    };
    const first = advancePerformance(null, [{ timeSeconds: T0 + 5 * DAY, price: 3 }], params)!;
    expect(first.state?.lastTime).toBe(T0 + 5 * DAY);
    expect(advancePerformance(first.state, [{ timeSeconds: T0 + 4 * DAY, price: 1 }], params)).toBe(
      undefined,
    );
    expect(advancePerformance(first.state, [{ timeSeconds: T0 + 5 * DAY, price: 1 }], params)).toBe(
      undefined,
    );
    // Outside the window it is ignored, as trackPerformance ignores it.
    expect(
      advancePerformance(first.state, [{ timeSeconds: T0 - DAY, price: 1 }], params)?.record,
    ).toEqual(first.record);
  });
});
