import { randomUUID } from 'node:crypto';
import { HttpError, invalid } from '../http/errors.js';
import type { IngestResult } from '../http/ingest.js';
import type { FamiliesFor } from '../metrics/registry.js';
import type { Queryable } from '../storage/database.js';
import type { WriteBuffer } from '../storage/write-buffer.js';
import type { FieldError } from '../validation.js';
import type { DriftConfig } from './config.js';
import { checkLabel, conform, featureLimitError, schemaFrom } from './conform.js';
import { evaluateModel, type ModelResult } from './evaluate.js';
import type { driftMetrics } from './metrics.js';
import type { ModelSchema, Observation } from './observation.js';
import { prepareReference, type Reference } from './reference.js';
import type {
  BaselineInput,
  BaselineItem,
  ImportanceInput,
  OutcomeInput,
  PredictionInput,
} from './schema.js';
import {
  loadBaseline,
  loadImportance,
  loadModels,
  loadRange,
  loadRecent,
  saveBaseline,
  saveImportance,
  saveModel,
  saveOutcome,
  savePrediction,
  type ImportanceReport,
  type StoredBaseline,
} from './store.js';
import { CurrentWindow } from './window.js';

export type DriftFamilies = FamiliesFor<typeof driftMetrics>;

/** Everything this replica knows about one model. */
export interface ModelState {
  readonly schema: ModelSchema;
  readonly window: CurrentWindow;
  reference?: Reference;
  importance?: ImportanceReport;
  result?: ModelResult;
}

export interface BaselineSummary {
  model: string;
  predictions: number;
  outcomes: number;
  source: Reference['source'];
}

/** How long a baseline from a time range waits for accepted predictions to reach the database. */
const FLUSH_TIMEOUT_MS = 5000;

/** A 404 naming the path parameter. */
export function unknownModel(model: string): HttpError {
  return new HttpError(404, 'unknown_model', `no prediction of model ${model} was received`, [
    { field: 'model', message: 'is not a known model (no prediction of it was received)' },
  ]);
}

/**
 * The models this replica monitors: their schemas, windows, baselines and importances. Every
 * change is checked whole first (a bad item refuses the request and changes nothing), then
 * enqueued for storage (which may refuse with 503, still before anything changed), then applied.
 */
export class ModelMonitor {
  readonly models = new Map<string, ModelState>();

