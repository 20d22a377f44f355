import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { MetricRegistry } from '../../src/metrics/registry.js';
import { TracingTelemetry } from '../../src/tracing/telemetry.js';

/** An exporter whose answers the test controls. */
class ScriptedExporter implements SpanExporter {
  readonly pending: ((result: ExportResult) => void)[] = [];
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.pending.push(done);
  }
  answerAll(code: ExportResultCode): void {
    for (const done of this.pending.splice(0)) {
      done({
        code,
        ...(code === ExportResultCode.FAILED ? { error: new Error('backend down') } : {}),
      });
    }
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function pipeline(exporter: SpanExporter, maxQueueSize: number) {
  const telemetry = new TracingTelemetry();
  const processor = new BatchSpanProcessor({
    exporter,
    maxQueueSize,
    maxExportBatchSize: maxQueueSize,
    scheduledDelayMillis: 60_000,
    selfObsMeterProvider: telemetry.meterProvider,
  });
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [telemetry.processor, processor],
  });
  const tracer = provider.getTracer('test');
  const spans = (n: number) => {
    for (let i = 0; i < n; i++) tracer.startSpan(`span ${i}`).end();
  };
  return { telemetry, processor, spans };
}

const values = async (registry: MetricRegistry) => {
  const text = await registry.renderToString('text');
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return {
    started: read('tradewatch_tracing_spans_started_total'),
    exported: read('tradewatch_tracing_spans_exported_total'),
    dropped: read('tradewatch_tracing_spans_dropped_total'),
    failed: read('tradewatch_tracing_span_export_failures_total'),
    capacity: read('tradewatch_tracing_span_queue_capacity'),
  };
};

const newRegistry = () => new MetricRegistry({ maxSeriesPerMetric: 100, maxLabelValueLength: 100 });

describe('tracing self-metrics', () => {
  it("count the batch processor's queue-full drops, exports and failed exports", async () => {
    const exporter = new ScriptedExporter();
    const { telemetry, spans } = pipeline(exporter, 4);
    const registry = newRegistry();
    telemetry.attach(registry);
    // 4 spans fill the queue and start an export that does not return; 4 more queue; 3 more drop.
    spans(11);
    expect(await values(registry)).toEqual({
      started: 11,
      exported: 0,
      dropped: 3,
      failed: 0,
      capacity: 4,
    });
    exporter.answerAll(ExportResultCode.SUCCESS); // the first batch; the next starts
    await new Promise((r) => setImmediate(r));
    exporter.answerAll(ExportResultCode.FAILED);
    await new Promise((r) => setImmediate(r));
    expect(await values(registry)).toEqual({
      started: 11,
      exported: 4,
      dropped: 3,
      failed: 4,
      capacity: 4,
    });
  });

  it('bring a registry attached late up to the counts so far', async () => {
    const exporter = new ScriptedExporter();
    const { telemetry, spans } = pipeline(exporter, 2);
    spans(5); // 2 in a stuck export, 2 queued, 1 dropped
    const registry = newRegistry();
    telemetry.attach(registry);
    expect(await values(registry)).toMatchObject({ started: 5, dropped: 1, capacity: 2 });
    spans(1);
    expect(await values(registry)).toMatchObject({ started: 6, dropped: 2 });
  });
});
