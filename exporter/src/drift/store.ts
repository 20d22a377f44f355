import type { Queryable } from '../storage/database.js';
import type { WriteOp } from '../storage/write-buffer.js';
import type { FeatureKind, ModelSchema, Observation, Task } from './observation.js';
import type { Label } from './performance.js';
import type { BaselineSource, Performance } from './reference.js';

/**
 * SQL of the model-monitoring tables (migration 008). Every write is idempotent: a prediction is
 * stored once per (model, prediction_id); an outcome, a baseline and the importances replace the
 * previous one.
 */

export function saveModel(model: string, schema: ModelSchema): WriteOp {
  return {
    sql: `INSERT INTO model_registry (model, task, features) VALUES ($1, $2, $3::jsonb)
          ON CONFLICT (model) DO NOTHING`,
    params: [model, schema.task, JSON.stringify(Object.fromEntries(schema.features))],
  };
}

const featureObject = (schema: ModelSchema, o: Observation) =>
  Object.fromEntries([...schema.features.keys()].map((name, f) => [name, o.values[f]]));

export function savePrediction(
  model: string,
  schema: ModelSchema,
  version: string | undefined,
  o: Observation,
): WriteOp {
  return {
    sql: `INSERT INTO model_predictions
            (model, prediction_id, time, model_version, features, prediction, confidence, actual)
          VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8::jsonb)
          ON CONFLICT (model, prediction_id) DO NOTHING`,
    params: [
      model,
      o.id,
      new Date(o.timeSeconds * 1000),
      version ?? null,
      JSON.stringify(featureObject(schema, o)),
      JSON.stringify(o.prediction),
      o.confidence ?? null,
      o.actual === undefined ? null : JSON.stringify(o.actual),
    ],
  };
}

export function saveOutcome(
  model: string,
  predictionId: string,
  actual: Label,
  timeSeconds: number,
): WriteOp {
  return {
    sql: `INSERT INTO model_outcomes (model, prediction_id, actual, time)
          VALUES ($1, $2, $3::jsonb, $4)
          ON CONFLICT (model, prediction_id) DO UPDATE SET actual = EXCLUDED.actual, time = EXCLUDED.time`,
    params: [model, predictionId, JSON.stringify(actual), new Date(timeSeconds * 1000)],
  };
}

/** A baseline as stored: its predictions column by column (features in schema order). */
interface StoredBaselineData {
  ids: string[];
  times: number[];
  features: (number | string)[][];
  predictions: Label[];
  actuals: (Label | null)[];
}

export interface StoredBaseline {
  setAtSeconds: number;
  source: BaselineSource;
  observations: Observation[];
  metrics?: Performance;
  importances?: Map<string, number>;
}

export function saveBaseline(model: string, schema: ModelSchema, b: StoredBaseline): WriteOp {
  const os = b.observations;
  const data: StoredBaselineData = {
    ids: os.map((o) => o.id),
    times: os.map((o) => o.timeSeconds),
    features: [...schema.features.keys()].map((_, f) =>
      os.map((o) => o.values[f] as number | string),
    ),
    predictions: os.map((o) => o.prediction),
    actuals: os.map((o) => o.actual ?? null),
  };
  return {
    sql: `INSERT INTO model_baselines (model, set_at, source, data, metrics, importances)
          VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb)
          ON CONFLICT (model) DO UPDATE SET set_at = EXCLUDED.set_at, source = EXCLUDED.source,
            data = EXCLUDED.data, metrics = EXCLUDED.metrics, importances = EXCLUDED.importances`,
    params: [
      model,
      new Date(b.setAtSeconds * 1000),
      JSON.stringify(b.source),
      JSON.stringify(data),
      b.metrics ? JSON.stringify(b.metrics) : null,
      b.importances ? JSON.stringify(Object.fromEntries(b.importances)) : null,
    ],
  };
}

export interface Member {
  name: string;
  weight: number;
  metrics: Record<string, number>;
}

export interface ImportanceReport {
  timeSeconds: number;
  importances: Map<string, number>;
  members: Member[];
}

export function saveImportance(model: string, report: ImportanceReport): WriteOp {
  return {
    sql: `INSERT INTO model_importances (model, time, importances, members)
          VALUES ($1, $2, $3::jsonb, $4::jsonb)
          ON CONFLICT (model) DO UPDATE SET time = EXCLUDED.time,
            importances = EXCLUDED.importances, members = EXCLUDED.members`,
    params: [
      model,
      new Date(report.timeSeconds * 1000),
      JSON.stringify(Object.fromEntries(report.importances)),
      JSON.stringify(report.members),
    ],
  };
}

export async function loadModels(db: Queryable): Promise<Map<string, ModelSchema>> {
  const rows = await db.query<{ model: string; task: Task; features: Record<string, FeatureKind> }>(
    'SELECT model, task, features FROM model_registry ORDER BY model',
  );
  return new Map(
    rows.map((r) => [
      r.model,
      {
        task: r.task,
        features: new Map(
          Object.keys(r.features)
            .sort()
            .map((n) => [n, r.features[n] as FeatureKind]),
        ),
      },
    ]),
  );
}

