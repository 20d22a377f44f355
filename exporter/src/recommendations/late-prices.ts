import type { Queryable } from '../storage/database.js';
import type { PerformanceState } from './performance.js';
import {
  countPrices,
  type PriceCount,
  type TrackingRow,
  type TrackingTarget,
} from './tracking-store.js';

const DAY = 86_400;
/** Times are compared at the millisecond precision of a JavaScript Date (`loadPriceWindows`). */
const MS = 0.001;

/**
 * How to tell whether a late price (one at or before the watermark, not folded in) has been
 * stored for `row` since its state was: count the stored prices of its window in a range and
 * compare with the prices the state folded in there (`expected`).
 *
 * Prices usually reach the database before the pass they mark dirty, so a previous pass may
 * already have folded them: a `since` at or before the watermark is no sign of a late price by
 * itself. When `since` lies after the state's anchor (where the latest fold started), the
 * prices it marks can only be late inside (anchor, watermark], and the count covers that range
 * only, a few prices however long the history; otherwise (`since` null: the periodic pass, or
 * reaching further back) the whole window up to the watermark, which also catches late prices
 * other replicas stored. `undefined` when nothing needs counting: no state (the whole window is
 * read anyway), or every price the pass was told of lies after the watermark.
 */
export function lateCheck(
  row: TrackingRow,
  since: number | null,
): { count: PriceCount; expected: number } | undefined {
  const { state } = row;
  if (state === null || (since !== null && since > state.lastTime)) return undefined;
  const before = state.lastTime + MS; // at or before the watermark
  const anchor = state.anchor;
  if (anchor && since !== null && since > anchor.time) {
    return {
      count: { symbol: row.symbol, fromSeconds: anchor.time + MS, beforeSeconds: before },
      expected: state.observations - anchor.observations,
    };
  }
  const windowEnd = row.discoverySeconds + row.trackingDays * DAY;
  return {
    count: {
      symbol: row.symbol,
      fromSeconds: row.discoverySeconds,
      beforeSeconds: Math.min(before, windowEnd + MS),
    },
    expected: state.observations,
  };
}

/**
 * For each row, the state to fold its new prices into: its stored one, unless the check counted
 * stored prices other than those it folded in (more: a late price; fewer: some removed), and
 * then `null`, recompute the whole window. One query counts for all the rows that need it.
 */
export async function foldableStates(
  db: Queryable,
  rows: readonly TrackingRow[],
  targets: readonly TrackingTarget[],
): Promise<(PerformanceState | null)[]> {
  const since = new Map(targets.map((t) => [t.symbol, t.since && t.since.getTime() / 1000]));
  const checks = rows.map((row) => lateCheck(row, since.get(row.symbol) ?? null));
  const counted = await countPrices(
    db,
    checks.flatMap((c) => (c ? [c.count] : [])),
  );
  let next = 0;
  return rows.map((row, k) => {
    const check = checks[k];
    return check === undefined || counted[next++] === check.expected ? row.state : null;
  });
}
