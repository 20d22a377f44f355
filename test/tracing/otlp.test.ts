import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, scrape } from '../helpers/http.js';
import { run, stage } from '../helpers/payloads.js';
import { listeningUrl, spawnExporter, type ExporterProcess } from '../helpers/process.js';
import { sampleValue } from '../helpers/exposition.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';

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
  const receiver = new OtlpReceiver();
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
