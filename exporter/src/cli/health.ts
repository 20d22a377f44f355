/**
 * `tradewatch health`: document 001's ad-hoc checks, judged from one scrape of the exporter
 * (and Prometheus' `up` when its URL is given). Pure: the caller fetches. docs/alerting.md
 * lists the rules; a `fail` makes the command exit 1.
 */
import { samplesOf, type MetricFamily } from './exposition.js';
import { formatAge, formatLabels } from './table.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
}

/** Prometheus' answer to `up{job="..."}`: the value per target, or why it could not be asked. */
export type TargetsResult =
  | { ok: true; job: string; targets: { instance: string; up: boolean }[] }
  | { ok: false; job: string; error: string };

/** mixin/config.ts `trading.heartbeatLapsed.threshold` (a test keeps the two equal). */
export const MISSED_HEARTBEATS = 3;

export function healthChecks(
  families: readonly MetricFamily[],
  nowSeconds: number,
  targets?: TargetsResult,
): Check[] {
  const checks: Check[] = [];
  const value = (name: string, fallback: number) => samplesOf(families, name)[0]?.value ?? fallback;
  const add = (check: string, status: CheckStatus, detail: string) =>
    checks.push({ check, status, detail });

  // Lapsed exactly when TradewatchHeartbeatLapsed fires: the last tick is older than
  // MISSED_HEARTBEATS intervals, the interval being the gauge the exporter publishes from
  // engine.heartbeat_interval_seconds, which the alert compares with.
  const interval = samplesOf(families, 'tradewatch_engine_heartbeat_interval_seconds')[0]?.value;
  const heartbeats = samplesOf(families, 'tradewatch_engine_heartbeat_timestamp_seconds');
  if (heartbeats.length === 0) add('heartbeat', 'warn', 'no engine snapshot received yet');
  for (const s of heartbeats) {
    const age = nowSeconds - s.value;
    const check = `heartbeat ${s.labels.engine ?? ''}`.trim();
    if (interval === undefined) {
      add(check, 'warn', `last tick ${formatAge(age)} ago; the exporter publishes no interval`);
    } else {
      const lapsed = age > MISSED_HEARTBEATS * interval;
      add(
        check,
        lapsed ? 'fail' : 'ok',
        `last tick ${formatAge(age)} ago (interval ${interval}s, lapsed after ${MISSED_HEARTBEATS})`,
      );
    }
  }

  const staleAfter = value('tradewatch_model_artifact_staleness_threshold_seconds', 86_400);
  const artifacts = samplesOf(families, 'tradewatch_model_artifact_updated_timestamp_seconds');
  if (artifacts.length === 0) add('artifacts', 'ok', 'no model artifacts reported');
  for (const s of artifacts) {
    const age = nowSeconds - s.value;
    add(
      `artifact ${s.labels.artifact ?? ''} ${formatLabels({ engine: s.labels.engine ?? '' })}`,
      age > staleAfter ? 'fail' : 'ok',
      `updated ${formatAge(age)} ago (stale after ${formatAge(staleAfter)})`,
    );
  }

  for (const s of samplesOf(families, 'tradewatch_engine_connectivity_up')) {
    add(
      `connectivity ${s.labels.service ?? ''} ${formatLabels({ engine: s.labels.engine ?? '' })}`,
      s.value === 1 ? 'ok' : 'fail',
      s.value === 1 ? 'connected' : 'not connected',
    );
  }

  for (const s of samplesOf(families, 'tradewatch_engine_circuit_breaker_active')) {
    add(
      `circuit breaker ${s.labels.engine ?? ''}`.trim(),
      s.value === 1 ? 'fail' : 'ok',
      s.value === 1 ? 'active: trading halted' : 'inactive',
    );
  }

  const storageUp = value('tradewatch_storage_up', NaN);
  const pending = value('tradewatch_storage_buffer_events', 0);
  if (Number.isNaN(storageUp)) add('storage', 'skipped', 'the exporter reports no storage');
  else if (storageUp !== 1)
    add('storage', 'fail', `database unreachable, ${pending} writes buffered`);
  else add('storage', pending > 0 ? 'warn' : 'ok', `database up, ${pending} writes buffered`);

  const open = samplesOf(families, 'tradewatch_alerts_alertmanager_circuit_breaker_state').find(
    (s) => s.labels.state === 'open' && s.value === 1,
  );
  const queued = value('tradewatch_alerts_manual_pending', 0);
  if (open || queued > 0) {
    add('alert delivery', 'warn', `${open ? 'breaker open, ' : ''}${queued} manual alerts queued`);
  }

  if (!targets) add('prometheus target', 'skipped', 'no --prometheus URL given');
  else if (!targets.ok) add('prometheus target', 'fail', targets.error);
  else if (targets.targets.length === 0)
    add('prometheus target', 'fail', `Prometheus has no target with job="${targets.job}"`);
  else
    for (const t of targets.targets) {
      add(`prometheus target ${t.instance}`, t.up ? 'ok' : 'fail', t.up ? 'up' : 'down');
    }
  return checks;
}

export const healthy = (checks: readonly Check[]): boolean =>
  checks.every((c) => c.status !== 'fail');
