import type { Queryable } from '../storage/database.js';
import type { RowTable, RowWrite } from '../storage/write-buffer.js';
import type { PerformanceState, PricePoint } from './performance.js';
import { DOCUMENT_HORIZONS, type TrackingColumns } from './columns.js';
import type { OutcomeCategory } from './performance.js';

/** What the tracker needs of a stored recommendation, and the record it last stored for it. */
export interface TrackingRow {
  trackingId: string;
  symbol: string;
  discoverySeconds: number;
  discoveryPrice: number;
  bought: boolean;
  trackingDays: number;
  checkpointDays: number[];
  missedOpportunityMinReturn: number;
  stored: TrackingColumns;
  /** The running state the stored record was computed with (its watermark), if any. */
  state: PerformanceState | null;
}

/**
 * Which recommendations of a symbol to recompute: the open ones, and with `since`, also the
 * closed ones whose window reaches `since` (a late price observed inside a finished window).
 */
export interface TrackingTarget {
  symbol: string;
  since: Date | null;
}

interface RawRow {
  tracking_id: string;
  symbol: string;
  discovery_date: Date;
  discovery_price: string;
  bought: boolean | null;
  tracking_period_days: number;
  checkpoint_days: number[];
  missed_opportunity_min_return: number;
  price_1d: string | null;
  price_7d: string | null;
  price_14d: string | null;
  price_30d: string | null;
  return_1d: string | null;
  return_7d: string | null;
  return_14d: string | null;
  return_30d: string | null;
  peak_price: string | null;
  peak_return: string | null;
  days_to_peak: number | null;
  max_drawdown: string | null;
  outcome_category: string | null;
  missed_opportunity: boolean | null;
  checkpoints: { days: number; price: number; return: number }[];
  price_observations: number;
  tracking_state: PerformanceState | null;
  closed: boolean;
}

const num = (text: string | null): number | null => (text === null ? null : Number(text));
/** To the millisecond, rounded: `seconds * 1000` may fall a hair below a whole millisecond. */
const iso = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString();

/**
 * The recommendations of `targets`' symbols to recompute, with their stored records and states,
 * in one query. The discovery time is truncated to milliseconds in SQL, as prices are in
 * `loadPriceWindows`, so that the tracker's comparisons agree with `countPrices`'.
 */
export async function loadForTracking(
  db: Queryable,
  targets: readonly TrackingTarget[],
): Promise<TrackingRow[]> {
  if (targets.length === 0) return [];
  const rows = await db.query<RawRow>(
    `SELECT r.tracking_id, r.symbol, date_trunc('milliseconds', r.discovery_date) AS discovery_date,
            r.discovery_price, r.bought,
            r.tracking_period_days, r.checkpoint_days, r.missed_opportunity_min_return,
            r.price_1d, r.price_7d, r.price_14d, r.price_30d,
            r.return_1d, r.return_7d, r.return_14d, r.return_30d,
            r.peak_price, r.peak_return, r.days_to_peak, r.max_drawdown, r.outcome_category,
            r.missed_opportunity, r.checkpoints, r.price_observations, s.state AS tracking_state,
            r.tracking_closed_at IS NOT NULL AS closed
       FROM recommendation_tracking r
       JOIN unnest($1::text[], $2::timestamptz[]) AS d(symbol, since) ON r.symbol = d.symbol
       LEFT JOIN recommendation_tracking_state s ON s.tracking_id = r.tracking_id
      WHERE r.tracking_closed_at IS NULL
         OR (d.since IS NOT NULL
             AND r.discovery_date + r.tracking_period_days * INTERVAL '1 day' >= d.since)
      ORDER BY r.symbol, r.discovery_date, r.tracking_id`,
    [targets.map((t) => t.symbol), targets.map((t) => t.since?.toISOString() ?? null)],
  );
  return rows.map((r) => ({
    trackingId: r.tracking_id,
    symbol: r.symbol,
    discoverySeconds: r.discovery_date.getTime() / 1000,
    discoveryPrice: Number(r.discovery_price),
    bought: r.bought === true,
    trackingDays: r.tracking_period_days,
    checkpointDays: r.checkpoint_days,
    missedOpportunityMinReturn: r.missed_opportunity_min_return,
    stored: {
      prices: {
        1: num(r.price_1d),
        7: num(r.price_7d),
        14: num(r.price_14d),
        30: num(r.price_30d),
      },
      returns: {
        1: num(r.return_1d),
        7: num(r.return_7d),
        14: num(r.return_14d),
        30: num(r.return_30d),
      },
      checkpoints: r.checkpoints,
      peakPrice: num(r.peak_price),
      peakReturn: num(r.peak_return),
      daysToPeak: r.days_to_peak,
      maxDrawdown: num(r.max_drawdown),
      outcome: r.outcome_category as OutcomeCategory | null,
      missedOpportunity: r.missed_opportunity === true,
      observations: r.price_observations,
      closed: r.closed,
    },
    state: r.tracking_state,
  }));
}

