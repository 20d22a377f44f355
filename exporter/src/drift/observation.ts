import type { Label } from './performance.js';

export type FeatureKind = 'numeric' | 'categorical';
export type Task = 'classification' | 'regression';

/** What a model is, fixed by its first prediction (or a baseline given as data). */
export interface ModelSchema {
  task: Task;
  /** Feature name -> kind, in name order. */
  features: ReadonlyMap<string, FeatureKind>;
}

/** One prediction as the windows keep it: features already in their kinds. */
export interface Observation {
  id: string;
  timeSeconds: number;
  /** Aligned with the model's feature order: numbers for numeric features, strings otherwise. */
  values: (number | string)[];
  prediction: Label;
  actual?: Label;
  confidence?: number;
}

/** Booleans are categories like strings: `true` and `"true"` are the same category. */
export const categoryOf = (value: number | string | boolean): string =>
  typeof value === 'string' ? value : String(value);

export const kindOf = (value: number | string | boolean): FeatureKind =>
  typeof value === 'number' ? 'numeric' : 'categorical';