  constructor(
    private readonly settings: DriftConfig,
    private readonly buffer: WriteBuffer,
    private readonly families: DriftFamilies,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  private newState(schema: ModelSchema): ModelState {
    const s = this.settings;
    return { schema, window: new CurrentWindow(s.current_window_size, s.current_window_seconds) };
  }

  /**
   * A model not seen yet: its schema from `item`, if the limits allow it. A refusal names
   * `fields.model` (where the request names the model) or `fields.features`, and the limit.
   */
  private admit(
    item: Parameters<typeof schemaFrom>[0],
    pending: number,
    fields: { model: string; features: string },
    errors: FieldError[],
  ): ModelSchema | undefined {
    const max = this.settings.max_models;
    if (this.models.size + pending >= max) {
      errors.push({
        field: fields.model,
        message: `is a new model, but drift.max_models (${max}) are monitored already`,
      });
      return undefined;
    }
    const schema = schemaFrom(item);
    const limit = featureLimitError(schema, this.settings.max_features, fields.features);
    if (limit) errors.push(limit);
    return limit ? undefined : schema;
  }

  acceptPredictions(inputs: readonly PredictionInput[]): IngestResult {
    const errors: FieldError[] = [];
    const fresh = new Map<string, ModelSchema>();
    const accepted: { model: string; schema: ModelSchema; version?: string; o: Observation }[] = [];
    const seen = new Set<string>();
    const nowSeconds = this.now();
    inputs.forEach((input, i) => {
      const prefix = inputs.length === 1 ? '' : `[${i}].`;
      const model = input.model_name;
      let schema = this.models.get(model)?.schema ?? fresh.get(model);
      if (!schema) {
        const fields = { model: `${prefix}model_name`, features: `${prefix}features` };
        schema = this.admit(input, fresh.size, fields, errors);
        if (!schema) return;
        fresh.set(model, schema);
      } else if (input.task !== undefined && input.task !== schema.task) {
        errors.push({ field: `${prefix}task`, message: `must be ${schema.task} for this model` });
      }
      const o = conform(schema, input, prefix, randomUUID, nowSeconds, errors);
      if (!o) return;
      const key = `${model}\u0000${o.id}`;
      if (seen.has(key) || this.models.get(model)?.window.has(o.id)) return;
      seen.add(key);
      accepted.push({ model, schema, version: input.model_version, o });
    });
    if (errors.length > 0) throw invalid(errors);

    this.buffer.enqueue([
      ...[...fresh].map(([model, schema]) => saveModel(model, schema)),
      ...accepted.map((a) => savePrediction(a.model, a.schema, a.version, a.o)),
    ]);
    for (const [model, schema] of fresh) this.models.set(model, this.newState(schema));
    const f = this.families;
    for (const { model, o } of accepted) {
      (this.models.get(model) as ModelState).window.push(o);
      f.predictionsReceived.inc([model]);
      if (o.actual !== undefined) f.outcomesReceived.inc([model]);
      if (o.confidence !== undefined) f.confidence.observe([model], o.confidence);
    }
    return { accepted: accepted.length, duplicates: inputs.length - accepted.length };
  }

  /**
   * Outcomes of earlier predictions. An outcome is stored whether or not its prediction is in
   * this replica's window (it may be older, or on another replica); a repeat of the outcome a
   * windowed prediction already has is a duplicate.
   */
  acceptOutcomes(inputs: readonly OutcomeInput[]): IngestResult {
    const errors: FieldError[] = [];
    const resolved: { input: OutcomeInput; windowed?: Observation }[] = [];
    inputs.forEach((input, i) => {
      const prefix = inputs.length === 1 ? '' : `[${i}].`;
      const state = this.models.get(input.model_name);
      if (!state) {
        errors.push({
          field: `${prefix}model_name`,
          message: 'is not a known model (no prediction of it was received)',
        });
        return;
      }
      checkLabel(state.schema.task, input.actual, `${prefix}actual`, errors);
      resolved.push({ input, windowed: state.window.get(input.prediction_id) });
    });
    if (errors.length > 0) throw invalid(errors);

    const nowSeconds = this.now();
    const fresh = resolved.filter((r) => r.windowed?.actual !== r.input.actual);
    const time = (input: OutcomeInput) =>
      input.time === undefined ? nowSeconds : Date.parse(input.time) / 1000;
    this.buffer.enqueue(
      fresh.map(({ input }) =>
        saveOutcome(input.model_name, input.prediction_id, input.actual, time(input)),
      ),
    );
    for (const { input, windowed } of fresh) {
      if (windowed) windowed.actual = input.actual;
      this.families.outcomesReceived.inc([input.model_name]);
    }
    return { accepted: fresh.length, duplicates: inputs.length - fresh.length };
  }

  /**
   * Sets a model's reference window: given predictions (which may introduce the model), or the
   * newest `reference_window_size` stored predictions of a time range.
   */
  async setBaseline(model: string, input: BaselineInput, db: Queryable): Promise<BaselineSummary> {
    const errors: FieldError[] = [];
    const state = this.models.get(model);
    const nowSeconds = this.now();
    let schema = state?.schema;
    let observations: Observation[];
    let source: Reference['source'];
    if (input.predictions) {
      const items = input.predictions;
      const max = this.settings.reference_window_size;
      if (items.length > max) {
        throw invalid([
          {
            field: 'predictions',
            message: `holds ${items.length} predictions, at most drift.reference_window_size (${max})`,
          },
        ]);
      }
      const fields = { model: 'model', features: 'predictions[0].features' };
      schema ??= this.admit(items[0] as BaselineItem, 0, fields, errors);
      if (!schema) throw invalid(errors);
      const known = schema;
      observations = items.flatMap((item, i) => {
        const o = conform(known, item, `predictions[${i}].`, randomUUID, nowSeconds, errors);
        return o ? [o] : [];
      });
      source = { kind: 'data' };
    } else {
      if (!state || !schema) throw unknownModel(model);
      // The validator guarantees both with no `predictions`.
      const range = { from: input.from as string, to: input.to as string };
      const from = Date.parse(range.from) / 1000;
      const to = Date.parse(range.to) / 1000;
      if (!(await this.buffer.flush(FLUSH_TIMEOUT_MS))) {
        throw new HttpError(503, 'storage_unavailable', 'stored predictions cannot be read now');
      }
      const max = this.settings.reference_window_size;
      observations = await loadRange(db, model, schema, from, to, max);
      if (observations.length === 0) {
        errors.push({ field: 'from', message: `no stored prediction of ${model} in [from, to)` });
      }
      source = { kind: 'range', ...range };
    }
    const importances = this.importanceMap(schema, input.importances, errors);
    if (errors.length > 0) throw invalid(errors);

    const stored: StoredBaseline = { setAtSeconds: nowSeconds, source, observations };
    if (input.metrics) stored.metrics = input.metrics;
    if (importances) stored.importances = importances;
    const reference = prepareReference(schema, stored);
    this.buffer.enqueue([
      ...(state ? [] : [saveModel(model, schema)]),
      saveBaseline(model, schema, stored),
    ]);
    const target = state ?? this.newState(schema);
    this.models.set(model, target);
    target.reference = reference;
    return { model, predictions: reference.size, outcomes: reference.outcomes, source };
  }

  setImportance(model: string, input: ImportanceInput): ImportanceReport {
    const state = this.models.get(model);
    if (!state) throw unknownModel(model);
    const errors: FieldError[] = [];
    const importances = this.importanceMap(state.schema, input.importances, errors) ?? new Map();
    const names = new Map<string, number>();
    (input.members ?? []).forEach((m, i) => {
      const first = names.get(m.name);
      if (first !== undefined) {
        errors.push({ field: `members[${i}].name`, message: `repeats members[${first}].name` });
      } else names.set(m.name, i);
    });
    if (errors.length > 0) throw invalid(errors);
    const report: ImportanceReport = {
      timeSeconds: input.time === undefined ? this.now() : Date.parse(input.time) / 1000,
      importances,
      members: (input.members ?? []).map((m) => ({
        name: m.name,
        weight: m.weight,
        metrics: m.metrics ?? {},
      })),
    };
    this.buffer.enqueue(saveImportance(model, report));
    state.importance = report;
    return report;
  }

  /** Importances name features of the model (they become label values). */
  private importanceMap(
    schema: ModelSchema,
    given: Record<string, number> | undefined,
    errors: FieldError[],
  ): Map<string, number> | undefined {
    if (!given) return undefined;
    for (const name of Object.keys(given)) {
      if (!schema.features.has(name)) {
        errors.push({ field: `importances.${name}`, message: 'is not a feature of this model' });
      }
    }
    return new Map(Object.entries(given));
  }

  /** Reads every stored model back (after a restart): schema, baseline, importances, window. */
  async load(db: Queryable): Promise<void> {
    const s = this.settings;
    const since = s.current_window_seconds > 0 ? this.now() - s.current_window_seconds : 0;
    for (const [model, schema] of await loadModels(db)) {
      const state = this.newState(schema);
      const baseline = await loadBaseline(db, model);
      if (baseline) state.reference = prepareReference(schema, baseline);
      const importance = await loadImportance(db, model);
      if (importance) state.importance = importance;
      const recent = await loadRecent(db, model, schema, s.current_window_size, since);
      for (const o of recent) state.window.push(o);
      this.models.set(model, state);
    }
  }

  /** Evaluates every model in turn (each yields to the event loop between features). */
  async evaluateAll(): Promise<void> {
    const s = this.settings;
    const settings = {
      alpha: s.alpha,
      bonferroni: s.bonferroni,
      psiBins: s.psi_bins,
      minSamples: s.min_samples,
    };
    for (const state of this.models.values()) {
      const nowSeconds = this.now();
      state.window.expire(nowSeconds);
      const current = state.window.snapshot();
      state.result = await evaluateModel(
        state.schema,
        state.reference,
        current,
        settings,
        nowSeconds,
      );
    }
  }
}
