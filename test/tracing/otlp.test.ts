import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, scrape } from '../helpers/http.js';
import { run, stage } from '../helpers/payloads.js';
import { listeningUrl, spawnExporter, type ExporterProcess } from '../helpers/process.js';
import { sampleValue } from '../helpers/exposition.js';

/** What an OTLP/HTTP JSON request carries that these tests look at. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/** A minimal OTLP/HTTP receiver (JSON encoding): keeps what it is sent. */
class Receiver {
  readonly requests: OtlpRequest[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') this.requests.push(JSON.parse(body) as OtlpRequest);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }
  spans(): OtlpSpan[] {
    return this.requests.flatMap((r) =>
      r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)),
    );
  }
  serviceNames(): string[] {
    return this.requests.flatMap((r) =>
      r.resourceSpans.flatMap((rs) =>
        rs.resource.attributes
          .filter((a) => a.key === 'service.name')
          .map((a) => a.value.stringValue ?? ''),
      ),
    );
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CALLER_TRACE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('the exporter process sends its spans over OTLP/HTTP', () => {
  const receiver = new Receiver();
  let proc: ExporterProcess;
  let url: string;

  beforeAll(async () => {
    await receiver.start();
    proc = spawnExporter({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'tradewatch-under-test',
    });
    url = (await listeningUrl(proc)).origin;
  });
  afterAll(async () => {
    proc?.child.kill('SIGTERM');
    await proc?.exited;
    await receiver.close();
  });

  it("delivers the run's spans in the caller's trace, under the configured service name", async () => {
    const sent = await postJson(
      url,
      '/v1/pipeline-runs',
      run({
        pipeline_id: 'otlp-run',
        start_time: '2026-11-20T10:00:00Z',
        end_time: '2026-11-20T10:00:02Z',
        stages: [stage('a', 10, 4, { durationMs: 500 }), stage('b', 4, 1, { durationMs: 900 })],
      }),
      { headers: { traceparent: `00-${CALLER_TRACE}-1122334455667788-01` } },
    );
    expect(sent.status).toBe(200);
    const spans = await until('the run spans', () => {
      const inTrace = receiver.spans().filter((s) => s.traceId === CALLER_TRACE);
      return inTrace.filter((s) => s.name.startsWith('pipeline.')).length === 3
        ? inTrace
        : undefined;
    });
    const request = spans.find((s) => s.name === 'POST /v1/pipeline-runs')!;
    expect(request.parentSpanId).toBe('1122334455667788');
    const runSpan = spans.find((s) => s.name === 'pipeline.run')!;
    expect(runSpan.parentSpanId).toBe(request.spanId);
    expect(spans.filter((s) => s.parentSpanId === runSpan.spanId).map((s) => s.name)).toEqual([
      'pipeline.stage',
      'pipeline.stage',
    ]);
    expect(new Set(receiver.serviceNames())).toEqual(new Set(['tradewatch-under-test']));
  });

  it('counts spans started and exported, and none dropped', async () => {
    const text = await until('an export to be counted', async () => {
      const { text } = await scrape(url);
      return (sampleValue(text, 'tradewatch_tracing_spans_exported_total') ?? 0) > 0
        ? text
        : undefined;
    });
    expect(sampleValue(text, 'tradewatch_tracing_spans_started_total')).toBeGreaterThanOrEqual(
      sampleValue(text, 'tradewatch_tracing_spans_exported_total')!,
    );
    expect(sampleValue(text, 'tradewatch_tracing_spans_dropped_total')).toBe(0);
    expect(sampleValue(text, 'tradewatch_tracing_span_queue_capacity')).toBe(65_536);
  });
});

describe('without an OTLP endpoint', () => {
  it('makes spans for correlation but exports nothing and logs nothing alarming', async () => {
    const env = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => k.startsWith('OTEL_'))
        .map((k) => [k, '']),
    );
    const proc = spawnExporter(env);
    try {
      const base = (await listeningUrl(proc)).origin;
      const reply = await postJson(
        base,
        '/v1/pipeline-runs',
        run({
          pipeline_id: 'quiet',
          start_time: '2026-11-20T10:00:00Z',
          stages: [stage('a', 1, 1)],
        }),
      );
      expect(reply.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{32}$/);
      const started = proc.logs.find((l) => l.msg === 'tracing started');
      expect(started).toMatchObject({ traces: 'none' });
      const { text } = await scrape(base);
      expect(sampleValue(text, 'tradewatch_tracing_spans_exported_total')).toBe(0);
      expect(proc.logs.filter((l) => (l.level ?? 0) >= 40)).toEqual([]);
      expect(proc.stderr()).toBe('');
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});
