import {
  ROOT_CONTEXT,
  TraceFlags,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import {
  SamplingDecision,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { recordingTracing } from '../../../test/helpers/tracing.js';
import { MetricRegistry } from '../../src/metrics/registry.js';
import type { PipelineRun } from '../../src/pipeline/schema.js';
import { summarizeRun } from '../../src/pipeline/summary.js';
import { STAGE_SPAN, traceRun } from '../../src/pipeline/tracing.js';
import { FinishedSpans, finishedSpansFor } from '../../src/tracing/finished-spans.js';
import { seedRun } from '../fixtures/seed-payloads.js';

/** A caller's sampled trace with vendor trace state, as a traceparent/tracestate would give. */
const callerContext = (): Context =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=opaque'),
  });

/** The seed run with a failed stage carrying errors, so status and messages are compared too. */
function runWithFailure(): PipelineRun {
  const run = seedRun();
  const stage = run.stages[2]!;
  stage.status = 'failed';
  stage.errors = ['volume feed timed out', 'retry budget spent'];
  return { ...run, status: 'failed' };
}

function traced(finished: boolean) {
  const tracing = recordingTracing({ finished });
  const run = runWithFailure();
  const summary = traceRun(
    tracing,
    callerContext(),
    run,
    summarizeRun({ ...run, status: 'failed' }),
  );
  const spans = tracing.spans();
  return { spans, stages: spans.filter((s) => s.name === STAGE_SPAN), summary, tracing };
}

/** What an exporter or processor reads from a span, ids aside (they are random per span). */
function readable(span: ReadableSpan, parent: SpanContext) {
  const context = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    traceIdIsParents: context.traceId === parent.traceId,
    traceFlags: context.traceFlags,
    traceState: context.traceState?.serialize(),
    isRemote: context.isRemote,
    parentSpanId: span.parentSpanContext?.spanId === parent.spanId,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    events: span.events,
    links: span.links,
    ended: span.ended,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
  };
}

describe('stage spans recorded already finished', () => {
  it('read exactly as the SDK span made through the tracer reads (ids aside)', () => {
    const sdk = traced(false);
    const direct = traced(true);
    const runOf = (spans: ReadableSpan[]) => spans.find((s) => s.name === 'pipeline.run')!;
    const expected = sdk.stages.map((s) => readable(s, runOf(sdk.spans).spanContext()));
    const actual = direct.stages.map((s) => readable(s, runOf(direct.spans).spanContext()));
    expect(actual).toHaveLength(5);
    expect(actual).toEqual(expected);
    // The comparison covers what matters: a failed stage with its error, the caller's state.
    expect(actual[2]?.status).toEqual({ code: 2, message: 'volume feed timed out' });
    expect(actual[0]?.traceState).toBe('vendor=opaque');
    expect(actual.every((s) => s.traceIdIsParents && s.parentSpanId)).toBe(true);
  });

  it('have span ids of their own, and exemplars pointing at them', () => {
    const { stages, summary } = traced(true);
    const ids = stages.map((s) => s.spanContext().spanId);
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(summary.stages.map((s) => s.exemplar?.labels)).toEqual(
      stages.map(
        (s) => `trace_id="${s.spanContext().traceId}",span_id="${s.spanContext().spanId}"`,
      ),
    );
  });

  it('reach every processor: the started count includes them', async () => {
    const { spans, tracing } = traced(true);
    const registry = new MetricRegistry({ maxSeriesPerMetric: 100, maxLabelValueLength: 100 });
    tracing.telemetry.attach(registry);
    expect(await registry.renderToString('text')).toMatch(
      new RegExp(`^tradewatch_tracing_spans_started_total ${spans.length}$`, 'm'),
    );
  });

  it('end at their start when the end comes first, as the SDK clamps it', () => {
    const tracing = recordingTracing();
    const parent = tracing.tracer.startSpan('parent');
    const span = tracing.finishedSpans!.record(parent, ROOT_CONTEXT, 'x', 2_000, 1_000, {});
    expect(span?.endTime).toEqual(span?.startTime);
    expect(span?.duration).toEqual([0, 0]);
  });
});

describe('the SDK makes the span instead', () => {
  it('when the parent is not a span of the SDK, or not sampled', () => {
    const tracing = recordingTracing();
    const record = (parent: unknown) =>
      tracing.finishedSpans!.record(parent, ROOT_CONTEXT, 'x', 0, 1, {});
    expect(record(trace.wrapSpanContext(trace.getSpanContext(callerContext())!))).toBeUndefined();
    expect(record(undefined)).toBeUndefined();
    // A sampler may record a span without sampling it: its children are not exported.
    const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }) };
    const parent = new TracerProvider({ sampler: recordOnly }).getTracer('t').startSpan('p');
    expect(parent.isRecording()).toBe(true);
    expect(record(parent)).toBeUndefined();
    expect(tracing.spans()).toHaveLength(0);
  });

  it('when attribute limits are configured (the SDK enforces them)', () => {
    const processors: SpanProcessor[] = [];
    expect(finishedSpansFor(processors, {})).toBeInstanceOf(FinishedSpans);
    for (const name of [
      'OTEL_ATTRIBUTE_COUNT_LIMIT',
      'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
      'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    ]) {
      expect(finishedSpansFor(processors, { [name]: '4' }), name).toBeUndefined();
    }
  });
});
