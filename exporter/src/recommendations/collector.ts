import type { FamiliesFor } from '../metrics/registry.js';
import type { Queryable } from '../storage/database.js';
import type { SharedCollector } from '../storage/shared-metrics.js';
import { RETURN_BUCKETS, type recommendationMetrics } from './metrics.js';

type Families = FamiliesFor<typeof recommendationMetrics>;

export const OUTCOMES = ['explosive', 'strong', 'moderate', 'poor', 'failed'] as const;
const BOUGHT = ['true', 'false'] as const;
const DAY_MS = 86_400_000;

export const horizonLabel = (days: number): string => `${days}d`;

/** What the collector reads from `recommendation_tracking`, before it touches any family. */
export interface SharedSnapshot {
  open: Map<string, number>;
  /** `${outcome}\u0000${bought}` -> count */
  outcomes: Map<string, number>;
  /** Count, sum and largest of the peak returns of the window's missed opportunities. */
  missed: { count: number; potentialReturn: number; maxPotentialReturn: number };
  /** Per horizon (days): per-bucket (not cumulative) counts with +Inf last, sum and count. */
  returns: Map<number, { counts: number[]; sum: number; count: number }>;
}

export async function readSnapshot(
  db: Queryable,
  options: { horizons: readonly number[]; missedWindowDays: number; now?: Date },
): Promise<SharedSnapshot> {
  const now = options.now ?? new Date();
  const open = await db.query<{ bought: boolean; n: number }>(
    `SELECT COALESCE(bought, false) AS bought, count(*)::int AS n
       FROM recommendation_tracking WHERE tracking_closed_at IS NULL GROUP BY 1`,
  );
  const outcomes = await db.query<{ outcome: string; bought: boolean; n: number }>(
    `SELECT outcome_category AS outcome, COALESCE(bought, false) AS bought, count(*)::int AS n
       FROM recommendation_tracking WHERE outcome_category IS NOT NULL GROUP BY 1, 2`,
  );
  const [missed] = await db.query<{ n: number; total: string; largest: string }>(
    `SELECT count(*)::int AS n, COALESCE(sum(peak_return), 0)::text AS total,
            COALESCE(max(peak_return), 0)::text AS largest
       FROM recommendation_tracking WHERE missed_opportunity AND discovery_date >= $1`,
    [new Date(now.getTime() - options.missedWindowDays * DAY_MS)],
  );
  // Cumulative counts per upper bound, like the exposition's `le` buckets.
  const bucketColumns = RETURN_BUCKETS.map(
    (bound, i) => `count(*) FILTER (WHERE (c->>'return')::float8 <= ${bound})::int AS le${i}`,
  ).join(',\n            ');
  const returns = await db.query<Record<string, number>>(
    `SELECT (c->>'days')::int AS days, count(*)::int AS n,
            COALESCE(sum((c->>'return')::float8), 0)::float8 AS total,
            ${bucketColumns}
       FROM recommendation_tracking r
       CROSS JOIN LATERAL jsonb_array_elements(r.checkpoints) AS c
      WHERE (c->>'days')::int = ANY($1::int[])
      GROUP BY 1`,
    [[...options.horizons]],
  );
  return {
    open: new Map(open.map((r) => [String(r.bought), r.n])),
    outcomes: new Map(outcomes.map((r) => [`${r.outcome}\u0000${String(r.bought)}`, r.n])),
    missed: {
      count: missed?.n ?? 0,
      potentialReturn: Number(missed?.total ?? 0),
      maxPotentialReturn: Number(missed?.largest ?? 0),
    },
    returns: new Map(
      returns.map((r) => {
        const cumulative = RETURN_BUCKETS.map((_, i) => r[`le${i}`] as number);
        const n = r.n as number;
        const counts = [...cumulative, n].map(
          (c, i) => c - (i === 0 ? 0 : (cumulative[i - 1] ?? 0)),
        );
        return [r.days as number, { counts, sum: r.total as number, count: n }];
      }),
    ),
  };
}

/**
 * The leader's view of `recommendation_tracking` as metrics: open recommendations, outcomes,
 * returns at each configured horizon, missed opportunities of the window. Every known label set
 * is present (at 0) on the leader; other replicas export none of these series.
 */
export function recommendationCollector(
  families: Families,
  options: { horizons: readonly number[]; missedWindowDays: number },
): SharedCollector {
  return {
    name: 'recommendations',
    async refresh(db) {
      apply(families, options.horizons, await readSnapshot(db, options));
    },
    clear() {
      families.open.reset();
      families.outcomes.reset();
      families.returns.reset();
      families.missedOpportunities.reset();
      families.missedPotentialReturn.reset();
      families.missedMaxPotentialReturn.reset();
    },
  };
}

/** Sets the families from a snapshot in one synchronous step (a scrape sees all or nothing). */
export function apply(families: Families, horizons: readonly number[], s: SharedSnapshot): void {
  for (const bought of BOUGHT) {
    families.open.set([bought], s.open.get(bought) ?? 0);
    for (const outcome of OUTCOMES) {
      families.outcomes.set([outcome, bought], s.outcomes.get(`${outcome}\u0000${bought}`) ?? 0);
    }
  }
  families.missedOpportunities.set([], s.missed.count);
  families.missedPotentialReturn.set([], s.missed.potentialReturn);
  families.missedMaxPotentialReturn.set([], s.missed.maxPotentialReturn);
  families.returns.reset();
  for (const days of horizons) {
    const series = families.returns.labels(horizonLabel(days));
    const found = s.returns.get(days);
    series.counts.set(found?.counts ?? []);
    series.sum = found?.sum ?? 0;
    series.count = found?.count ?? 0;
  }
}
