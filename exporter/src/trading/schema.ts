import { Type, type Static } from '@sinclair/typebox';
import {
  compileReader,
  Count,
  Identifier,
  IdentifierRecord,
  NonNegative,
  Timestamp,
  Typed,
} from '../validation.js';
import { HoldingsSchema } from '../positions/schema.js';
import { ARTIFACT_AGE, ARTIFACT_UPDATED, SERVICE_FLAG } from './keys.js';
import { readSnapshot, type EngineReadings } from './snapshot.js';

/**
 * The engine metrics snapshot of document 001, as a Python engine publishes it after each tick.
 * Extensions (all optional): `engine` (name, for several engines), `pnl.equity`,
 * `connectivity.<service>_connected`, `artifacts.<name>_model_updated_at`, `api` with
 * per-API rate-limit hits and authentication failures since the previous snapshot, and
 * `positions.holdings` (the open positions with entry and thesis, positions/schema.ts).
 */
const Open = { additionalProperties: true } as const;
const Finite = Type.Number();

export const TickSchema = Type.Object(
  {
    timestamp: Timestamp,
    engine: Type.Optional(Identifier),
    heartbeat: Type.Object(
      { last_tick: Timestamp, uptime_seconds: Type.Optional(NonNegative) },
      Open,
    ),
    positions: Type.Object(
      {
        count: Count,
        total_value: Finite,
        symbols: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10_000 })),
        /** + the open positions with entry and thesis (positions/schema.ts). */
        holdings: Type.Optional(HoldingsSchema),
      },
      Open,
    ),
    pnl: Type.Object(
      {
        daily: Type.Optional(Finite),
        unrealized: Type.Optional(Finite),
        realized: Type.Optional(Finite),
        equity: Type.Optional(Finite),
      },
      Open,
    ),
    risk: Type.Object(
      {
        circuit_breaker_active: Type.Boolean(),
        daily_loss_pct: Type.Optional(Finite),
        max_position_value: Type.Optional(NonNegative),
      },
      Open,
    ),
    sentiment: Type.Optional(
      Type.Object(
        {
          last_score: Type.Optional(Finite),
          provider_errors_1h: Type.Optional(Count),
          cache_hit_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        },
        Open,
      ),
    ),
    connectivity: Type.Optional(
      Typed<{
        last_api_call?: string;
        [flag: `${string}_authenticated` | `${string}_connected`]: boolean;
      }>(
        Type.Object(
          { last_api_call: Type.Optional(Timestamp) },
          {
            patternProperties: { [SERVICE_FLAG.source]: Type.Boolean() },
            additionalProperties: true,
          },
        ),
      ),
    ),
    artifacts: Type.Optional(
      Typed<{
        [age: `${string}_model_age_hours`]: number;
        [updated: `${string}_model_updated_at`]: string;
      }>(
        Type.Object(
          {},
          {
            patternProperties: {
              [ARTIFACT_AGE.source]: NonNegative,
              [ARTIFACT_UPDATED.source]: Timestamp,
            },
            additionalProperties: true,
          },
        ),
      ),
    ),
    api: Type.Optional(
      IdentifierRecord(
        Type.Object(
          { rate_limit_hits: Type.Optional(Count), auth_failures: Type.Optional(Count) },
          Open,
        ),
        { maxProperties: 100 },
      ),
    ),
  },
  Open,
);

export type EngineSnapshot = Static<typeof TickSchema>;

export interface ReadTick {
  snapshot: EngineSnapshot;
  readings: EngineReadings;
}

/**
 * Validates a tick and keeps what it read: what JSON Schema cannot check (readable, plausible
 * times; holdings) is checked while reading, so ingest and the SDK parse each tick once.
 */
export const readTick = compileReader(TickSchema, (snapshot, errors): ReadTick => ({
  snapshot,
  readings: readSnapshot(snapshot, errors),
}));
