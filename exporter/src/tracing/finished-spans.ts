import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type Context,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';
import { hrTimeDuration, millisToHrTime, type InstrumentationScope } from '@opentelemetry/core';
import {
  RandomIdGenerator,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
  type TimedEvent,
} from '@opentelemetry/sdk-trace';

type Env = Readonly<Record<string, string | undefined>>;

/** The SDK's span limits on attributes: with any of them set, spans go through the SDK. */
const ATTRIBUTE_LIMITS = [
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
];

const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };

/**
 * Child spans whose start, end, attributes and status are all known when they are made — the
 * stages of a run that arrived over HTTP after the fact — handed straight to the span
 * processors already ended, the way the SDK's own span reaches them after `end()`. The SDK's
 * span would check and copy the attributes twice, keep timing state for a live span and count
 * itself for metrics nobody reads here; at seven spans per run that was most of what tracing
 * cost ingest (docs/performance.md). The child takes its parent's sampling decision, which is
 * what the parent-based and trace-id-ratio samplers decide for it.
 *
 * Only for the processors of a provider this process set up, with no attribute limits
 * configured (attributes are passed on as given: callers make them valid), and only under a
 * parent made by the SDK (its resource and scope are the child's); `finishedSpansFor` and
 * `record` decline otherwise and the caller makes the span through the tracer.
 */
export class FinishedSpans {
  private readonly ids = new RandomIdGenerator();

  constructor(private readonly processors: readonly SpanProcessor[]) {}

  /**
   * Records a span of `name` under `parent` (with `parentContext`, the context holding it) and
   * returns it; returns undefined, recording nothing, when `parent` is not a sampled SDK span.
   */
  record(
    parent: unknown,
    parentContext: Context,
    name: string,
    startMs: number,
    endMs: number,
    attributes: Attributes,
    status: SpanStatus = UNSET,
  ): ReadableSpan | undefined {
    if (!isRecordingSdkSpan(parent)) return undefined;
    const parentSpanContext = parent.spanContext();
    if ((parentSpanContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
    const span = new FinishedSpan(
      {
        traceId: parentSpanContext.traceId,
        spanId: this.ids.generateSpanId(),
        traceFlags: TraceFlags.SAMPLED,
        traceState: parentSpanContext.traceState,
      },
      parentSpanContext,
      name,
      millisToHrTime(startMs),
      // An end before the start ends at the start, as the SDK's end() does.
      millisToHrTime(Math.max(endMs, startMs)),
      attributes,
      status,
      parent.resource,
      parent.instrumentationScope,
    );
    for (const processor of this.processors) processor.onStart(span, parentContext);
    for (const processor of this.processors) processor.onEnd(span);
    return span;
  }
}

/** FinishedSpans for these processors, unless `env` sets attribute limits the SDK enforces. */
export function finishedSpansFor(
  processors: readonly SpanProcessor[],
  env: Env,
): FinishedSpans | undefined {
  return ATTRIBUTE_LIMITS.some((name) => env[name]?.trim())
    ? undefined
    : new FinishedSpans(processors);
}

function isRecordingSdkSpan(span: unknown): span is Span {
  const candidate = span as Partial<Span> | undefined;
  return (
    candidate?.resource !== undefined &&
    candidate.instrumentationScope !== undefined &&
    candidate.isRecording?.() === true
  );
}

/**
 * A span that is already over: what the SDK's span is after `end()`. The API's mutators do
 * nothing, as they do on an ended SDK span (the processors this is handed to set nothing).
 */
class FinishedSpan implements Span {
  readonly kind = SpanKind.INTERNAL;
  readonly duration: HrTime;
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  readonly ended = true;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;

  constructor(
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext,
    readonly name: string,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
    readonly attributes: Attributes,
    readonly status: SpanStatus,
    readonly resource: ReadableSpan['resource'],
    readonly instrumentationScope: InstrumentationScope,
  ) {
    this.duration = hrTimeDuration(startTime, endTime);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return false;
  }

  setAttribute(): this {
    return this;
  }

  setAttributes(): this {
    return this;
  }

  addEvent(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(): this {
    return this;
  }

  updateName(): this {
    return this;
  }

  end(): void {}

  recordException(): void {}
}
