/**
 * The recommendation tables and queries on both backends (real PostgreSQL and PGlite): the same
 * statements, the same answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { MetricRegistry } from '../../src/metrics/registry.js';
import { readSnapshot } from '../../src/recommendations/collector.js';
import { sameColumns } from '../../src/recommendations/columns.js';
import { canonicalJson } from '../../src/recommendations/duplicates.js';
import { recommendationMetrics } from '../../src/recommendations/metrics.js';
import { loadMissed, missedStats } from '../../src/recommendations/missed-store.js';
import {
  normalizeRecommendation,
  type TrackedRecommendation,
} from '../../src/recommendations/recommendation.js';
import {
  insertRecommendation,
  loadRecommendation,
  storedPayloads,
} from '../../src/recommendations/store.js';
import { RecommendationTracker } from '../../src/recommendations/tracker.js';
import { loadForTracking, loadPriceWindows } from '../../src/recommendations/tracking-store.js';
import { savePrice } from '../../src/prices/store.js';
import type { Database } from '../../src/storage/database.js';
import { LeaderElection } from '../../src/storage/leader.js';
import { migrate } from '../../src/storage/migrations.js';
import {
  BufferFullError,
  statements,
  WriteBuffer,
  type BufferedWrite,
} from '../../src/storage/write-buffer.js';
import { seedRecommendation } from '../../../test/helpers/payloads.js';
import { BACKENDS, type FreshDatabase } from '../storage/backends.js';

const DAY = 86_400;
const config = parseConfig({});
const thresholds = config.recommendations.outcome_min_peak_return_ratio;
const NOW = Math.floor(Date.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function rec(
  id: string,
  symbol: string,
  discoverySeconds: number,
  price: number,
  fields: { bought?: boolean; vigl?: number; spike?: number; reason?: string } = {},
): TrackedRecommendation {
  const input = seedRecommendation();
  return normalizeRecommendation(
    {
      ...input,
      tracking_id: id,
      symbol,
      discovery_date: iso(discoverySeconds),
      bought: fields.bought ?? false,
      ...(fields.reason ? { not_bought_reason: fields.reason } : {}),
      recommendation_data: {
        ...input.recommendation_data,
        price_at_discovery: price,
        vigl_score: fields.vigl ?? 0.78,
        volume_spike_ratio: fields.spike ?? 23.4,
      },
    },
    config.recommendations,
  );
}

/** Writes in one transaction, so that a refusal reaches the test (the buffer would log it). */
async function write(db: Database, ops: BufferedWrite[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const op of statements(ops)) await tx.query(op.sql, op.params);
  });
}

const price = (symbol: string, seconds: number, value: number) =>
  savePrice({ symbol, time: iso(seconds), price: value });

