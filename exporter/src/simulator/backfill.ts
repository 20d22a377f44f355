import type { PriceUpdate } from '../prices/schema.js';
import type { RankingInput } from '../ranking/schema.js';
import type { RecommendationInput } from '../recommendations/schema.js';
import {
  finalCandidates,
  rankingFor,
  recommendationsFor,
  type Decision,
  type LearningOptions,
  type TrackedSymbols,
} from './learning.js';
import { runDiscovery } from './pipeline.js';
import { round, type Rng } from './random.js';
import type { Universe } from './universe.js';

/**
 * The history a trading system already has when it starts sending: the discovery runs of the
 * last days as recommendations and ranked lists, and the hourly prices of their symbols since.
 * With it, 1-day checkpoints and ranking horizons have matured from the first minute (a demo
 * would otherwise wait a day for its first precision@K or return at a horizon).
 */
export interface History {
  recommendations: RecommendationInput[];
  rankings: RankingInput[];
  /** Oldest first. */
  prices: PriceUpdate[];
  /** The symbols it names (their prices are followed from now on). */
  symbols: string[];
}

export interface BackfillOptions {
  /** How far back the first run is. */
  days: number;
  /** Hours between two runs (the newest is this long before now). */
  runEveryHours: number;
  /** Minutes between two prices of a followed symbol. */
  priceEveryMinutes: number;
}

export const DEFAULT_BACKFILL: BackfillOptions = {
  days: 2,
  runEveryHours: 6,
  priceEveryMinutes: 60,
};

const HOUR_MS = 3_600_000;
const NOT_TRADED = 'Recommended before the simulator started (backfilled history): not traded';

export interface BackfillInput {
  now: Date;
  universe: Universe;
  tracked: TrackedSymbols;
  pipelineRng: Rng;
  learningRng: Rng;
  marketRng: Rng;
  learning: LearningOptions;
  /** Run ids taken (the backfilled ones are added). */
  usedIds: Set<string>;
}

/**
 * Plays the past in order: runs every `runEveryHours` from `days` ago, each followed from its
 * discovery price; every `priceEveryMinutes` the followed symbols' market moves on and their
 * prices are recorded. Leaves the universe and `tracked` where the past ended, so the live
 * loop carries on from there. No I/O.
 */
export function backfill(input: BackfillInput, options: BackfillOptions): History {
  const nowMs = input.now.getTime();
  const history: History = { recommendations: [], rankings: [], prices: [], symbols: [] };
  if (options.days <= 0) return history;
  const runEveryMs = options.runEveryHours * HOUR_MS;
  const priceEveryMs = options.priceEveryMinutes * 60_000;
  const listing = (symbol: string) => input.universe.listing(symbol);
  const followed = new Set<string>();

  const startMs = nowMs - options.days * 24 * HOUR_MS;
  let nextRun = startMs;
  // Prices half a period off the runs' times: a discovery price is never a second one at once.
  for (let t = startMs + priceEveryMs / 2; t < nowMs; t += priceEveryMs) {
    for (; nextRun <= t && nextRun <= nowMs - runEveryMs; nextRun += runEveryMs) {
      input.universe.step();
      const run = runDiscovery({
        rng: input.pipelineRng,
        listings: input.universe.listings,
        now: new Date(nextRun),
        faults: new Set(),
        usedIds: input.usedIds,
      });
      input.usedIds.add(run.pipeline_id);
      const candidates = finalCandidates(run);
      const decisions = new Map<string, Decision>(
        candidates.map((c) => [c.symbol, { bought: false, reason: NOT_TRADED }]),
      );
      history.recommendations.push(
        ...recommendationsFor(input.learningRng, run, decisions, input.learning),
      );
      const ranking = rankingFor(run, input.learning.strategy);
      if (ranking) history.rankings.push(ranking);
      input.tracked.track(input.learningRng, candidates, Date.parse(run.end_time));
      for (const c of candidates) {
        followed.add(c.symbol);
        history.prices.push({ symbol: c.symbol, time: run.end_time, price: priced(c.price) });
      }
    }
    input.tracked.step(input.marketRng, listing);
    const time = new Date(t).toISOString();
    for (const symbol of followed) {
      const l = listing(symbol);
      if (l) history.prices.push({ symbol, time, price: priced(l.price) });
    }
  }
  history.symbols = [...followed];
  return history;
}

/** Prices are stored with 4 decimals and must stay positive. */
const priced = (x: number): number => Math.max(0.0001, round(x, 4));
