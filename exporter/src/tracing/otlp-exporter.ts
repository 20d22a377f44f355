import {
  OTLPExporterBase,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeTraceRequest } from './otlp-span-encoder.js';

/** The library's protobuf serialiser with our encoder for requests; responses are its own. */
export const protobufSpanSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: encodeTraceRequest,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

/**
 * OTLP/HTTP protobuf span exporter: @opentelemetry/exporter-trace-otlp-proto's
 * `OTLPTraceExporter` assembled from the same library parts (OTEL_EXPORTER_OTLP_* variables,
 * headers, compression, timeout, retries, concurrency limit, self-metrics), with the faster
 * request encoder of otlp-span-encoder.ts in place of `ProtobufTraceSerializer`.
 */
export class OtlpProtobufSpanExporter
  extends OTLPExporterBase<ReadableSpan[]>
  implements SpanExporter
{
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        // The library's own exporters read their options and OTEL_* variables through this.
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', {
          'Content-Type': 'application/x-protobuf',
        }),
        protobufSpanSerializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        config.selfObsMeterProvider,
      ),
    );
  }
}