describe.each(BACKENDS)('recommendation storage on $name', (backend) => {
  let fresh: FreshDatabase | undefined;
  const open = async () => {
    fresh = await backend.fresh();
    await migrate(fresh.db);
    return fresh.db;
  };
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  it("adds migration 3's columns after document 000's, which stay as they were", async () => {
    const db = await open();
    const columns = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_name = 'recommendation_tracking' ORDER BY ordinal_position`,
    );
    const names = columns.map((c) => c.column_name);
    expect(names.slice(0, 3)).toEqual(['tracking_id', 'symbol', 'discovery_date']);
    expect(names.slice(23, 25)).toEqual(['created_at', 'updated_at']);
    expect(names.slice(25)).toEqual([
      'tracking_period_days',
      'checkpoint_days',
      'missed_opportunity_min_return',
      'major_move_min_return',
      'volume_spike_ratio',
      'confidence',
      'thesis',
      'not_bought_reason',
      'payload',
      'checkpoints',
      'price_observations',
      'tracking_closed_at',
    ]);
  });

  it('stores a recommendation once; another body under its id is refused, the first kept', async () => {
    const db = await open();
    const first = rec('r1', 'QUBT', NOW - 2 * DAY, 2.94);
    const other = rec('r1', 'QUBT', NOW - 2 * DAY, 3.5);
    await write(db, [insertRecommendation(first), insertRecommendation(first)]);
    // Another body under the stored id is refused by the database (logged and counted by the
    // write buffer), never silently dropped; the stored one stays.
    await expect(write(db, [insertRecommendation(other)])).rejects.toMatchObject({
      code: '22P02',
      message: expect.stringMatching(/recommendation r1 differs from the stored one/),
    });
    const payloads = await storedPayloads(db, ['r1', 'unknown']);
    expect([...payloads.keys()]).toEqual(['r1']);
    expect(canonicalJson(payloads.get('r1'))).toBe(canonicalJson(first.payload));
    const stored = await loadRecommendation(db, 'r1');
    expect(stored).toMatchObject({
      tracking_id: 'r1',
      symbol: 'QUBT',
      discovery_date: iso(NOW - 2 * DAY).replace('.000Z', 'Z'),
      discovery_price: 2.94,
      composite_score: 8.7,
      vigl_score: 0.78,
      pattern_features: {
        atr_pct: 0.085,
        momentum_5d: 0.34,
        compression_pct: 0.22,
        wolf_risk: 0.31,
      },
      bought: false,
      tracking_period_days: 30,
      checkpoint_days: [1, 7, 14, 30],
      missed_opportunity_min_return: 0.25,
      major_move_min_return: 0.5,
      price_1d: null,
      peak_price: null,
      outcome_category: null,
      missed_opportunity: false,
      checkpoints: [],
      price_observations: 0,
      tracking_closed_at: null,
      status: 'open',
    });
    expect(stored?.recommendation).toEqual(first.payload);
    expect(await loadRecommendation(db, 'nope')).toBeUndefined();
  });

  it("the collector reads the window's missed opportunities: count, sum and largest return", async () => {
    const db = await open();
    const window = { horizons: [], missedWindowDays: 7 };
    expect((await readSnapshot(db, window)).missed).toEqual({
      count: 0,
      potentialReturn: 0,
      maxPotentialReturn: 0,
    });
    await write(db, [
      insertRecommendation(rec('m1', 'AAA', NOW - DAY, 1)),
      insertRecommendation(rec('m2', 'BBB', NOW - 2 * DAY, 1)),
      insertRecommendation(rec('m3', 'CCC', NOW - 3 * DAY, 1)),
      insertRecommendation(rec('old', 'DDD', NOW - 8 * DAY, 1)), // outside the 7-day window
      insertRecommendation(rec('hit', 'EEE', NOW - DAY, 1)), // not missed
    ]);
    // Peak returns as the tracker would leave them: three under document 000's 50% each,
    // summing past it, and a larger one outside the window.
    for (const [id, peak, missed] of [
      ['m1', 0.3, true],
      ['m2', 0.25, true],
      ['m3', 0.2, true],
      ['old', 0.9, true],
      ['hit', 0.95, false],
    ] as const) {
      await db.query(
        `UPDATE recommendation_tracking SET peak_return = $2, missed_opportunity = $3
          WHERE tracking_id = $1`,
        [id, peak, missed],
      );
    }
    const { missed } = await readSnapshot(db, window);
    expect(missed.count).toBe(3);
    expect(missed.potentialReturn).toBeCloseTo(0.75, 12);
    expect(missed.maxPotentialReturn).toBe(0.3);
  });

  it('reads open recommendations, and closed ones only for prices inside their window', async () => {
    const db = await open();
    await write(db, [
      insertRecommendation(rec('open', 'AAA', NOW - 40 * DAY, 1)),
      insertRecommendation(rec('closed', 'AAA', NOW - 40 * DAY, 1)),
      insertRecommendation(rec('other', 'BBB', NOW - DAY, 1)),
    ]);
    await db.query(
      "UPDATE recommendation_tracking SET tracking_closed_at = NOW() WHERE tracking_id = 'closed'",
    );
    const ids = async (since: number | null) =>
      (
        await loadForTracking(db, [
          { symbol: 'AAA', since: since === null ? null : new Date(since * 1000) },
        ])
      ).map((r) => r.trackingId);
    expect(await ids(null)).toEqual(['open']);
    // The closed one's window ended 10 days ago: a price from 11 days ago is inside it.
    expect(await ids(NOW - 11 * DAY)).toEqual(['closed', 'open']);
    expect(await ids(NOW - 9 * DAY)).toEqual(['open']);
  });

  it("reads each symbol's prices inside its own window", async () => {
    const db = await open();
    await write(db, [
      price('AAA', NOW - 5 * DAY, 1),
      price('AAA', NOW - 3 * DAY, 2),
      price('AAA', NOW - DAY, 3),
      price('BBB', NOW - 5 * DAY, 10),
      price('BBB', NOW - 2 * DAY, 11.123456),
    ]);
    const windows = await loadPriceWindows(db, [
      { symbol: 'AAA', fromSeconds: NOW - 3 * DAY, toSeconds: NOW - DAY },
      { symbol: 'BBB', fromSeconds: NOW - 4 * DAY, toSeconds: NOW },
    ]);
    expect(Object.fromEntries(windows)).toEqual({
      AAA: [
        { timeSeconds: NOW - 3 * DAY, price: 2 },
        { timeSeconds: NOW - DAY, price: 3 },
      ],
      BBB: [{ timeSeconds: NOW - 2 * DAY, price: 11.123456 }],
    });
  });

  it('counts a pass that fails and retries its symbols at the next pass', async () => {
    const db = await open();
    await write(db, [
      insertRecommendation(rec('twf', 'TWF', NOW - 3 * DAY, 4)),
      price('TWF', NOW - 2 * DAY, 5),
    ]);
    const families = new MetricRegistry({
      maxSeriesPerMetric: 100,
      maxLabelValueLength: 128,
    }).registerAll(recommendationMetrics);
    const written: Record<string, unknown>[] = [];
    let full = true;
    const buffer = {
      flush: () => Promise.resolve(true),
      enqueue(ops: BufferedWrite[]) {
        if (full) throw new BufferFullError(1, 10, 10, ops.length);
        for (const op of ops) if ('row' in op) written.push(op.row as Record<string, unknown>);
      },
    } as unknown as WriteBuffer;
    const leader = { isLeader: () => false, onChange: () => () => undefined };
    const tracker = new RecommendationTracker({
      db,
      buffer,
      leader: leader as unknown as LeaderElection,
      thresholds,
      intervalMs: 3_600_000,
      updates: families.trackingUpdates,
      failures: families.trackingFailures,
      logger: createLogger('silent'),
    });
    tracker.touch('TWF', NOW - 2 * DAY);
    await tracker.idle();
    expect(families.trackingFailures.labels().value).toBe(1);
    expect(written).toEqual([]);
    full = false;
    await tracker.sweep(); // not the leader: no periodic pass, but the failed symbols again
    await tracker.idle();
    expect(families.trackingFailures.labels().value).toBe(1);
    expect(families.trackingUpdates.labels().value).toBe(1);
    expect(written).toHaveLength(1);
    // Discovered 3 days ago at 4; 5 came exactly 1 day later: the 1-day checkpoint (at or
    // before discovery + 1 day), 5 / 4 - 1 = 0.25; days 7, 14 and 30 have not come.
    expect(written[0]).toMatchObject({
      tracking_id: 'twf',
      price_1d: 5,
      price_7d: null,
      price_14d: null,
      price_30d: null,
      return_1d: 0.25,
    });
    // the peak: 5, +0.25, on day 1
    expect(written[0]).toMatchObject({ peak_price: 5, peak_return: 0.25, days_to_peak: 1 });
    tracker.stop();
  });

  it('tracks from stored prices, writes only what changed, and the collector reads it back', async () => {
    const db = await open();
    const d = NOW - 40 * DAY; // window over 10 days ago
    const c = NOW - 5 * DAY;
    await write(db, [
      insertRecommendation(
        rec('crwv', 'CRWV', c, 1.85, { vigl: 0.71, spike: 18, reason: 'score' }),
      ),
      insertRecommendation(rec('old', 'OLD', d, 10, { bought: true })),
      price('CRWV', c + 1 * DAY, 2.5),
      price('CRWV', c + 3 * DAY + 3600, 4.32),
      price('CRWV', c + 4 * DAY, 3.9),
      price('OLD', d + 1 * DAY, 9),
      price('OLD', d + 8 * DAY, 10.6),
      price('OLD', d + 29 * DAY, 10.2),
    ]);
    const registry = new MetricRegistry({ maxSeriesPerMetric: 100, maxLabelValueLength: 128 });
    const families = registry.registerAll(recommendationMetrics);
    const logger = createLogger('silent');
    const buffer = new WriteBuffer(db, { capacity: 100, batchSize: 10, flushIntervalMs: 1 });
    buffer.start();
    const leader = new LeaderElection(db, { retryIntervalMs: 60_000 });
    await leader.start(); // the only replica: leader on both backends
    const tracker = new RecommendationTracker({
      db,
      buffer,
      leader,
      thresholds,
      intervalMs: 3_600_000,
      updates: families.trackingUpdates,
      failures: families.trackingFailures,
      logger,
    });
    try {
      await tracker.sweep();
      await buffer.flush();
      expect(families.trackingUpdates.labels().value).toBe(2);
      expect(families.trackingFailures.labels().value).toBe(0);

      expect(await loadRecommendation(db, 'crwv')).toMatchObject({
        // 2.5/1.85 - 1 = 0.351351...; 4.32/1.85 - 1 = 1.335135...
        price_1d: 2.5,
        return_1d: 0.3514,
        price_7d: null,
        peak_price: 4.32,
        peak_return: 1.3351,
        days_to_peak: 3,
        max_drawdown: 0.0972, // (4.32 - 3.9) / 4.32 = 0.097222...
        outcome_category: null,
        missed_opportunity: true,
        checkpoints: [{ days: 1, price: 2.5, return: 0.3514 }],
        price_observations: 3,
        status: 'open',
      });
      expect(await loadRecommendation(db, 'old')).toMatchObject({
        // 9/10 - 1 = -0.1 (day 1), 10.6 on day 8 is the peak, 10.2 the last
        price_1d: 9,
        return_1d: -0.1,
        price_7d: 9,
        return_7d: -0.1,
        price_14d: 10.6,
        return_14d: 0.06,
        price_30d: 10.2,
        return_30d: 0.02,
        peak_price: 10.6,
        peak_return: 0.06,
        days_to_peak: 8,
        max_drawdown: 0.1, // 10 -> 9 before the peak: 0.1; 10.6 -> 10.2 after: 0.0377...
        outcome_category: 'poor', // 0.06 >= poor (0.05), < moderate (0.2)
        missed_opportunity: false,
        status: 'closed',
      });

      // Nothing new: a second pass over the same data writes nothing (the closed one is skipped).
      const rows = await loadForTracking(db, [{ symbol: 'CRWV', since: null }]);
      expect(rows.map((r) => r.stored.peakPrice)).toEqual([4.32]);
      await tracker.sweep();
      await buffer.flush();
      expect(families.trackingUpdates.labels().value).toBe(2);

      // A late price inside the finished window of OLD reopens its computation, not its status.
      await write(db, [price('OLD', d + 20 * DAY, 13)]);
      tracker.touch('OLD', d + 20 * DAY);
      await tracker.idle();
      await buffer.flush();
      expect(await loadRecommendation(db, 'old')).toMatchObject({
        peak_price: 13,
        peak_return: 0.3,
        days_to_peak: 20,
        outcome_category: 'moderate',
        status: 'closed',
      });
      expect(families.trackingUpdates.labels().value).toBe(3);

      const [updated] = await loadForTracking(db, [{ symbol: 'CRWV', since: null }]);
      expect(sameColumns(updated!.stored, rows[0]!.stored)).toBe(true);

      const snapshot = await readSnapshot(db, { horizons: [1, 7, 30], missedWindowDays: 7 });
      expect(snapshot.open).toEqual(new Map([['false', 1]]));
      expect(snapshot.outcomes).toEqual(new Map([['moderate\u0000true', 1]]));
      expect(snapshot.missed).toEqual({
        count: 1,
        potentialReturn: 1.3351,
        maxPotentialReturn: 1.3351,
      });
      // 1d: CRWV 0.3514, OLD -0.1; 7d: OLD -0.1; 30d: OLD 0.02.
      // Buckets -0.5, -0.25, -0.1, 0, 0.1, 0.25, 0.5, 1, 2, 5, +Inf (per bucket, not cumulative).
      expect(snapshot.returns.get(1)?.counts).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
      expect(snapshot.returns.get(1)?.count).toBe(2);
      expect(snapshot.returns.get(1)?.sum).toBeCloseTo(0.2514, 12);
      expect(snapshot.returns.get(7)?.counts).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(snapshot.returns.get(30)?.counts).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      expect(snapshot.returns.has(14)).toBe(false); // not a configured horizon here

      const since = new Date((NOW - 7 * DAY) * 1000);
      expect(await missedStats(db, since)).toEqual({
        total: 1,
        sumPeakReturn: 1.3351,
        avgDaysToPeak: 3,
        withVolumeSpike: 1,
        volumeSpikesOver: 1,
        viglAtLeast: 1,
        fastPeaks: 1,
        priceBands: [0, 1, 0, 0, 0, 0],
      });
      expect(await loadMissed(db, since, 10)).toEqual([
        {
          tracking_id: 'crwv',
          symbol: 'CRWV',
          discovery_date: new Date(c * 1000),
          discovery_price: 1.85,
          peak_price: 4.32,
          peak_return: 1.3351,
          days_to_peak: 3,
          composite_score: 8.7,
          vigl_score: 0.71,
          volume_spike_ratio: 18,
          not_bought_reason: 'score',
          learning_notes: null,
        },
      ]);
    } finally {
      tracker.stop();
      await leader.stop();
      await buffer.stop(5000);
    }
  });
});
