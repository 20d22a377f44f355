import { checkHoldings } from '../positions/schema.js';
import { timestampMs } from '../timestamps.js';
import { checkTimestamp, type FieldError } from '../validation.js';
import { roundTo15Digits } from './decimal.js';
import { ARTIFACT_AGE, ARTIFACT_UPDATED, SERVICE_FLAG } from './keys.js';
import type { EngineSnapshot } from './schema.js';

/** A snapshot turned into metric readings: base units, timestamps instead of ages. */
export interface EngineReadings {
  engine: string;
  timestampSeconds: number;
  heartbeatSeconds: number;
  startSeconds: number | undefined;
  openPositions: number;
  positionsValue: number;
  dailyPnl: number | undefined;
  realizedPnl: number | undefined;
  unrealizedPnl: number | undefined;
  equity: number | undefined;
  /** Today's loss as a ratio: 0.052 for document 001's daily_loss_pct of -5.2; negative on gains. */
  dailyLossRatio: number | undefined;
  circuitBreakerActive: boolean;
  largestPositionValue: number | undefined;
  sentimentScore: number | undefined;
  sentimentProviderErrors: number | undefined;
  sentimentCacheHitRatio: number | undefined;
  services: { service: string; up: boolean; lastCallSeconds: number | undefined }[];
  artifacts: { artifact: string; updatedSeconds: number }[];
  apiAnomalies: { api: string; rateLimitHits: number; authFailures: number }[];
}

export const DEFAULT_ENGINE = 'default';
/** Service that `connectivity.last_api_call` belongs to when no `<service>_authenticated` flag names one. */
export const DEFAULT_SERVICE = 'broker';

/** Given to the readers when they also check: where problems go, and the clock, read once. */
interface Check {
  errors: FieldError[];
  nowMs: number;
}

const seconds = (field: string, text: string, check: Check | undefined): number =>
  check ? checkTimestamp(field, text, check.errors, check.nowMs) : timestampMs(text) / 1000;

/** 15 significant digits drop the binary noise of /100 (5.2 -> 0.052, not 0.052000000000000005). */
const percentToRatio = (pct: number): number => roundTo15Digits(pct / 100);

/**
 * Reads a validated snapshot. Given `errors`, it also checks what JSON Schema cannot (times
 * Date can read and that are plausible, the holdings) and adds each problem there, so that
 * validating and reading parse each timestamp once; the readings are void if it added any.
 */
export function readSnapshot(snapshot: EngineSnapshot, errors?: FieldError[]): EngineReadings {
  const check = errors && { errors, nowMs: Date.now() };
  const timestampSeconds = seconds('timestamp', snapshot.timestamp, check);
  const heartbeatSeconds = seconds('heartbeat.last_tick', snapshot.heartbeat.last_tick, check);
  const uptime = snapshot.heartbeat.uptime_seconds;
  const lossPct = snapshot.risk.daily_loss_pct;
  const services = readServices(snapshot.connectivity, check);
  const artifacts = readArtifacts(snapshot.artifacts, timestampSeconds, check);
  if (errors) {
    for (const error of checkHoldings(snapshot.positions, timestampSeconds)) errors.push(error);
  }
  return {
    engine: snapshot.engine ?? DEFAULT_ENGINE,
    timestampSeconds,
    heartbeatSeconds,
    startSeconds: uptime === undefined ? undefined : heartbeatSeconds - uptime,
    openPositions: snapshot.positions.count,
    positionsValue: snapshot.positions.total_value,
    dailyPnl: snapshot.pnl.daily,
    realizedPnl: snapshot.pnl.realized,
    unrealizedPnl: snapshot.pnl.unrealized,
    equity: snapshot.pnl.equity,
    dailyLossRatio: lossPct === undefined ? undefined : percentToRatio(-lossPct),
    circuitBreakerActive: snapshot.risk.circuit_breaker_active,
    largestPositionValue: snapshot.risk.max_position_value,
    sentimentScore: snapshot.sentiment?.last_score,
    sentimentProviderErrors: snapshot.sentiment?.provider_errors_1h,
    sentimentCacheHitRatio: snapshot.sentiment?.cache_hit_rate,
    services,
    artifacts,
    apiAnomalies: snapshot.api ? readApiAnomalies(snapshot.api) : [],
  };
}

function readApiAnomalies(api: NonNullable<EngineSnapshot['api']>): EngineReadings['apiAnomalies'] {
  const anomalies: EngineReadings['apiAnomalies'] = [];
  for (const name in api) {
    const counts = api[name] as NonNullable<EngineSnapshot['api']>[string];
    anomalies.push({
      api: name,
      rateLimitHits: counts.rate_limit_hits ?? 0,
      authFailures: counts.auth_failures ?? 0,
    });
  }
  return anomalies;
}

/** A service is up when every flag naming it is true; `last_api_call` counts for those up. */
function readServices(
  connectivity: EngineSnapshot['connectivity'],
  check: Check | undefined,
): EngineReadings['services'] {
  if (!connectivity) return [];
  const lastCall = connectivity.last_api_call;
  const lastCallSeconds = lastCall
    ? seconds('connectivity.last_api_call', lastCall, check)
    : undefined;
  const services: EngineReadings['services'] = [];
  for (const key in connectivity) {
    // The suffix tests first: a regular expression costs more, and most keys are not flags.
    if (!key.endsWith('_connected') && !key.endsWith('_authenticated')) continue;
    const service = SERVICE_FLAG.exec(key)?.[1];
    if (service === undefined) continue;
    const flag = (connectivity as Record<string, unknown>)[key] === true;
    const known = services.find((s) => s.service === service);
    // A service that is down has not had a successful call at last_api_call.
    if (!known)
      services.push({ service, up: flag, lastCallSeconds: flag ? lastCallSeconds : undefined });
    else if (!flag) {
      known.up = false;
      known.lastCallSeconds = undefined;
    }
  }
  if (services.length > 0 || lastCallSeconds === undefined) return services;
  return [{ service: DEFAULT_SERVICE, up: true, lastCallSeconds }];
}

/** `teacher_model_age_hours: 12` at 12:00 means the teacher artifact was updated at 00:00. */
function readArtifacts(
  artifacts: EngineSnapshot['artifacts'],
  timestampSeconds: number,
  check: Check | undefined,
): EngineReadings['artifacts'] {
  const updated: EngineReadings['artifacts'] = [];
  for (const key in artifacts) {
    const value = (artifacts as Record<string, unknown>)[key];
    // The suffix tests first: a regular expression costs more, and most keys are not these.
    const age = key.endsWith('_model_age_hours') && ARTIFACT_AGE.exec(key);
    const at = !age && key.endsWith('_model_updated_at') && ARTIFACT_UPDATED.exec(key);
    if (age) setArtifact(updated, age[1] as string, timestampSeconds - (value as number) * 3600);
    else if (at) {
      setArtifact(updated, at[1] as string, seconds(`artifacts.${key}`, value as string, check));
    }
  }
  return updated;
}

/** A later key for the same artifact wins, keeping the first one's place. */
function setArtifact(
  updated: EngineReadings['artifacts'],
  artifact: string,
  updatedSeconds: number,
): void {
  const known = updated.find((u) => u.artifact === artifact);
  if (known) known.updatedSeconds = updatedSeconds;
  else updated.push({ artifact, updatedSeconds });
}