/** Symbols with at least one recommendation still open (the periodic pass). */
export async function openSymbols(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ symbol: string }>(
    `SELECT DISTINCT symbol FROM recommendation_tracking
      WHERE tracking_closed_at IS NULL ORDER BY symbol`,
  );
  return rows.map((r) => r.symbol);
}

export interface PriceWindow {
  symbol: string;
  fromSeconds: number;
  toSeconds: number;
}

/**
 * Each symbol's prices inside its own window (inclusive), oldest first, in one query: a range scan
 * of the primary key per window. `OFFSET 0` keeps the planner from flattening the LATERAL
 * subquery into a join, which it answers by hashing the windows and scanning every symbol's whole
 * history: a pass would then cost the size of the table, not the prices it reads. Times are
 * truncated to milliseconds here, as a JavaScript Date holds them, so that the tracker's
 * watermark comparisons and `countPrices`' ranges agree whatever the driver does with
 * microseconds.
 */
export async function loadPriceWindows(
  db: Queryable,
  windows: readonly PriceWindow[],
): Promise<Map<string, PricePoint[]>> {
  const out = new Map<string, PricePoint[]>();
  if (windows.length === 0) return out;
  const rows = await db.query<{ symbol: string; time: Date; price: string }>(
    `SELECT w.symbol, date_trunc('milliseconds', p.time) AS time, p.price
       FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS w(symbol, from_time, to_time)
       CROSS JOIN LATERAL (
             SELECT time, price FROM prices
              WHERE symbol = w.symbol AND time >= w.from_time AND time <= w.to_time
             OFFSET 0) p
      ORDER BY w.symbol, p.time`,
    [
      windows.map((w) => w.symbol),
      windows.map((w) => iso(w.fromSeconds)),
      windows.map((w) => iso(w.toSeconds)),
    ],
  );
  for (const row of rows) {
    let list = out.get(row.symbol);
    if (!list) out.set(row.symbol, (list = []));
    list.push({ timeSeconds: row.time.getTime() / 1000, price: Number(row.price) });
  }
  return out;
}

/** A symbol's stored prices with times in [from, before), counted by `countPrices`. */
export interface PriceCount {
  symbol: string;
  fromSeconds: number;
  beforeSeconds: number;
}

/** How many prices each range holds, in the order given, in one query (ranges as in `loadPriceWindows`). */
export async function countPrices(db: Queryable, counts: readonly PriceCount[]): Promise<number[]> {
  if (counts.length === 0) return [];
  const rows = await db.query<{ n: string }>(
    `SELECT c.n FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
                      WITH ORDINALITY AS w(symbol, from_time, before_time, i)
       CROSS JOIN LATERAL (
             SELECT count(*) AS n FROM prices
              WHERE symbol = w.symbol AND time >= w.from_time AND time < w.before_time) c
      ORDER BY w.i`,
    [
      counts.map((c) => c.symbol),
      counts.map((c) => iso(c.fromSeconds)),
      counts.map((c) => iso(c.beforeSeconds)),
    ],
  );
  return rows.map((r) => Number(r.n));
}

/** A recommendation's new record and running state, as `trackingUpdates` writes it. */
interface TrackingUpdateRow {
  tracking_id: string;
  price_1d: number | null;
  price_7d: number | null;
  price_14d: number | null;
  price_30d: number | null;
  return_1d: number | null;
  return_7d: number | null;
  return_14d: number | null;
  return_30d: number | null;
  peak_price: number | null;
  peak_return: number | null;
  days_to_peak: number | null;
  max_drawdown: number | null;
  outcome_category: OutcomeCategory | null;
  missed_opportunity: boolean;
  checkpoints: TrackingColumns['checkpoints'];
  price_observations: number;
  closed: boolean;
  last_price_time: string | null;
  state: PerformanceState | null;
}