interface PredictionRow {
  prediction_id: string;
  time: Date;
  features: Record<string, number | string>;
  prediction: Label;
  confidence: number | null;
  actual: Label | null;
}

function observationOf(schema: ModelSchema, row: PredictionRow): Observation {
  const o: Observation = {
    id: row.prediction_id,
    timeSeconds: row.time.getTime() / 1000,
    values: [...schema.features.keys()].map((name) => row.features[name] as number | string),
    prediction: row.prediction,
  };
  if (row.actual !== null) o.actual = row.actual;
  if (row.confidence !== null) o.confidence = row.confidence;
  return o;
}

const SELECT_PREDICTIONS = `
  SELECT p.prediction_id, p.time, p.features, p.prediction, p.confidence,
         COALESCE(o.actual, p.actual) AS actual
    FROM model_predictions p
    LEFT JOIN model_outcomes o ON o.model = p.model AND o.prediction_id = p.prediction_id`;

/**
 * The model's newest `limit` stored predictions made at or after `sinceSeconds`, oldest first
 * (the current window after a restart), with their outcomes.
 */
export async function loadRecent(
  db: Queryable,
  model: string,
  schema: ModelSchema,
  limit: number,
  sinceSeconds: number,
): Promise<Observation[]> {
  const rows = await db.query<PredictionRow>(
    `${SELECT_PREDICTIONS} WHERE p.model = $1 AND p.time >= $2
      ORDER BY p.received_at DESC, p.time DESC LIMIT $3`,
    [model, new Date(sinceSeconds * 1000), limit],
  );
  return rows.reverse().map((r) => observationOf(schema, r));
}

/** The newest `limit` stored predictions made in [from, to), oldest first, with outcomes. */
export async function loadRange(
  db: Queryable,
  model: string,
  schema: ModelSchema,
  fromSeconds: number,
  toSeconds: number,
  limit: number,
): Promise<Observation[]> {
  const rows = await db.query<PredictionRow>(
    `${SELECT_PREDICTIONS} WHERE p.model = $1 AND p.time >= $2 AND p.time < $3
      ORDER BY p.time DESC, p.prediction_id LIMIT $4`,
    [model, new Date(fromSeconds * 1000), new Date(toSeconds * 1000), limit],
  );
  return rows.reverse().map((r) => observationOf(schema, r));
}

export async function loadBaseline(
  db: Queryable,
  model: string,
): Promise<StoredBaseline | undefined> {
  const rows = await db.query<{
    set_at: Date;
    source: BaselineSource;
    data: StoredBaselineData;
    metrics: Performance | null;
    importances: Record<string, number> | null;
  }>('SELECT set_at, source, data, metrics, importances FROM model_baselines WHERE model = $1', [
    model,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  const d = row.data;
  const observations = d.ids.map((id, i): Observation => {
    const o: Observation = {
      id,
      timeSeconds: d.times[i] as number,
      values: d.features.map((column) => column[i] as number | string),
      prediction: d.predictions[i] as Label,
    };
    const actual = d.actuals[i];
    if (actual !== null && actual !== undefined) o.actual = actual;
    return o;
  });
  const baseline: StoredBaseline = {
    setAtSeconds: row.set_at.getTime() / 1000,
    source: row.source,
    observations,
  };
  if (row.metrics) baseline.metrics = row.metrics;
  if (row.importances) baseline.importances = new Map(Object.entries(row.importances));
  return baseline;
}

export async function loadImportance(
  db: Queryable,
  model: string,
): Promise<ImportanceReport | undefined> {
  const rows = await db.query<{
    time: Date;
    importances: Record<string, number>;
    members: Member[];
  }>('SELECT time, importances, members FROM model_importances WHERE model = $1', [model]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    timeSeconds: row.time.getTime() / 1000,
    importances: new Map(Object.entries(row.importances)),
    members: row.members,
  };
}

/** Rows deleted per statement, so a backlog never holds long locks. */
const DELETE_BATCH = 10_000;

/** Deletes predictions and outcomes older than the cutoff; returns how many rows went. */
export async function pruneBefore(db: Queryable, cutoffSeconds: number): Promise<number> {
  const cutoff = new Date(cutoffSeconds * 1000);
  let deleted = 0;
  for (const table of ['model_predictions', 'model_outcomes']) {
    for (;;) {
      const rows = await db.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE ctid IN (
             SELECT ctid FROM ${table} WHERE time < $1 LIMIT ${DELETE_BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [cutoff],
      );
      const n = rows[0]?.n ?? 0;
      deleted += n;
      if (n < DELETE_BATCH) break;
    }
  }
  return deleted;
}
