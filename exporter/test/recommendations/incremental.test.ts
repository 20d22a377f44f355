/**
 * Incremental tracking against the database on both backends: whatever order prices land and
 * passes run in (prices stored before the pass they marked dirty, late prices, restarts, several
 * recommendations on one symbol), every stored record and state equals the full recompute from
 * the stored prices, and passes over prices arriving in order read only the new ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { MetricRegistry } from '../../src/metrics/registry.js';
import { sameColumns, toColumns } from '../../src/recommendations/columns.js';
import { canonicalJson } from '../../src/recommendations/duplicates.js';
import { recommendationMetrics } from '../../src/recommendations/metrics.js';
import {
  advancePerformance,
  type PerformanceState,
} from '../../src/recommendations/performance.js';
import { normalizeRecommendation } from '../../src/recommendations/recommendation.js';
import { insertRecommendation } from '../../src/recommendations/store.js';
import { priceWindows, RecommendationTracker } from '../../src/recommendations/tracker.js';
import { loadForTracking, loadPriceWindows } from '../../src/recommendations/tracking-store.js';
import { savePrice } from '../../src/prices/store.js';
import type { Database } from '../../src/storage/database.js';
import type { LeaderElection } from '../../src/storage/leader.js';
import { migrate } from '../../src/storage/migrations.js';
import { WriteBuffer, type BufferedWrite } from '../../src/storage/write-buffer.js';
import { seedRecommendation } from '../../../test/helpers/payloads.js';
import { BACKENDS, type FreshDatabase } from '../storage/backends.js';
import { random } from './random.js';

const DAY = 86_400;
const config = parseConfig({});
const thresholds = config.recommendations.outcome_min_peak_return_ratio;
const START = Math.floor(Date.now() / 1000) - 40 * DAY;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Several recommendations on AAA (different discoveries, periods and checkpoints), one on BBB. */
const RECOMMENDATIONS = [
  { id: 'a1', symbol: 'AAA', discovery: START, days: 30, checkpoints: [1, 7, 14, 30] },
  { id: 'a2', symbol: 'AAA', discovery: START + 2.5 * DAY, days: 3, checkpoints: [1, 2, 3] },
  { id: 'a3', symbol: 'AAA', discovery: START + 6 * DAY, days: 10, checkpoints: [1, 5] },
  { id: 'b1', symbol: 'BBB', discovery: START + DAY, days: 7, checkpoints: [1, 7] },
];
const SYMBOLS = ['AAA', 'BBB'];

/**
 * What the tracker makes the database go through: the price rows it reads (`loadPriceWindows`)
 * and the prices it counts for late-price checks (`countPrices`).
 */
function counting(db: Database): { db: Database; read: () => number; counted: () => number } {
  let read = 0;
  let counted = 0;
  const wrapped = Object.create(db) as Database;
  wrapped.query = async (sql, params) => {
    const result = await db.query<Record<string, unknown>>(sql, params);
    for (const row of result) {
      if ('price' in row) read++;
      if (typeof row.n === 'string' || typeof row.n === 'number') counted += Number(row.n);
    }
    return result as never;
  };
  return { db: wrapped, read: () => read, counted: () => counted };
}

/** The state without its anchor, which depends on how it was folded, not on the prices. */
const priceState = (state: PerformanceState | null) =>
  canonicalJson(state && { ...state, anchor: undefined });

