import {
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanStatus,
  type Tracer,
} from '@opentelemetry/api';
import { exemplarOf } from '../tracing/exemplar.js';
import type { Tracing } from '../tracing/setup.js';
import type { PipelineRun, PipelineStage } from './schema.js';
import type { RunSummary, StageSummary } from './summary.js';

/** Span and attribute names of pipeline traces (docs/tracing.md lists them). */
export const RUN_SPAN = 'pipeline.run';
export const STAGE_SPAN = 'pipeline.stage';

/**
 * Rebuilds a finished run that arrived over HTTP as a trace: a `pipeline.run` span from the
 * run's start to its end, under `parent` (the request, so a caller's traceparent carries
 * through), and one `pipeline.stage` span per stage. Document 000 gives stages a duration but
 * no start, so stages are laid end to end from the run's start in the order sent. Returns
 * `summary`, its exemplars set to point at those spans.
 */
export function traceRun(
  { tracer, finishedSpans }: Pick<Tracing, 'tracer' | 'finishedSpans'>,
  parent: Context,
  run: PipelineRun,
  summary: RunSummary,
): RunSummary {
  const startMs = Date.parse(run.start_time);
  const endMs = summary.endTimestampSeconds * 1000;
  const span = tracer.startSpan(
    RUN_SPAN,
    { startTime: startMs, attributes: runAttributes(run, summary) },
    parent,
  );
  // Tracing off or this trace not sampled: no stage spans to make, no exemplars to attach.
  if (!span.isRecording()) {
    span.end(endMs);
    return summary;
  }
  if (summary.status === 'failed')
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'run failed' });
  const runContext = trace.setSpan(parent, span);
  // Exemplars are stamped when observed (like the samples they annotate), not with the run's
  // own end: Prometheus and Grafana place them on the graph where the histogram moved.
  const observedAt = Date.now() / 1000;
  let stageStartMs = startMs;
  summary.stages.forEach((stage, i) => {
    const stageEndMs = stageStartMs + stage.durationSeconds * 1000;
    const sent = run.stages[i];
    const stageSpan =
      finishedSpans?.record(
        span,
        runContext,
        STAGE_SPAN,
        stageStartMs,
        stageEndMs,
        stageAttributes(stage, sent),
        stageStatus(stage, sent),
      ) ?? traceStage(tracer, runContext, sent, stage, stageStartMs, stageEndMs);
    stage.exemplar = exemplarOf(stageSpan, stage.durationSeconds, observedAt);
    stageStartMs = stageEndMs;
  });
  span.end(endMs);
  summary.exemplar = exemplarOf(span, summary.durationSeconds, observedAt);
  return summary;
}

/** A stage span made through the tracer: where finished spans cannot be recorded directly. */
function traceStage(
  tracer: Tracer,
  runContext: Context,
  sent: PipelineStage | undefined,
  stage: StageSummary,
  startMs: number,
  endMs: number,
): Span {
  const span = tracer.startSpan(
    STAGE_SPAN,
    { startTime: startMs, attributes: stageAttributes(stage, sent) },
    runContext,
  );
  const status = stageStatus(stage, sent);
  if (status) span.setStatus(status);
  span.end(endMs);
  return span;
}

/** A failed stage's error status, with the first error it reported. */
function stageStatus(stage: StageSummary, sent: PipelineStage | undefined): SpanStatus | undefined {
  if (!stage.failed) return undefined;
  const first = sent?.errors?.[0];
  return {
    code: SpanStatusCode.ERROR,
    message: typeof first === 'string' ? first.slice(0, 500) : 'stage failed',
  };
}

export function runAttributes(
  run: Pick<PipelineRun, 'pipeline_id'> | undefined,
  summary: Omit<RunSummary, 'stages' | 'runId'>,
): Record<string, string | number | boolean> {
  return {
    'pipeline.name': summary.pipeline,
    ...(run ? { 'pipeline.id': run.pipeline_id } : {}),
    'pipeline.status': summary.status,
    'pipeline.final_candidates': summary.finalCandidates,
    'pipeline.fallback_detected': summary.fallbackDetected,
    ...(summary.healthScore !== undefined ? { 'pipeline.health_score': summary.healthScore } : {}),
  };
}

export function stageAttributes(
  stage: StageSummary,
  sent?: PipelineStage,
): Record<string, string | number | string[] | number[]> {
  return {
    'pipeline.stage.name': stage.stage,
    'pipeline.stage.status': sent?.status ?? (stage.failed ? 'failed' : 'completed'),
    'pipeline.stage.symbols_input': stage.symbolsInput,
    'pipeline.stage.symbols_output': stage.symbolsOutput,
    'pipeline.stage.errors': stage.errorCount,
    'pipeline.stage.elimination_reasons': stage.eliminations.map(([reason]) => reason),
    'pipeline.stage.elimination_counts': stage.eliminations.map(([, count]) => count),
  };
}
