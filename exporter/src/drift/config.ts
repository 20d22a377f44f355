import { Type, type Static } from '@sinclair/typebox';

/**
 * The `drift` section of the configuration (model monitoring, docs/drift.md). Kept here, next to
 * the code that reads it; config/schema.ts mounts it. Memory is bounded by
 * max_models × (reference_window_size + current_window_size) predictions of at most
 * max_features features each.
 */
export const DriftConfigSchema = Type.Object(
  {
    /** Significance level of each KS / chi-square test (drift when p < alpha). */
    alpha: Type.Number({ default: 0.05, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    /** Test each of a model's m features at alpha / m (Bonferroni). */
    bonferroni: Type.Boolean({ default: false }),
    /** PSI from which a shift is moderate, and significant. */
    psi_moderate: Type.Number({ default: 0.1, exclusiveMinimum: 0 }),
    psi_significant: Type.Number({ default: 0.2, exclusiveMinimum: 0 }),
    /** Quantile bins of the PSI (from the reference window). */
    psi_bins: Type.Integer({ default: 10, minimum: 2, maximum: 100 }),
    /** Predictions each window needs (outcomes, for performance) before anything is tested. */
    min_samples: Type.Integer({ default: 100, minimum: 1, maximum: 100_000 }),
    /** The current window: the last N predictions of a model... */
    current_window_size: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
    /** ...and of those only the ones of the last S seconds (0: no time limit). */
    current_window_seconds: Type.Number({ default: 0, minimum: 0 }),
    /** Predictions a baseline (the reference window) holds at most. */
    reference_window_size: Type.Integer({ default: 10_000, minimum: 1, maximum: 100_000 }),
    /** How often every model is evaluated. */
    evaluation_interval_seconds: Type.Number({ default: 60, minimum: 1 }),
    /** Models tracked at most; predictions of another model are refused. */
    max_models: Type.Integer({ default: 20, minimum: 1, maximum: 1000 }),
    /** Features a model may have (they become label values). */
    max_features: Type.Integer({ default: 50, minimum: 1, maximum: 1000 }),
    /** Days stored predictions and outcomes are kept (pruned by the leader); 0 keeps them. */
    retention_days: Type.Integer({ default: 30, minimum: 0 }),
  },
  { additionalProperties: false, default: {} },
);

export type DriftConfig = Static<typeof DriftConfigSchema>;
