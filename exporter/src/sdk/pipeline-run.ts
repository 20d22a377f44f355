import {
  context,
  type Attributes,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { PipelineRecorder, RunEnd as RunSummaryEnd } from '../pipeline/recorder.js';
import type { StageSummary } from '../pipeline/summary.js';
import { RUN_SPAN, runAttributes, STAGE_SPAN, stageAttributes } from '../pipeline/tracing.js';
import { exemplarOf } from '../tracing/exemplar.js';

type Guard = <T>(operation: string, fallback: T, fn: () => T) => T;

export interface StageEnd {
  symbolsOutput: number;
  /** Defaults to `completed`, or `failed` when errors were reported. */
  status?: 'completed' | 'failed';
}

/**
 * One stage of a live run: a `pipeline.stage` span under the run's, from `startStage` to
 * `end()`. Timing comes from the caller's own clock; the stage's metrics are recorded at
 * `end()`, exactly as for a stage that arrives over HTTP, with an exemplar of the span.
 */
export class StageHandle {
  private readonly startedAt = performance.now();
  private readonly eliminations = new Map<string, number>();
  private readonly span: Span;
  private errorCount = 0;
  private ended = false;

  constructor(
    private readonly run: PipelineRunHandle,
    readonly name: string,
    private readonly symbolsInput: number,
    private readonly guard: Guard,
    tracer: Tracer,
    runContext: Context,
  ) {
    this.span = tracer.startSpan(STAGE_SPAN, {}, runContext);
  }

  eliminate(reason: string, count = 1): void {
    this.guard('stage.eliminate', undefined, () => {
      if (count > 0) this.eliminations.set(reason, (this.eliminations.get(reason) ?? 0) + count);
    });
  }

  error(count = 1): void {
    this.guard('stage.error', undefined, () => {
      if (count > 0) this.errorCount += count;
    });
  }

  end(result: StageEnd): void {
    this.guard('stage.end', undefined, () => {
      if (this.ended) return;
      this.ended = true;
      const failed = (result.status ?? (this.errorCount > 0 ? 'failed' : 'completed')) === 'failed';
      const summary: StageSummary = {
        stage: this.name,
        failed,
        symbolsInput: this.symbolsInput,
        symbolsOutput: Math.min(result.symbolsOutput, this.symbolsInput),
        durationSeconds: (performance.now() - this.startedAt) / 1000,
        eliminations: [...this.eliminations],
        errorCount: this.errorCount,
      };
      endSpan(this.span, () => stageAttributes(summary), failed ? 'stage failed' : undefined);
      summary.exemplar = exemplarOf(this.span, summary.durationSeconds, Date.now() / 1000);
      this.run.stageEnded(summary);
    });
  }
}

export interface RunEnd {
  /** Defaults to `failed` if any stage failed, else `completed`. */
  status?: 'completed' | 'failed';
  healthScore?: number;
  fallbackDetected?: boolean;
}

/**
 * A pipeline run in progress; wrap each stage with `startStage` ... `end`. The run is a
 * `pipeline.run` span, a child of whatever span is active where it started (so a traced
 * trading application sees its runs inside its own traces).
 */
export class PipelineRunHandle {
  private readonly startedAt = performance.now();
  private lastOutput = 0;
  private anyFailed = false;
  private readonly stageNames: string[] = [];
  private readonly span: Span;
  private readonly runContext: Context;
  private ended = false;

  constructor(
    private readonly recorder: PipelineRecorder,
    readonly pipeline: string,
    private readonly guard: Guard,
    private readonly tracer: Tracer,
  ) {
    const parent = context.active();
    this.span = tracer.startSpan(RUN_SPAN, {}, parent);
    this.runContext = trace.setSpan(parent, this.span);
  }

  startStage(name: string, symbolsInput: number): StageHandle {
    return new StageHandle(this, name, symbolsInput, this.guard, this.tracer, this.runContext);
  }

  /** @internal called by StageHandle.end */
  stageEnded(stage: StageSummary): void {
    this.recorder.recordStage(this.pipeline, stage);
    this.stageNames.push(stage.stage);
    this.lastOutput = stage.symbolsOutput;
    this.anyFailed ||= stage.failed;
  }

  end(result: RunEnd = {}): void {
    this.guard('run.end', undefined, () => {
      if (this.ended) return;
      this.ended = true;
      const run: RunSummaryEnd = {
        pipeline: this.pipeline,
        status: result.status ?? (this.anyFailed ? 'failed' : 'completed'),
        durationSeconds: (performance.now() - this.startedAt) / 1000,
        endTimestampSeconds: Date.now() / 1000,
        finalCandidates: this.lastOutput,
        healthScore: result.healthScore,
        fallbackDetected: result.fallbackDetected ?? false,
      };
      endSpan(
        this.span,
        () => runAttributes(undefined, run),
        run.status === 'failed' ? 'run failed' : undefined,
      );
      run.exemplar = exemplarOf(this.span, run.durationSeconds, run.endTimestampSeconds);
      this.recorder.recordRunEnd(run, this.stageNames);
    });
  }
}

/** Ends a span, describing it only if it records (the no-op span of an untraced app does not). */
function endSpan(span: Span, attributes: () => Attributes, error?: string): void {
  if (!span.isRecording()) return void span.end();
  span.setAttributes(attributes());
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.end();
}
