import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../../../test/helpers/http.js';
import { run, stage } from '../../../test/helpers/payloads.js';
import { listeningUrl, spawnExporter } from '../../../test/helpers/process.js';
import { OtlpProtobufSpanExporter } from '../../src/tracing/otlp-exporter.js';
import { all, message, one, requestSpans, text } from './otlp-wire.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An OTLP/HTTP collector on loopback that keeps the raw requests; answers from `statuses`. */
class RawCollector {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  url = '';
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(this.statuses.shift() ?? 200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function someSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  }).getTracer('test');
  for (let i = 0; i < 5; i++) {
    tracer.startSpan(`span ${i}`, { attributes: { 'pipeline.stage.errors': i } }).end();
  }
  return exporter.getFinishedSpans();
}

const exportOnce = (exporter: OtlpProtobufSpanExporter, spans: ReadableSpan[]) =>
  new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));

describe('the OTLP/HTTP protobuf span exporter', () => {
  const collector = new RawCollector();
  beforeAll(() => collector.start());
  afterAll(() => collector.close());

  it("posts the library's bytes, with its content type and the configured headers", async () => {
    const spans = someSpans();
    const exporter = new OtlpProtobufSpanExporter({
      url: `${collector.url}/v1/traces`,
      headers: { 'x-tenant': 'desk-7' },
    });
    const result = await exportOnce(exporter, spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const sent = collector.received.at(-1)!;
    expect(sent.path).toBe('/v1/traces');
    expect(sent.headers['content-type']).toBe('application/x-protobuf');
    expect(sent.headers['x-tenant']).toBe('desk-7');
    expect(sent.body.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(
      true,
    );
  });

  it('compresses with gzip when asked, and retries a 503', async () => {
    const spans = someSpans();
    const exporter = new OtlpProtobufSpanExporter({
      url: `${collector.url}/v1/traces`,
      compression: CompressionAlgorithm.GZIP,
    });
    const before = collector.received.length;
    collector.statuses.push(503);
    const result = await exportOnce(exporter, spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const attempts = collector.received.slice(before);
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.headers['content-encoding']).toBe('gzip');
      expect(requestSpans(gunzipSync(attempt.body))).toHaveLength(spans.length);
    }
  });

  it('reports a failure the collector refuses for good (400)', async () => {
    const exporter = new OtlpProtobufSpanExporter({ url: `${collector.url}/v1/traces` });
    collector.statuses.push(400);
    const result = await exportOnce(exporter, someSpans());
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.FAILED);
  });
});

describe('the exporter process sends OTLP/HTTP protobuf by default', () => {
  const collector = new RawCollector();
  beforeAll(() => collector.start());
  afterAll(() => collector.close());

  it("delivers a run's spans under the service name, as protobuf", async () => {
    const proc = spawnExporter({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=desk-9',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      const url = (await listeningUrl(proc)).origin;
      const sent = await postJson(
        url,
        '/v1/pipeline-runs',
        run({
          pipeline_id: 'proto-run',
          start_time: '2026-11-20T10:00:00Z',
          end_time: '2026-11-20T10:00:02Z',
          stages: [stage('a', 10, 4, { durationMs: 500 }), stage('b', 4, 1, { durationMs: 900 })],
        }),
      );
      expect(sent.status).toBe(200);
      const names = (): string[] =>
        collector.received.flatMap((r) => requestSpans(r.body).map((s) => text(one(s, 5))));
      const deadline = Date.now() + 15_000;
      while (names().filter((n) => n.startsWith('pipeline.')).length < 3) {
        if (Date.now() > deadline) throw new Error(`spans so far: ${names().join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(names().filter((n) => n === 'pipeline.stage')).toHaveLength(2);
      const first = collector.received[0]!;
      expect(first.path).toBe('/v1/traces');
      expect(first.headers['content-type']).toBe('application/x-protobuf');
      expect(first.headers['x-tenant']).toBe('desk-9');
      const resource = message(one(first.body, 1) as Uint8Array, 1);
      const serviceName = all(resource, 1)
        .map((kv) => kv as Uint8Array)
        .find((kv) => text(one(kv, 1)) === 'service.name')!;
      expect(text(one(message(serviceName, 2), 1))).toBe('tradewatch-exporter');
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  }, 60_000);
});
