import type { FieldError } from '../validation.js';
import type { BaselineItem } from './schema.js';
import {
  categoryOf,
  kindOf,
  type FeatureKind,
  type ModelSchema,
  type Observation,
  type Task,
} from './observation.js';

/**
 * The schema a model's first prediction establishes: its features (numbers are numeric,
 * strings and booleans categorical) and its task (`task` if given, else regression for a
 * numeric prediction and classification for a label).
 */
export function schemaFrom(item: BaselineItem & { task?: Task }): ModelSchema {
  const names = Object.keys(item.features).sort();
  return {
    task: item.task ?? (typeof item.prediction === 'number' ? 'regression' : 'classification'),
    features: new Map(names.map((n) => [n, kindOf(item.features[n] as number | string)])),
  };
}

const KIND_WORD: Record<FeatureKind, string> = {
  numeric: 'a number (the feature is numeric)',
  categorical: 'a string or boolean (the feature is categorical)',
};

/**
 * Checks one prediction against its model's schema (errors named from `prefix`, e.g.
 * `[3].` or `predictions[3].`) and returns it as an observation, or undefined when it does not
 * fit: a missing or unknown feature, a value of the wrong kind, a non-numeric regression value.
 */
export function conform(
  schema: ModelSchema,
  item: BaselineItem,
  prefix: string,
  idFallback: () => string,
  nowSeconds: number,
  errors: FieldError[],
): Observation | undefined {
  const before = errors.length;
  const values: (number | string)[] = [];
  for (const [name, kind] of schema.features) {
    const value = item.features[name];
    if (value === undefined) {
      errors.push({ field: `${prefix}features.${name}`, message: 'is required: the model has it' });
    } else if (kindOf(value) !== kind) {
      errors.push({ field: `${prefix}features.${name}`, message: `must be ${KIND_WORD[kind]}` });
    } else values.push(typeof value === 'number' ? value : categoryOf(value));
  }
  for (const name of Object.keys(item.features)) {
    if (!schema.features.has(name)) {
      errors.push({
        field: `${prefix}features.${name}`,
        message: 'is not a feature of this model (its features are fixed by its first prediction)',
      });
    }
  }
  checkLabel(schema.task, item.prediction, `${prefix}prediction`, errors);
  if (item.actual !== undefined) checkLabel(schema.task, item.actual, `${prefix}actual`, errors);
  if (errors.length > before) return undefined;
  const observation: Observation = {
    id: item.prediction_id ?? idFallback(),
    timeSeconds: item.time === undefined ? nowSeconds : Date.parse(item.time) / 1000,
    values,
    prediction: item.prediction,
  };
  if (item.actual !== undefined) observation.actual = item.actual;
  if (item.confidence !== undefined) observation.confidence = item.confidence;
  return observation;
}

/** A regressor's predictions and outcomes are numbers. */
export function checkLabel(
  task: Task,
  value: number | string | boolean,
  field: string,
  errors: FieldError[],
): void {
  if (task === 'regression' && typeof value !== 'number') {
    errors.push({ field, message: 'must be a number (the model is a regressor)' });
  }
}

/** Whether a schema is within the configured feature limit. */
export function featureLimitError(
  schema: ModelSchema,
  maxFeatures: number,
  field: string,
): FieldError | undefined {
  return schema.features.size > maxFeatures
    ? {
        field,
        message: `has ${schema.features.size} features, at most drift.max_features (${maxFeatures})`,
      }
    : undefined;
}
