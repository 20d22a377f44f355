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
import type { CounterFamily, GaugeFamily } from '../metrics/family.js';
import { tracingMetrics } from './metrics.js';

// Self-observability instruments of the OpenTelemetry SDK (semantic conventions, otel.sdk.*).
const PROCESSED = 'otel.sdk.processor.span.processed';
const QUEUE_CAPACITY = 'otel.sdk.processor.span.queue.capacity';
const ERROR_TYPE = 'error.type';

interface Families {
  started: CounterFamily;
  exported: CounterFamily;
  dropped: CounterFamily;
  failed: CounterFamily;
  capacity: GaugeFamily;
}

type Count = keyof Omit<Families, 'capacity'>;

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
  /** The families of every registry attached (normally one: the exporter's). */
  private readonly attached: Families[] = [];

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
    const families: Families = {
      started: f.spansStarted,
      exported: f.spansExported,
      dropped: f.spansDropped,
      failed: f.spanExportFailures,
      capacity: f.queueCapacity,
    };
    for (const [count, value] of Object.entries(this.counts) as [Count, number][]) {
      families[count].inc([], value);
    }
    families.capacity.set([], this.capacity);
    this.attached.push(families);
  }

  private add(count: Count, by: number): void {
    this.counts[count] += by;
    for (const families of this.attached) families[count].inc([], by);
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
        for (const families of this.attached) families.capacity.set([], this.capacity);
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
