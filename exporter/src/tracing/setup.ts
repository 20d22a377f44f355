import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { VERSION } from '../version.js';
import { finishedSpansFor, type FinishedSpans } from './finished-spans.js';
import { OtlpProtobufSpanExporter } from './otlp-exporter.js';
import { TracingTelemetry } from './telemetry.js';

export const SERVICE_NAME = 'tradewatch-exporter';

/** What the rest of the exporter needs from tracing: a tracer and the tracing self-metrics. */
export interface Tracing {
  readonly tracer: Tracer;
  readonly telemetry: TracingTelemetry;
  /** Spans made already ended, past the SDK's span, where this process set the SDK up. */
  readonly finishedSpans?: FinishedSpans;
}

export interface RunningTracing extends Tracing {
  /** What spans go to, for the start-up log line: `none`, `otlp http/protobuf <url>`, ... */
  readonly destination: string;
  /** Exports what is queued and stops. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

let started: RunningTracing | undefined;

/**
 * The tracing `startTracing` set up in this process; before that (an exporter embedded in
 * another program, tests), the global API's tracer, a no-op until someone registers an SDK.
 */
export function processTracing(): Tracing {
  return (
    started ?? { tracer: trace.getTracer(SERVICE_NAME, VERSION), telemetry: new TracingTelemetry() }
  );
}

/**
 * Batch processor defaults sized for bursts of pipeline runs (about 7 spans each): a 1 s export
 * cadence and a queue of 64k spans, so 1,000 runs/s never fill it between exports. The
 * standard OTEL_BSP_* variables still win.
 */
const BATCH_DEFAULTS = {
  maxQueueSize: 65_536,
  maxExportBatchSize: 4_096,
  scheduledDelayMillis: 1_000,
  exportTimeoutMillis: 10_000,
};

type BatchSettings = typeof BATCH_DEFAULTS;

/**
 * Starts OpenTelemetry (before the app, as its docs ask) from the standard OTEL_* variables:
 * OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and
 * _PROTOCOL, OTEL_TRACES_EXPORTER, OTEL_BSP_*, OTEL_SDK_DISABLED. Without an endpoint or an
 * explicit exporter, spans are still made (their trace ids are the correlation ids and
 * exemplars) but sent nowhere, and nothing is logged about a missing collector. The SDK's own
 * metrics and logs pipelines stay off: metrics go out on /metrics.
 */
export function startTracing(env: Env = process.env): RunningTracing {
  if (started) return started;
  const telemetry = new TracingTelemetry();
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    started = {
      tracer: trace.getTracer(SERVICE_NAME, VERSION),
      telemetry,
      destination: 'disabled (OTEL_SDK_DISABLED)',
      shutdown: () => Promise.resolve(),
    };
    return started;
  }
  const { processors, destination } = exportProcessors(env, telemetry);
  const spanProcessors = [telemetry.processor, ...processors];
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : SERVICE_NAME,
    spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  started = {
    tracer: trace.getTracer(SERVICE_NAME, VERSION),
    telemetry,
    finishedSpans: finishedSpansFor(spanProcessors, env),
    destination,
    shutdown: () => sdk.shutdown(),
  };
  return started;
}

function exportProcessors(
  env: Env,
  telemetry: TracingTelemetry,
): { processors: SpanProcessor[]; destination: string } {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const names = (env.OTEL_TRACES_EXPORTER ?? (endpoint ? 'otlp' : 'none'))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0 || names.includes('none')) return { processors: [], destination: 'none' };
  const processors: SpanProcessor[] = [];
  const destinations: string[] = [];
  const settings = batchSettings(env);
  for (const name of new Set(names)) {
    if (name === 'console') {
      processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
      destinations.push('console');
    } else if (name === 'otlp') {
      const protocol =
        env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
        env.OTEL_EXPORTER_OTLP_PROTOCOL ||
        'http/protobuf';
      processors.push(batch(otlpExporter(protocol, env, settings), settings, telemetry));
      destinations.push(`otlp ${protocol} ${endpoint ?? 'default endpoint'}`);
    } else {
      throw new Error(
        `OTEL_TRACES_EXPORTER: unsupported exporter "${name}" (use otlp, console or none)`,
      );
    }
  }
  return { processors, destination: destinations.join(', ') };
}

/**
 * The exporter for a protocol, its URL from `env` (headers, TLS and timeouts it reads itself).
 * A flush at shutdown sends every queued batch at once: the exporter must accept that many
 * exports in flight (its default, 30, would refuse some and lose their spans). http/protobuf,
 * the default, is the library's OTLP/HTTP exporter with a faster request encoder
 * (otlp-exporter.ts).
 */
function otlpExporter(protocol: string, env: Env, settings: BatchSettings): SpanExporter {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const concurrencyLimit =
    Math.ceil(settings.maxQueueSize / Math.max(settings.maxExportBatchSize, 1)) + 1;
  switch (protocol) {
    case 'grpc':
      return new OtlpGrpcExporter({ url: signal || base || undefined, concurrencyLimit });
    case 'http/json':
      return new OtlpHttpExporter({
        url: signal || (base ? `${base}/v1/traces` : undefined),
        concurrencyLimit,
      });
    case 'http/protobuf':
      return new OtlpProtobufSpanExporter({
        url: signal || (base ? `${base}/v1/traces` : undefined),
        concurrencyLimit,
      });
    default:
      throw new Error(
        `OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol "${protocol}" (use grpc, http/protobuf or http/json)`,
      );
  }
}

/** The batch processor's settings: OTEL_BSP_* where set to a number, else the defaults. */
function batchSettings(env: Env): BatchSettings {
  const setting = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    maxQueueSize: setting('OTEL_BSP_MAX_QUEUE_SIZE', BATCH_DEFAULTS.maxQueueSize),
    maxExportBatchSize: setting(
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      BATCH_DEFAULTS.maxExportBatchSize,
    ),
    scheduledDelayMillis: setting('OTEL_BSP_SCHEDULE_DELAY', BATCH_DEFAULTS.scheduledDelayMillis),
    exportTimeoutMillis: setting('OTEL_BSP_EXPORT_TIMEOUT', BATCH_DEFAULTS.exportTimeoutMillis),
  };
}

function batch(
  exporter: SpanExporter,
  settings: BatchSettings,
  telemetry: TracingTelemetry,
): SpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    ...settings,
    selfObsMeterProvider: telemetry.meterProvider,
  });
}
