import { describe, expect, it } from 'vitest';
import { readTick } from '../../src/trading/schema.js';
import { readSnapshot } from '../../src/trading/snapshot.js';
import { seedTick } from '../fixtures/seed-payloads.js';

// 2025-10-12T12:34:56+05:30 is 07:04:56 UTC.
const TICK_SECONDS = Date.UTC(2025, 9, 12, 7, 4, 56) / 1000;

describe('readSnapshot (document 001 example, computed by hand)', () => {
  const r = readSnapshot(seedTick());

  it('turns ages into timestamps', () => {
    expect(r.heartbeatSeconds).toBe(TICK_SECONDS);
    expect(r.startSeconds).toBe(TICK_SECONDS - 3600);
    expect(r.artifacts).toEqual([
      { artifact: 'teacher', updatedSeconds: TICK_SECONDS - 12 * 3600 },
      { artifact: 'student', updatedSeconds: TICK_SECONDS - 6 * 3600 },
    ]);
  });

  it('turns the daily loss percentage into a loss ratio (positive when losing)', () => {
    expect(r.dailyLossRatio).toBe(0.0025);
    expect(
      readSnapshot({ ...seedTick(), risk: { circuit_breaker_active: true, daily_loss_pct: -5.2 } })
        .dailyLossRatio,
    ).toBe(0.052);
  });

  it('reads services from <service>_authenticated flags and shares last_api_call', () => {
    expect(r.services).toEqual([
      { service: 'breeze', up: true, lastCallSeconds: TICK_SECONDS - 6 },
    ]);
    const down = readSnapshot({
      ...seedTick(),
      connectivity: {
        breeze_authenticated: true,
        breeze_connected: false,
        polygon_connected: true,
      },
    });
    expect(down.services).toEqual([
      { service: 'breeze', up: false, lastCallSeconds: undefined },
      { service: 'polygon', up: true, lastCallSeconds: undefined },
    ]);
  });

  it('keeps the engine default name and the PnL parts', () => {
    expect(r.engine).toBe('default');
    expect([r.dailyPnl, r.realizedPnl, r.unrealizedPnl]).toEqual([2500.5, 1300.5, 1200]);
    expect(r.openPositions).toBe(3);
    expect(r.sentimentCacheHitRatio).toBe(0.85);
    expect(r.apiAnomalies).toEqual([]);
  });

  it('reads only flag and artifact keys whose name is an identifier; a later key wins', () => {
    const r = readSnapshot({
      ...seedTick(),
      connectivity: {
        'bad name_connected': false, // an extra field, not a flag
        polygon_connected: true,
        polygon_authenticated: true,
        breeze_connected_connected: false,
      },
      artifacts: {
        teacher_model_age_hours: 12,
        student_model_updated_at: '2025-10-12T00:00:00Z',
        teacher_model_updated_at: '2025-10-12T06:00:00Z',
        'not one_model_age_hours': 1,
      },
    });
    expect(r.services).toEqual([
      { service: 'polygon', up: true, lastCallSeconds: undefined },
      { service: 'breeze_connected', up: false, lastCallSeconds: undefined },
    ]);
    expect(r.artifacts).toEqual([
      { artifact: 'teacher', updatedSeconds: Date.UTC(2025, 9, 12, 6) / 1000 },
      { artifact: 'student', updatedSeconds: Date.UTC(2025, 9, 12) / 1000 },
    ]);
  });

  it('reads the API anomaly extension', () => {
    const withApi = readSnapshot({
      ...seedTick(),
      api: { breeze: { rate_limit_hits: 2 }, news: { auth_failures: 1 } },
    });
    expect(withApi.apiAnomalies).toEqual([
      { api: 'breeze', rateLimitHits: 2, authFailures: 0 },
      { api: 'news', rateLimitHits: 0, authFailures: 1 },
    ]);
  });
});

describe('readTick: schema errors', () => {
  const fieldsOf = (input: unknown) => {
    const result = readTick(input);
    return result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.message}`);
  };

  it('accepts document 001 as is', () => {
    expect(fieldsOf(seedTick())).toEqual([]);
  });

  it('names wrong types in known and pattern-named fields', () => {
    const tick = seedTick() as unknown as Record<string, Record<string, unknown>>;
    tick.connectivity!.breeze_authenticated = 'yes';
    tick.artifacts!.teacher_model_age_hours = -1;
    tick.risk!.circuit_breaker_active = 1;
    expect(fieldsOf(tick)).toEqual(
      expect.arrayContaining([
        'connectivity.breeze_authenticated: must be boolean',
        'artifacts.teacher_model_age_hours: must be >= 0',
        'risk.circuit_breaker_active: must be boolean',
      ]),
    );
  });

  it('refuses a cache hit rate outside 0..1 and missing sections', () => {
    const tick = seedTick() as unknown as Record<string, unknown>;
    (tick.sentiment as Record<string, unknown>).cache_hit_rate = 85;
    delete tick.pnl;
    expect(fieldsOf(tick)).toEqual(['pnl: is required', 'sentiment.cache_hit_rate: must be <= 1']);
  });
});

describe('readTick (validation and reading in one pass)', () => {
  it('hands over the snapshot and the same readings readSnapshot gives', () => {
    const tick = seedTick();
    const result = readTick(tick);
    expect(result.ok && result.value.snapshot).toBe(tick);
    expect(result.ok && result.value.readings).toEqual(readSnapshot(tick));
  });

  it('names each time it cannot use', () => {
    const tick = {
      ...seedTick(),
      heartbeat: { last_tick: '1999-12-31T23:59:59Z' },
      connectivity: { last_api_call: '2016-12-31T23:59:60Z' },
      artifacts: { teacher_model_updated_at: '2999-01-01T00:00:00Z' },
    };
    const expected = [
      { field: 'heartbeat.last_tick', message: 'is before 2000-01-01' },
      {
        field: 'connectivity.last_api_call',
        message: 'is not a time this service can read (use e.g. 2025-09-03T14:30:22Z)',
      },
      {
        field: 'artifacts.teacher_model_updated_at',
        message: 'is more than a day in the future',
      },
    ];
    expect(readTick(tick)).toEqual({ ok: false, errors: expected });
  });

  it('checks holdings against the snapshot time it read', () => {
    const tick = seedTick();
    tick.positions = {
      count: 1,
      total_value: 100,
      holdings: [
        {
          symbol: 'TCS',
          quantity: 1,
          entry_price: 100,
          current_price: 100,
          entry_time: '2025-10-12T07:05:00Z', // 4 s after the snapshot (07:04:56 UTC)
        },
      ],
    };
    expect(readTick(tick)).toEqual({
      ok: false,
      errors: [
        {
          field: 'positions.holdings[0].entry_time',
          message: 'is after the snapshot timestamp',
        },
      ],
    });
  });
});
