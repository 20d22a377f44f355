import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { FinishedSpans } from '../../exporter/src/tracing/finished-spans.js';
import type { Tracing } from '../../exporter/src/tracing/setup.js';
import { TracingTelemetry } from '../../exporter/src/tracing/telemetry.js';

export interface RecordingTracing extends Tracing {
  /** Spans ended so far, in the order they ended. */
  spans(): ReadableSpan[];
}

/**
 * Tracing for an in-process test exporter: a tracer provider of its own (nothing global) that
 * keeps every ended span in memory, sampling all traces (default) or none, with finished spans
 * recorded directly as the exporter process does, unless `finished` is false (then the SDK
 * makes every span; exporter/test/tracing/finished-spans.test.ts compares the two).
 */
export function recordingTracing({ sampled = true, finished = true } = {}): RecordingTracing {
  const memory = new InMemorySpanExporter();
  const telemetry = new TracingTelemetry();
  const spanProcessors = [telemetry.processor, new SimpleSpanProcessor({ exporter: memory })];
  const provider = new TracerProvider({
    sampler: sampled ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    spanProcessors,
  });
  return {
    tracer: provider.getTracer('test'),
    telemetry,
    ...(finished ? { finishedSpans: new FinishedSpans(spanProcessors) } : {}),
    spans: () => memory.getFinishedSpans(),
  };
}

export const spanId = (span: ReadableSpan): string => span.spanContext().spanId;
export const parentId = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
export const traceIdOf = (span: ReadableSpan): string => span.spanContext().traceId;
/** A span's time ([seconds, nanoseconds]) as epoch milliseconds. */
export const millis = ([seconds, nanos]: readonly [number, number]): number =>
  seconds * 1000 + nanos / 1e6;
