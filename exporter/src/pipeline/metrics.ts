import type { MetricDefinition } from '../metrics/definition.js';

const STAGE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const RUN_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** The discovery pipeline's metric families (document 000 section 1). */
export const pipelineMetrics = {
  runs: {
    name: 'tradewatch_pipeline_runs_total',
    type: 'counter',
    help: 'Finished pipeline runs by final status (completed or failed).',
    labelNames: ['pipeline', 'status'],
  },
  runDuration: {
    name: 'tradewatch_pipeline_run_duration_seconds',
    type: 'histogram',
    help: 'Wall-clock duration of finished pipeline runs.',
    labelNames: ['pipeline'],
    unit: 'seconds',
    buckets: RUN_BUCKETS,
  },
  stageDuration: {
    name: 'tradewatch_pipeline_stage_duration_seconds',
    type: 'histogram',
    help: 'Duration of each pipeline stage.',
    labelNames: ['pipeline', 'stage'],
    unit: 'seconds',
    buckets: STAGE_BUCKETS,
  },
  stageSymbolsInput: {
    name: 'tradewatch_pipeline_stage_symbols_input',
    type: 'gauge',
    help: 'Symbols that entered the stage in the latest finished run.',
    labelNames: ['pipeline', 'stage'],
  },
  stageSymbolsOutput: {
    name: 'tradewatch_pipeline_stage_symbols_output',
    type: 'gauge',
    help: 'Symbols that left the stage in the latest finished run.',
    labelNames: ['pipeline', 'stage'],
  },
  stageSymbolsEliminated: {
    name: 'tradewatch_pipeline_stage_symbols_eliminated',
    type: 'gauge',
    help: 'Symbols the stage eliminated in the latest finished run, by elimination reason (0 for reasons seen before but not in that run).',
    labelNames: ['pipeline', 'stage', 'reason'],
  },
  eliminations: {
    name: 'tradewatch_pipeline_stage_eliminations_total',
    type: 'counter',
    help: 'Symbols eliminated by a stage, by elimination reason.',
    labelNames: ['pipeline', 'stage', 'reason'],
  },
  stageErrors: {
    name: 'tradewatch_pipeline_stage_errors_total',
    type: 'counter',
    help: 'Errors reported by pipeline stages.',
    labelNames: ['pipeline', 'stage'],
  },
  stageFailures: {
    name: 'tradewatch_pipeline_stage_failures_total',
    type: 'counter',
    help: 'Stages that ended with status failed.',
    labelNames: ['pipeline', 'stage'],
  },
  finalCandidates: {
    name: 'tradewatch_pipeline_final_candidates',
    type: 'gauge',
    help: 'Candidates the latest finished run produced (output of its last stage).',
    labelNames: ['pipeline'],
  },
  consecutiveEmptyRuns: {
    name: 'tradewatch_pipeline_consecutive_empty_runs',
    type: 'gauge',
    help: 'Finished runs in a row that produced no candidates (document 000 alerts at 3).',
    labelNames: ['pipeline'],
  },
  lastRunTimestamp: {
    name: 'tradewatch_pipeline_last_run_timestamp_seconds',
    type: 'gauge',
    help: 'End time of the latest finished run, completed or failed.',
    labelNames: ['pipeline'],
    unit: 'seconds',
  },
  lastSuccessTimestamp: {
    name: 'tradewatch_pipeline_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'End time of the latest run that completed.',
    labelNames: ['pipeline'],
    unit: 'seconds',
  },
  healthScore: {
    name: 'tradewatch_pipeline_health_score',
    type: 'gauge',
    help: 'Health score (0 to 1) the pipeline reported for its latest finished run.',
    labelNames: ['pipeline'],
  },
  fallbackActive: {
    name: 'tradewatch_pipeline_fallback_active',
    type: 'gauge',
    help: 'Whether the latest finished run fell back to a degraded path (1) or not (0).',
    labelNames: ['pipeline'],
  },
} as const satisfies Record<string, MetricDefinition>;
