import { Type, type Static, type TNumber, type TOptional } from '@sinclair/typebox';
import type { PerformanceMetric } from './reference.js';
import {
  checkTimestamp,
  compileValidator,
  Enum,
  Identifier,
  IDENTIFIER_PATTERN,
  Timestamp,
  type FieldError,
  type Validator,
} from '../validation.js';

/**
 * Payloads of the model-monitoring endpoints. The prediction fields are document 002's
 * `track_prediction(model_name, model_version, features, prediction, actual, confidence)`,
 * accepted as a Python engine sends them; `time`, `prediction_id` and `task` are extensions.
 * Whether a value fits the model (its features and their kinds) is checked against the model's
 * state afterwards (monitor.ts), since it depends on what was received before.
 */

/** A prediction id: a primary-key part, printable and short. */
export const PREDICTION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$';
const PredictionId = Type.String({
  pattern: PREDICTION_ID_PATTERN,
  description: "letters, digits, '_', '.', ':', '/' or '-', at most 200",
});

/** A class label or a regression value (checked for finiteness below: 1e400 parses to Infinity). */
const Value = Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]);
/** Numbers are numeric features; strings and booleans categorical ones. */
const Features = Type.Record(Type.String({ pattern: IDENTIFIER_PATTERN }), Value, {
  additionalProperties: false,
  minProperties: 1,
});

const ItemFields = {
  features: Features,
  prediction: Value,
  actual: Type.Optional(Value),
  confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** When the prediction was made; default: when it is received. */
  time: Type.Optional(Timestamp),
  /** Needed to send its outcome later (POST /v1/outcomes); repeats are duplicates. */
  prediction_id: Type.Optional(PredictionId),
};

/** One prediction of a baseline given as data: the prediction without its model. */
export const BaselineItemSchema = Type.Object(ItemFields, { additionalProperties: true });
export type BaselineItem = Static<typeof BaselineItemSchema>;

export const PredictionSchema = Type.Object(
  {
    model_name: Identifier,
    model_version: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...ItemFields,
    /** How performance is measured; default from the first prediction's type (docs/drift.md). */
    task: Type.Optional(Enum(['classification', 'regression'])),
  },
  { additionalProperties: true },
);
export type PredictionInput = Static<typeof PredictionSchema>;

export const OutcomeSchema = Type.Object(
  {
    model_name: Identifier,
    prediction_id: PredictionId,
    actual: Value,
    time: Type.Optional(Timestamp),
  },
  { additionalProperties: true },
);
export type OutcomeInput = Static<typeof OutcomeSchema>;

const Importances = Type.Record(
  Type.String({ pattern: IDENTIFIER_PATTERN }),
  Type.Number({ minimum: 0 }),
  { additionalProperties: false },
);

/** `POST /v1/models/{model}/baseline`: a stored time range, or the reference data itself. */
export const BaselineSchema = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    predictions: Type.Optional(Type.Array(BaselineItemSchema)),
    /** Baseline performance as the team measured it; default: computed from the outcomes. */
    metrics: Type.Optional(
      Type.Object(
        Object.fromEntries(
          ['accuracy', 'precision', 'recall', 'f1', 'mae', 'rmse'].map((m) => [
            m,
            Type.Optional(Type.Number()),
          ]),
        ) as Record<PerformanceMetric, TOptional<TNumber>>,
        { additionalProperties: false },
      ),
    ),
    /** Feature importances of the baseline model (compared with POST .../importance). */
    importances: Type.Optional(Importances),
  },
  { additionalProperties: true },
);
export type BaselineInput = Static<typeof BaselineSchema>;

export const ImportanceSchema = Type.Object(
  {
    time: Type.Optional(Timestamp),
    importances: Importances,
    /** Ensemble members: their weight in the ensemble and their own measured performance. */
    members: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Identifier,
            weight: Type.Number({ minimum: 0 }),
            metrics: Type.Optional(
              Type.Record(Type.String({ pattern: IDENTIFIER_PATTERN }), Type.Number(), {
                additionalProperties: false,
                maxProperties: 10,
              }),
            ),
          },
          { additionalProperties: true },
        ),
        { maxItems: 50 },
      ),
    ),
  },
  { additionalProperties: true },
);
export type ImportanceInput = Static<typeof ImportanceSchema>;

/**
 * Every number of a payload, where a JSON parser may have produced Infinity (`1e999`). The path
 * is kept as keys and built into a field name only for a bad number: every prediction is
 * walked, and naming each value on the way cost more than checking it.
 */
function finiteNumbers(value: unknown, path: (string | number)[], errors: FieldError[]): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      errors.push({ field: fieldName(path), message: 'must be a finite number' });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      finiteNumbers(value[i], path, errors);
      path.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) {
      path.push(key);
      finiteNumbers((value as Record<string, unknown>)[key], path, errors);
      path.pop();
    }
  }
}

/** `features.x`, `values[3]`: keys joined by dots, indexes in brackets. */
function fieldName(path: readonly (string | number)[]): string {
  let name = '';
  for (const key of path) {
    if (typeof key === 'number') name += `[${key}]`;
    else name = name ? `${name}.${key}` : key;
  }
  return name;
}

function optionalTime(field: string, text: string | undefined, errors: FieldError[]): void {
  if (text !== undefined) checkTimestamp(field, text, errors);
}

function semantic(value: { time?: string }): FieldError[] {
  const errors: FieldError[] = [];
  finiteNumbers(value, [], errors);
  optionalTime('time', value.time, errors);
  return errors;
}

export const predictionValidator: Validator<PredictionInput> = compileValidator(
  PredictionSchema,
  semantic,
);
export const outcomeValidator: Validator<OutcomeInput> = compileValidator(OutcomeSchema, semantic);
export const importanceValidator: Validator<ImportanceInput> = compileValidator(
  ImportanceSchema,
  semantic,
);

/** A baseline names a time range (from < to) or gives predictions, not both. */
export const baselineValidator: Validator<BaselineInput> = compileValidator(
  BaselineSchema,
  (value) => {
    const errors: FieldError[] = [];
    finiteNumbers(value, [], errors);
    const range = value.from !== undefined || value.to !== undefined;
    if (range && value.predictions !== undefined) {
      errors.push({ field: 'predictions', message: 'cannot be given with from/to: choose one' });
    } else if (!range && value.predictions === undefined) {
      errors.push({
        field: 'predictions',
        message: 'is required unless a time range (from, to) of stored predictions is given',
      });
    } else if (range) {
      if (value.from === undefined) errors.push({ field: 'from', message: 'is required with to' });
      if (value.to === undefined) errors.push({ field: 'to', message: 'is required with from' });
      optionalTime('from', value.from, errors);
      optionalTime('to', value.to, errors);
      if (
        errors.length === 0 &&
        Date.parse(value.from as string) >= Date.parse(value.to as string)
      ) {
        errors.push({ field: 'to', message: 'must be after from' });
      }
    } else if (value.predictions?.length === 0) {
      errors.push({ field: 'predictions', message: 'is empty: a baseline needs predictions' });
    }
    value.predictions?.forEach((p, i) => optionalTime(`predictions[${i}].time`, p.time, errors));
    return errors;
  },
);
