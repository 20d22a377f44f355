import {
  createNoopMeter,
  type Attributes,
  type Counter,
  type Meter,
  type MeterProvider,
  type UpDownCounter,
} from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { MetricRegistry } from '../metrics/registry.js';
import type { CounterSeries, GaugeSeries } from '../metrics/family.js';
import { tracingMetrics } from './metrics.js';

// Self-observability instruments of the OpenTelemetry SDK (semantic conventions, otel.sdk.*).
const PROCESSED = 'otel.sdk.processor.span.processed';
const QUEUE_CAPACITY = 'otel.sdk.processor.span.queue.capacity';
const ERROR_TYPE = 'error.type';

/** The label-less series of an attached registry's families: held, not looked up per span. */
interface Series {
  started: CounterSeries;
  exported: CounterSeries;
  dropped: CounterSeries;
  failed: CounterSeries;
  capacity: GaugeSeries;
}

type Count = keyof Omit<Series, 'capacity'>;

/**
 * Counts what the tracing pipeline does, for `/metrics`. Tracing starts before the exporter's
 * registry exists, so the counts are kept here and every registry `attach`ed follows them.
 * The batch span processor reports through `meterProvider` (its `selfObsMeterProvider` hook),
 * the only place its queue-full drops are counted.
 */
export class TracingTelemetry {
  private readonly counts: Record<Count, number> = {
    started: 0,
    exported: 0,
    dropped: 0,
    failed: 0,
  };
  private capacity = 0;
  /** The series of every registry attached (normally one: the exporter's). */
  private readonly attached: Series[] = [];

  /** Counts every sampled span when it starts; put it first among the span processors. */
  readonly processor: SpanProcessor = {
    onStart: (_span: Span) => this.add('started', 1),
    onEnd: (_span: ReadableSpan) => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };

  readonly meterProvider: MeterProvider = {
    getMeter: () => this.meter(),
  };

  attach(registry: MetricRegistry): void {
    const f = registry.registerAll(tracingMetrics);
    const series: Series = {
      started: f.spansStarted.labels(),
      exported: f.spansExported.labels(),
      dropped: f.spansDropped.labels(),
      failed: f.spanExportFailures.labels(),
      capacity: f.queueCapacity.labels(),
    };
    for (const [count, value] of Object.entries(this.counts) as [Count, number][]) {
      series[count].value += value;
    }
    series.capacity.value = this.capacity;
    this.attached.push(series);
  }

  /** Adds to a count; `by` is a count of spans, never negative. */
  private add(count: Count, by: number): void {
    this.counts[count] += by;
    for (const series of this.attached) series[count].value += by;
  }

  private meter(): Meter {
    const noop = createNoopMeter();
    const processed: Counter = {
      add: (value: number, attributes?: Attributes) => {
        const error = attributes?.[ERROR_TYPE];
        this.add(
          error === undefined ? 'exported' : error === 'queue_full' ? 'dropped' : 'failed',
          value,
        );
      },
    };
    const capacity: UpDownCounter = {
      add: (value: number) => {
        this.capacity += value;
        for (const series of this.attached) series.capacity.value = this.capacity;
      },
    };
    // Everything else the processor or exporter might create stays a no-op.
    return Object.assign(Object.create(noop) as Meter, {
      createCounter: (name: string) => (name === PROCESSED ? processed : noop.createCounter(name)),
      createUpDownCounter: (name: string) =>
        name === QUEUE_CAPACITY ? capacity : noop.createUpDownCounter(name),
    });
  }
}