describe.each(BACKENDS)('incremental tracking on $name', (backend) => {
  let fresh: FreshDatabase | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await fresh?.cleanup();
    fresh = undefined;
  });

  /** A migrated database holding RECOMMENDATIONS, and a clock the trackers read. */
  async function setup() {
    fresh = await backend.fresh();
    const db = fresh.db;
    await migrate(db);
    const buffer = new WriteBuffer(db, { capacity: 10_000, batchSize: 500, flushIntervalMs: 1 });
    buffer.start();
    stops.push(async () => void (await buffer.stop(5000)));
    /** Stores `ops` as the exporter does, before any tracker is told of them. */
    const write = async (ops: BufferedWrite[]) => {
      buffer.enqueue(ops);
      expect(await buffer.flush()).toBe(true);
    };
    await write(
      RECOMMENDATIONS.map((r) => {
        const input = seedRecommendation();
        return insertRecommendation(
          normalizeRecommendation(
            {
              ...input,
              tracking_id: r.id,
              symbol: r.symbol,
              discovery_date: iso(r.discovery),
              tracking_period_days: r.days,
              performance_checkpoints: r.checkpoints,
              recommendation_data: { ...input.recommendation_data, price_at_discovery: 10 },
            },
            config.recommendations,
          ),
        );
      }),
    );
    const clock = { now: START };
    const families = new MetricRegistry({
      maxSeriesPerMetric: 100,
      maxLabelValueLength: 128,
    }).registerAll(recommendationMetrics);
    const reads = counting(db);
    /** A tracker as a (re)started exporter has it: nothing in memory, the states in the table. */
    const tracker = () => {
      const t = new RecommendationTracker({
        db: reads.db,
        buffer,
        leader: {
          isLeader: () => true,
          onChange: () => () => undefined,
        } as unknown as LeaderElection,
        thresholds,
        intervalMs: 3_600_000,
        updates: families.trackingUpdates,
        failures: families.trackingFailures,
        logger: createLogger('silent'),
        now: () => clock.now,
      });
      stops.push(async () => t.stop());
      return t;
    };
    const pass = async (t: RecommendationTracker, job: () => unknown) => {
      job();
      await t.idle();
      await buffer.flush();
    };
    return { db, write, clock, tracker, pass, reads, families };
  }

  /** Every stored record and state equals the one recomputed from all of its window's prices. */
  async function expectFullRecompute(db: Database, nowSeconds: number): Promise<void> {
    const rows = await loadForTracking(
      db,
      SYMBOLS.map((symbol) => ({ symbol, since: new Date(0) })),
    );
    expect(rows).toHaveLength(RECOMMENDATIONS.length);
    for (const row of rows) {
      const prices = await loadPriceWindows(db, priceWindows([row]));
      const full = advancePerformance(null, prices.get(row.symbol) ?? [], {
        ...row,
        nowSeconds,
        thresholds,
      })!;
      const columns = toColumns(full.record, {
        bought: row.bought,
        missedOpportunityMinReturn: row.missedOpportunityMinReturn,
        thresholds,
        windowOver: nowSeconds >= row.discoverySeconds + row.trackingDays * DAY,
      });
      expect(sameColumns(row.stored, columns), `${row.trackingId}: record`).toBe(true);
      expect(priceState(row.state), `${row.trackingId}: state`).toBe(priceState(full.state));
    }
  }

  it('reads only the new prices when they land before the pass, and recomputes on a late one', async () => {
    const { db, write, clock, tracker, pass, reads } = await setup();
    const t = tracker();
    // A day and a half of minute prices for AAA, then one pass over the whole history.
    const history = Array.from({ length: 2160 }, (_, m) =>
      savePrice({ symbol: 'AAA', time: iso(START + 60 * m), price: 10 + (m % 7) }),
    );
    await write(history);
    clock.now = START + 1.5 * DAY;
    await pass(t, () => t.touch('AAA', START));
    expect(reads.read()).toBeGreaterThanOrEqual(2160);
    await expectFullRecompute(db, clock.now);

    // Batches stored before the pass that was told of them runs: each pass's `since` lies at or
    // before the watermark an earlier pass left, which is no late price.
    let before = reads.read();
    let counted = reads.counted();
    let minute = 2160;
    for (let round = 0; round < 10; round++) {
      if (round === 1) {
        // The state of a fold from nothing has no anchor: the first check counted the window.
        expect(reads.counted() - counted).toBeGreaterThanOrEqual(2160);
        [before, counted] = [reads.read(), reads.counted()];
      }
      const batch = Array.from({ length: 5 }, () =>
        savePrice({ symbol: 'AAA', time: iso(START + 60 * minute++), price: 9 + (minute % 11) }),
      );
      await write(batch);
      clock.now = START + 60 * minute;
      await pass(t, () => t.touch('AAA', START + 60 * (minute - 10)));
    }
    expect(reads.read() - before).toBeLessThanOrEqual(90); // the 45 new prices, a few twice
    // The late-price checks counted the prices since each state's anchor, not the history.
    expect(reads.counted() - counted).toBeLessThanOrEqual(90);
    await expectFullRecompute(db, clock.now);

    // A late price between the anchor (where the last fold started) and the watermark, told of:
    // the check counts only the prices after the anchor, and the window is recomputed.
    const beforeRecent = [reads.read(), reads.counted()] as const;
    await write([savePrice({ symbol: 'AAA', time: iso(START + 60 * minute - 90), price: 2 })]);
    await pass(t, () => t.touch('AAA', START + 60 * minute - 90));
    expect(reads.counted() - beforeRecent[1]).toBeLessThanOrEqual(10);
    expect(reads.read() - beforeRecent[0]).toBeGreaterThan(2160);
    await expectFullRecompute(db, clock.now);

    // A late price, under the watermark (not told of, as from another replica): the next
    // periodic pass counts the prices up to the watermark and recomputes the whole window.
    await write([savePrice({ symbol: 'AAA', time: iso(START + 30.5), price: 40 })]);
    const beforeLate = reads.read();
    await pass(t, () => t.sweep());
    expect(reads.read() - beforeLate).toBeGreaterThan(2160);
    await expectFullRecompute(db, clock.now);

    // A late price told of (since before the anchor): counted over the window, recomputed.
    await write([savePrice({ symbol: 'AAA', time: iso(START + 90.5), price: 41 })]);
    await pass(t, () => t.touch('AAA', START + 90.5));
    expect(reads.read() - beforeLate).toBeGreaterThan(2 * 2160);
    await expectFullRecompute(db, clock.now);
  });

  it('equals the full recompute whatever the order of prices, passes and restarts', async () => {
    const { db, write, clock, tracker, pass, families } = await setup();
    const rnd = random(7);
    let t = tracker();
    const latest = new Map(SYMBOLS.map((s) => [s, START - DAY]));
    /** Stored prices the tracker was not told of yet (`touch`, as `POST /v1/prices` does). */
    const untold: { symbol: string; since: number }[] = [];
    const stored = new Set<string>();
    for (let step = 0; step < 80; step++) {
      clock.now += rnd() * 0.8 * DAY;
      const symbol = SYMBOLS[Math.floor(rnd() * SYMBOLS.length)]!;
      // Late: from before discovery on, or from a little before the latest (often after the
      // anchor of the record's state); else after the latest.
      const late = rnd() < 0.3 ? (rnd() < 0.5 ? START - DAY : latest.get(symbol)! - DAY / 2) : null;
      const ops: BufferedWrite[] = [];
      for (let n = Math.floor(rnd() * 6); n > 0; n--) {
        const from = late ?? latest.get(symbol)!;
        const seconds = Math.round((from + rnd() * (clock.now - from)) * 1000) / 1000;
        // Some times carry microseconds, which a JavaScript Date does not hold.
        const time = rnd() < 0.2 ? iso(seconds).replace('Z', '400Z') : iso(seconds);
        if (stored.has(`${symbol} ${time}`)) continue;
        stored.add(`${symbol} ${time}`);
        if (late === null) latest.set(symbol, Math.max(latest.get(symbol)!, seconds));
        ops.push(savePrice({ symbol, time, price: Math.round((5 + rnd() * 20) * 1e4) / 1e4 }));
        untold.push({ symbol, since: Date.parse(time) / 1000 });
      }
      await write(ops);
      const action = rnd();
      if (action < 0.1)
        t = tracker(); // a restart: what was in memory is gone
      else if (action < 0.25) await pass(t, () => t.sweep());
      else if (untold.length > 0) {
        // Tell of some of the stored prices, earliest first: often after a pass already read them.
        const told = untold.splice(0, 1 + Math.floor(rnd() * untold.length));
        await pass(t, () => {
          for (const p of told) t.touch(p.symbol, p.since);
        });
      }
      if (step % 10 === 9) {
        await pass(t, () => {
          for (const p of untold.splice(0)) t.touch(p.symbol, p.since);
        });
        await pass(t, () => t.sweep()); // closes the windows that ended without new prices
        await expectFullRecompute(db, clock.now);
      }
    }
    expect(families.trackingFailures.labels().value).toBe(0);
  });
});