/**
 * Records rewritten many at a time (idempotent: the same values give the same rows), each with
 * the running state it was computed with (`last_price_time` is its watermark), in one statement
 * with one JSON parameter: the records, then their states in `recommendation_tracking_state`,
 * written with them or removed where there is none. The first pass after a window ends stamps
 * `tracking_closed_at`; later passes keep that stamp. A pass rewrites hundreds of records, and
 * one statement each made the database round trips, not the tracking, the limit.
 */
const trackingUpdates: RowTable<TrackingUpdateRow> = {
  statement(rows) {
    // One UPDATE cannot touch a row twice: the latest record of each recommendation wins.
    const latest = new Map(rows.map((r) => [r.tracking_id, r]));
    return {
      sql: `WITH x AS (
              SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
                tracking_id text, price_1d numeric, price_7d numeric, price_14d numeric,
                price_30d numeric, return_1d numeric, return_7d numeric, return_14d numeric,
                return_30d numeric, peak_price numeric, peak_return numeric, days_to_peak integer,
                max_drawdown numeric, outcome_category text, missed_opportunity boolean,
                checkpoints jsonb, price_observations integer, closed boolean,
                last_price_time timestamptz, state jsonb)
            ), updated AS (
              UPDATE recommendation_tracking r
                 SET price_1d = x.price_1d, price_7d = x.price_7d, price_14d = x.price_14d,
                     price_30d = x.price_30d, return_1d = x.return_1d, return_7d = x.return_7d,
                     return_14d = x.return_14d, return_30d = x.return_30d,
                     peak_price = x.peak_price, peak_return = x.peak_return,
                     days_to_peak = x.days_to_peak, max_drawdown = x.max_drawdown,
                     outcome_category = x.outcome_category,
                     missed_opportunity = x.missed_opportunity, checkpoints = x.checkpoints,
                     price_observations = x.price_observations,
                     tracking_closed_at = CASE WHEN x.closed
                                               THEN COALESCE(r.tracking_closed_at, NOW()) END,
                     updated_at = NOW()
                FROM x
               WHERE r.tracking_id = x.tracking_id
           RETURNING r.tracking_id
            ), removed AS (
              DELETE FROM recommendation_tracking_state s USING x JOIN updated u USING (tracking_id)
               WHERE s.tracking_id = x.tracking_id AND x.state IS NULL
            )
            INSERT INTO recommendation_tracking_state (tracking_id, last_price_time, state)
            SELECT x.tracking_id, x.last_price_time, x.state
              FROM x JOIN updated u USING (tracking_id)
             WHERE x.state IS NOT NULL
            ON CONFLICT (tracking_id)
            DO UPDATE SET last_price_time = EXCLUDED.last_price_time, state = EXCLUDED.state`,
      params: [JSON.stringify([...latest.values()])],
    };
  },
};

/** A recommendation's record rewritten with the running state it was computed with. */
export function updateTracking(
  trackingId: string,
  c: TrackingColumns,
  state: PerformanceState | null,
): RowWrite<TrackingUpdateRow> {
  const [price_1d, price_7d, price_14d, price_30d] = DOCUMENT_HORIZONS.map((d) => c.prices[d]);
  const [return_1d, return_7d, return_14d, return_30d] = DOCUMENT_HORIZONS.map((d) => c.returns[d]);
  return {
    table: trackingUpdates,
    row: {
      tracking_id: trackingId,
      price_1d: price_1d ?? null,
      price_7d: price_7d ?? null,
      price_14d: price_14d ?? null,
      price_30d: price_30d ?? null,
      return_1d: return_1d ?? null,
      return_7d: return_7d ?? null,
      return_14d: return_14d ?? null,
      return_30d: return_30d ?? null,
      peak_price: c.peakPrice,
      peak_return: c.peakReturn,
      days_to_peak: c.daysToPeak,
      max_drawdown: c.maxDrawdown,
      outcome_category: c.outcome,
      missed_opportunity: c.missedOpportunity,
      checkpoints: c.checkpoints,
      price_observations: c.observations,
      closed: c.closed,
      last_price_time: state === null ? null : iso(state.lastTime),
      state,
    },
  };
}
