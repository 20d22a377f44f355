import type { Exemplar } from '../metrics/family.js';
import type { PipelineRun } from './schema.js';

/** A stage reduced to what the metrics need; built from HTTP payloads and by the SDK alike. */
export interface StageSummary {
  stage: string;
  failed: boolean;
  symbolsInput: number;
  symbolsOutput: number;
  durationSeconds: number;
  eliminations: [reason: string, count: number][];
  errorCount: number;
  /** Links the duration observation to the stage's span, when it was traced and sampled. */
  exemplar?: Exemplar;
}

export interface RunSummary {
  pipeline: string;
  runId: string;
  status: 'completed' | 'failed';
  durationSeconds: number;
  endTimestampSeconds: number;
  finalCandidates: number;
  healthScore: number | undefined;
  fallbackDetected: boolean;
  stages: StageSummary[];
  /** Links the duration observation to the run's span, when it was traced and sampled. */
  exemplar?: Exemplar;
}

const TRAILING_DATE_PARTS = /(?:[_-]?\d+)+$/;

/** `discovery_20250903_143022` -> `discovery`: the pipeline's name without its run stamp. */
export function pipelineName(run: Pick<PipelineRun, 'pipeline' | 'pipeline_id'>): string {
  if (run.pipeline) return run.pipeline;
  const stem = run.pipeline_id.replace(TRAILING_DATE_PARTS, '');
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(stem) ? stem : 'default';
}

export function summarizeStage(stage: PipelineRun['stages'][number]): StageSummary {
  return {
    stage: stage.stage_name,
    failed: stage.status === 'failed',
    symbolsInput: stage.symbols_input,
    symbolsOutput: stage.symbols_output,
    durationSeconds: stage.duration_ms / 1000,
    eliminations: Object.entries(stage.criteria?.elimination_reasons ?? {}),
    errorCount: stage.errors?.length ?? 0,
    exemplar: undefined, // set by tracing: declared here so every summary has one shape
  };
}

/**
 * Reduces a finished run. Final candidates are the last stage's output (document 000's
 * `final_candidates` list is often abridged, the count is not); a run with no stages has none.
 * The duration is `total_duration_ms` when given, else end minus start.
 */
export function summarizeRun(run: PipelineRun & { status: 'completed' | 'failed' }): RunSummary {
  const startSeconds = Date.parse(run.start_time) / 1000;
  const endSeconds = run.end_time
    ? Date.parse(run.end_time) / 1000
    : startSeconds + (run.total_duration_ms ?? 0) / 1000;
  const lastStage = run.stages.at(-1);
  return {
    pipeline: pipelineName(run),
    runId: run.pipeline_id,
    status: run.status,
    durationSeconds:
      run.total_duration_ms !== undefined
        ? run.total_duration_ms / 1000
        : endSeconds - startSeconds,
    endTimestampSeconds: endSeconds,
    finalCandidates: lastStage ? lastStage.symbols_output : 0,
    healthScore: run.pipeline_health_score,
    fallbackDetected: run.fallback_detected ?? false,
    stages: run.stages.map(summarizeStage),
    exemplar: undefined,
  };
}
