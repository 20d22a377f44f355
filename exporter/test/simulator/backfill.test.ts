import { describe, expect, it } from 'vitest';
import { backfill, DEFAULT_BACKFILL } from '../../src/simulator/backfill.js';
import { DEFAULT_LEARNING, TrackedSymbols } from '../../src/simulator/learning.js';
import { Rng } from '../../src/simulator/random.js';
import { Universe } from '../../src/simulator/universe.js';
import { errorsOf, validPrice, validRanking, validRecommendation } from './validators.js';

const HOUR_MS = 3_600_000;
// Whole hours, so that run and price times are exact (ISO seconds, as the runs write them).
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;

function history(seed = 1, days = DEFAULT_BACKFILL.days) {
  const tracked = new TrackedSymbols();
  const universe = new Universe(new Rng(seed), 3000);
  const usedIds = new Set<string>();
  const h = backfill(
    {
      now: new Date(NOW),
      universe,
      tracked,
      pipelineRng: new Rng(seed + 1),
      learningRng: new Rng(seed + 2),
      marketRng: new Rng(seed + 3),
      learning: DEFAULT_LEARNING,
      usedIds,
    },
    { ...DEFAULT_BACKFILL, days },
  );
  return { h, tracked, usedIds };
}

describe('backfill: the days before the simulator started', () => {
  const { h, tracked, usedIds } = history();

  it('has a run every 6 hours from 2 days ago to 6 hours ago', () => {
    const times = h.rankings.map((r) => Date.parse(r.time));
    // -48 h, -42 h, ... -6 h: eight runs (a run may end a few seconds after its hour).
    expect(times.map((t) => Math.round((NOW - t) / HOUR_MS))).toEqual([
      48, 42, 36, 30, 24, 18, 12, 6,
    ]);
    expect(usedIds.size).toBe(8);
    // Five lists are at least a day old: the 1-day horizon has matured for them.
    expect(times.filter((t) => t <= NOW - 24 * HOUR_MS)).toHaveLength(5);
  });

  it('recommends and ranks each run’s final candidates, none bought', () => {
    const ranked = h.rankings.flatMap((r) => r.items.map((i) => `${r.list_id} ${i.symbol}`));
    expect(h.recommendations).toHaveLength(ranked.length);
    expect(h.recommendations.every((r) => !r.bought && r.not_bought_reason)).toBe(true);
    expect(new Set(h.recommendations.map((r) => r.tracking_id)).size).toBe(ranked.length);
    expect(new Set(h.symbols)).toEqual(new Set(h.recommendations.map((r) => r.symbol)));
    expect(h.symbols.every((s) => tracked.get(s) !== undefined)).toBe(true);
  });

  it('prices each symbol at its discovery price, then every hour (on the half hour)', () => {
    for (const r of h.recommendations) {
      const own = h.prices.filter((p) => p.symbol === r.symbol);
      const discovered = Date.parse(r.discovery_date);
      const first = own.find((p) => Date.parse(p.time) >= discovered);
      expect(first?.time, r.tracking_id).toBe(r.discovery_date);
      expect(first?.price).toBe(r.recommendation_data.price_at_discovery);
      const later = own
        .filter((p) => Date.parse(p.time) > discovered)
        .map((p) => Date.parse(p.time));
      // Another discovery of the symbol is on the hour; the hourly prices are half an hour off.
      const hourly = later.filter((t) => t % HOUR_MS !== 0);
      expect(hourly.every((t) => t % HOUR_MS === HOUR_MS / 2)).toBe(true);
      expect(new Set(later).size).toBe(later.length);
      // Without a gap, up to half an hour before now.
      expect(hourly.at(-1)).toBe(NOW - HOUR_MS / 2);
      expect(hourly.every((t, i) => i === 0 || t - hourly[i - 1]! === HOUR_MS)).toBe(true);
    }
    const times = h.prices.map((p) => Date.parse(p.time));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    // Some symbols move 5% or more within a day of discovery: a 1-day horizon has hits.
    const movers = h.recommendations.filter((r) => {
      const at = Date.parse(r.discovery_date) + 24 * HOUR_MS;
      const end = h.prices.filter((p) => p.symbol === r.symbol && Date.parse(p.time) <= at).at(-1);
      return end && end.price >= 1.05 * r.recommendation_data.price_at_discovery;
    });
    expect(movers.length).toBeGreaterThan(0);
  });

  it('sends only what the exporter accepts', () => {
    expect(h.recommendations.flatMap((r) => errorsOf(validRecommendation(r)))).toEqual([]);
    expect(h.rankings.flatMap((r) => errorsOf(validRanking(r)))).toEqual([]);
    expect(h.prices.flatMap((p) => errorsOf(validPrice(p)))).toEqual([]);
  });

  it('is a function of the seed and the clock; 0 days is no history', () => {
    expect(history(1).h).toEqual(h);
    expect(history(2).h.prices).not.toEqual(h.prices);
    expect(history(1, 0).h).toEqual({ recommendations: [], rankings: [], prices: [], symbols: [] });
  });
});
