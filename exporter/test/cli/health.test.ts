/**
 * `tradewatch health`'s judgement (pure): one healthy exposition, then each fault on its own,
 * with the check it must fail and why. Heartbeats lapse where TradewatchHeartbeatLapsed fires.
 */
import { describe, expect, it } from 'vitest';
import { generatedAlerts } from '../../../test/alerting/rules-harness.js';
import { parseExposition } from '../../src/cli/exposition.js';
import {
  healthChecks,
  healthy,
  MISSED_HEARTBEATS,
  type Check,
  type TargetsResult,
} from '../../src/cli/health.js';
import { config } from '../../../mixin/config.js';

const NOW = 1_760_000_000;
const DAY = 86_400;

/** A healthy engine `live`: ticked 5 s ago (interval 5 s), artifacts a day old (threshold 2 days). */
const HEALTHY: Readonly<Record<string, number>> = {
  tradewatch_engine_heartbeat_interval_seconds: 5,
  'tradewatch_engine_heartbeat_timestamp_seconds{engine="live"}': NOW - 5,
  tradewatch_model_artifact_staleness_threshold_seconds: 2 * DAY,
  'tradewatch_model_artifact_updated_timestamp_seconds{engine="live",artifact="teacher"}':
    NOW - DAY,
  'tradewatch_engine_connectivity_up{engine="live",service="alpaca"}': 1,
  'tradewatch_engine_circuit_breaker_active{engine="live"}': 0,
  tradewatch_storage_up: 1,
  tradewatch_storage_buffer_events: 0,
};
const TARGET_UP: TargetsResult = {
  ok: true,
  job: 'tradewatch',
  targets: [{ instance: 'tw:9473', up: true }],
};

/** Runs the checks on the healthy exposition with some samples changed. */
function run(changes: Record<string, number> = {}, targets: TargetsResult = TARGET_UP): Check[] {
  const text = Object.entries({ ...HEALTHY, ...changes })
    .map(([series, value]) => `${series} ${value}`)
    .join('\n');
  return healthChecks(parseExposition(text), NOW, targets);
}
const failing = (checks: Check[]) => checks.filter((c) => c.status === 'fail');

describe('tradewatch health', () => {
  it('passes every check on a healthy exporter', () => {
    const checks = run();
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['heartbeat live', 'ok'],
      ['artifact teacher {engine="live"}', 'ok'],
      ['connectivity alpaca {engine="live"}', 'ok'],
      ['circuit breaker live', 'ok'],
      ['storage', 'ok'],
      ['prometheus target tw:9473', 'ok'],
    ]);
    expect(healthy(checks)).toBe(true);
  });

  it.each<[string, Record<string, number>, Check]>([
    [
      'a heartbeat older than three intervals',
      { 'tradewatch_engine_heartbeat_timestamp_seconds{engine="live"}': NOW - 16 },
      {
        check: 'heartbeat live',
        status: 'fail',
        detail: 'last tick 16s ago (interval 5s, lapsed after 3)',
      },
    ],
    [
      'an artifact older than the staleness threshold',
      {
        'tradewatch_model_artifact_updated_timestamp_seconds{engine="live",artifact="teacher"}':
          NOW - 2 * DAY - 3600,
      },
      {
        check: 'artifact teacher {engine="live"}',
        status: 'fail',
        detail: 'updated 2d1h ago (stale after 2d0h)',
      },
    ],
    [
      'a service the engine is not connected to',
      { 'tradewatch_engine_connectivity_up{engine="live",service="alpaca"}': 0 },
      { check: 'connectivity alpaca {engine="live"}', status: 'fail', detail: 'not connected' },
    ],
    [
      'the database down',
      { tradewatch_storage_up: 0, tradewatch_storage_buffer_events: 42 },
      { check: 'storage', status: 'fail', detail: 'database unreachable, 42 writes buffered' },
    ],
    [
      'the circuit breaker active',
      { 'tradewatch_engine_circuit_breaker_active{engine="live"}': 1 },
      { check: 'circuit breaker live', status: 'fail', detail: 'active: trading halted' },
    ],
  ])('fails on %s, and only that check', (_name, changes, expected) => {
    const checks = run(changes);
    expect(failing(checks)).toEqual([expected]);
    expect(healthy(checks)).toBe(false);
  });

  it.each<[string, TargetsResult, Check[]]>([
    [
      'a target down',
      {
        ok: true,
        job: 'tradewatch',
        targets: [
          { instance: 'tw:9473', up: true },
          { instance: 'tw2:9473', up: false },
        ],
      },
      [{ check: 'prometheus target tw2:9473', status: 'fail', detail: 'down' }],
    ],
    [
      'no target of the job',
      { ok: true, job: 'tradewatch', targets: [] },
      [
        {
          check: 'prometheus target',
          status: 'fail',
          detail: 'Prometheus has no target with job="tradewatch"',
        },
      ],
    ],
    [
      'Prometheus unreachable',
      { ok: false, job: 'tradewatch', error: 'connect ECONNREFUSED' },
      [{ check: 'prometheus target', status: 'fail', detail: 'connect ECONNREFUSED' }],
    ],
  ])('fails on %s', (_name, targets, expected) => {
    const checks = run({}, targets);
    expect(failing(checks)).toEqual(expected);
    expect(healthy(checks)).toBe(false);
  });

  it('warns, without failing, on buffered writes and on no engine yet', () => {
    expect(run({ tradewatch_storage_buffer_events: 3 }).find((c) => c.check === 'storage')).toEqual(
      {
        check: 'storage',
        status: 'warn',
        detail: 'database up, 3 writes buffered',
      },
    );
    const noEngine = healthChecks(parseExposition('tradewatch_storage_up 1'), NOW, TARGET_UP);
    expect(noEngine[0]).toEqual({
      check: 'heartbeat',
      status: 'warn',
      detail: 'no engine snapshot received yet',
    });
    expect(healthy(noEngine)).toBe(true);
    const noInterval = healthChecks(
      parseExposition(`tradewatch_engine_heartbeat_timestamp_seconds{engine="live"} ${NOW - 60}`),
      NOW,
      TARGET_UP,
    );
    expect(noInterval[0]).toEqual({
      check: 'heartbeat live',
      status: 'warn',
      detail: 'last tick 1m ago; the exporter publishes no interval',
    });
  });
});

describe('the heartbeat check against TradewatchHeartbeatLapsed', () => {
  it('lapses past exactly three intervals, as the alert does', () => {
    const at = (age: number) =>
      run({ 'tradewatch_engine_heartbeat_timestamp_seconds{engine="live"}': NOW - age })[0]?.status;
    expect(at(6)).toBe('ok'); // one late tick is jitter
    expect(at(15)).toBe('ok'); // age == 3 intervals: the alert's `>` does not fire either
    expect(at(15.5)).toBe('fail');
  });

  it('the generated rule compares the age at the scrape with the same factor of the gauge', () => {
    const rule = generatedAlerts().find((a) => a.alert === 'TradewatchHeartbeatLapsed');
    const match = rule?.expr.match(
      /^max by \(job, engine\) \(timestamp\((tradewatch_engine_heartbeat_timestamp_seconds\{[^}]*\})\) - \1\) > on \(job\) group_left max by \(job\) \(tradewatch_engine_heartbeat_interval_seconds\{[^}]*\}\) \* (\d+)$/,
    );
    expect(match?.[2]).toBe(String(MISSED_HEARTBEATS));
    expect(config.trading.heartbeatLapsed.threshold).toBe(MISSED_HEARTBEATS);
  });
});
