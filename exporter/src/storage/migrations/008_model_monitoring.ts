import type { Migration } from '../migrations.js';

/**
 * Model monitoring (issue 4, docs/drift.md). `model_registry` holds each model's schema (task
 * and feature kinds, fixed by its first prediction); `model_predictions` every accepted
 * prediction in document 002's fields; `model_outcomes` actual values that arrive later, keyed
 * like their prediction but in a table of their own so an outcome can be written before (or
 * without) its prediction's row; `model_baselines` each model's reference window as given or
 * read from a time range (columnar JSON, at most drift.reference_window_size predictions);
 * `model_importances` the latest reported feature importances and ensemble members.
 */
export const modelMonitoring: Migration = {
  version: 8,
  name: 'model_monitoring',
  sql: `
CREATE TABLE model_registry (
    model TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    features JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE model_predictions (
    model TEXT NOT NULL,
    prediction_id TEXT NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    model_version TEXT,
    features JSONB NOT NULL,
    prediction JSONB NOT NULL,
    confidence DOUBLE PRECISION,
    actual JSONB,
    received_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (model, prediction_id)
);
CREATE INDEX model_predictions_model_time ON model_predictions (model, time);
CREATE INDEX model_predictions_received ON model_predictions (received_at);
CREATE TABLE model_outcomes (
    model TEXT NOT NULL,
    prediction_id TEXT NOT NULL,
    actual JSONB NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model, prediction_id)
);
CREATE TABLE model_baselines (
    model TEXT PRIMARY KEY,
    set_at TIMESTAMPTZ NOT NULL,
    source JSONB NOT NULL,
    data JSONB NOT NULL,
    metrics JSONB,
    importances JSONB
);
CREATE TABLE model_importances (
    model TEXT PRIMARY KEY,
    time TIMESTAMPTZ NOT NULL,
    importances JSONB NOT NULL,
    members JSONB NOT NULL
);
`,
};
