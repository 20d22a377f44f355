import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { get, postJson, scrape } from '../helpers/http.js';
import { run, stage } from '../helpers/payloads.js';
import {
  millis,
  parentId,
  recordingTracing,
  spanId,
  traceIdOf,
  type RecordingTracing,
} from '../helpers/tracing.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = (trace = CALLER_TRACE, span = CALLER_SPAN, version = '00', flags = '01') =>
  `${version}-${trace}-${span}-${flags}`;
const HEX32 = /^[0-9a-f]{32}$/;

const tracedRun = (id: string) =>
  run({
    pipeline_id: id,
    pipeline: 'discovery',
    start_time: '2026-11-20T10:00:00Z',
    end_time: '2026-11-20T10:00:05Z',
    stages: [
      stage('universe_loading', 3000, 3000, { durationMs: 1000 }),
      stage('price_filtering', 3000, 1200, {
        durationMs: 1500,
        reasons: { price_too_high: 1500, price_too_low: 300 },
      }),
      stage('volume_filtering', 1200, 0, { durationMs: 2000, failed: true }),
    ],
  });

let tw: TestExporter;
let tracing: RecordingTracing;

beforeAll(async () => {
  tracing = recordingTracing();
  tw = await startExporter({}, { tracing });
});
afterAll(() => tw.close());

const spansOfTrace = (traceId: string) => tracing.spans().filter((s) => traceIdOf(s) === traceId);

describe('a pipeline run sent with a W3C traceparent', () => {
  let reply: Awaited<ReturnType<typeof postJson>>;
  beforeAll(async () => {
    reply = await postJson(tw.url, '/v1/pipeline-runs', tracedRun('run-traced-1'), {
      headers: { traceparent: traceparent() },
    });
  });

  it('continues the caller trace and answers with its trace id as correlation id', () => {
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-correlation-id')).toBe(CALLER_TRACE);
    const request = spansOfTrace(CALLER_TRACE).find((s) => s.name === 'POST /v1/pipeline-runs');
    expect(request).toBeDefined();
    expect(parentId(request!)).toBe(CALLER_SPAN);
  });

  it('records one run span under the request and one span per stage under the run', () => {
    const spans = spansOfTrace(CALLER_TRACE);
    const request = spans.find((s) => s.name === 'POST /v1/pipeline-runs')!;
    const runSpan = spans.find((s) => s.name === 'pipeline.run')!;
    expect(parentId(runSpan)).toBe(spanId(request));
    const stages = spans.filter((s) => s.name === 'pipeline.stage');
    expect(stages.map((s) => s.attributes['pipeline.stage.name'])).toEqual([
      'universe_loading',
      'price_filtering',
      'volume_filtering',
    ]);
    for (const s of stages) expect(parentId(s)).toBe(spanId(runSpan));
    expect(runSpan.attributes).toMatchObject({
      'pipeline.id': 'run-traced-1',
      'pipeline.name': 'discovery',
      'pipeline.status': 'completed',
      'pipeline.final_candidates': 0,
    });
  });

  it("uses the run's own times: the run from start to end, stages end to end from the start", () => {
    const spans = spansOfTrace(CALLER_TRACE);
    const runSpan = spans.find((s) => s.name === 'pipeline.run')!;
    const start = Date.parse('2026-11-20T10:00:00Z');
    expect(millis(runSpan.startTime)).toBe(start);
    expect(millis(runSpan.endTime)).toBe(start + 5000);
    const stages = spans.filter((s) => s.name === 'pipeline.stage');
    expect(stages.map((s) => [millis(s.startTime) - start, millis(s.endTime) - start])).toEqual([
      [0, 1000],
      [1000, 2500],
      [2500, 4500],
    ]);
  });

  it('puts symbols and elimination reasons on the stage spans and errors on failed stages', () => {
    const stages = spansOfTrace(CALLER_TRACE).filter((s) => s.name === 'pipeline.stage');
    const price = stages.find((s) => s.attributes['pipeline.stage.name'] === 'price_filtering')!;
    expect(price.attributes).toMatchObject({
      'pipeline.stage.symbols_input': 3000,
      'pipeline.stage.symbols_output': 1200,
      'pipeline.stage.elimination_reasons': ['price_too_high', 'price_too_low'],
      'pipeline.stage.elimination_counts': [1500, 300],
    });
    expect(price.status.code).not.toBe(SpanStatusCode.ERROR);
    const volume = stages.find((s) => s.attributes['pipeline.stage.name'] === 'volume_filtering')!;
    expect(volume.status).toEqual({ code: SpanStatusCode.ERROR, message: 'stage failed' });
  });

  it('links the duration histograms to the spans with trace_id exemplars (OpenMetrics only)', async () => {
    const runSpan = spansOfTrace(CALLER_TRACE).find((s) => s.name === 'pipeline.run')!;
    const { text } = await scrape(tw.url, 'openmetrics');
    const runBucket = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('tradewatch_pipeline_run_duration_seconds_bucket') && l.includes(' # {'),
      );
    expect(runBucket).toContain(`trace_id="${CALLER_TRACE}",span_id="${spanId(runSpan)}"`);
    expect(runBucket).toMatch(/le="5(\.0)?"\} 1 # \{[^}]*\} 5 \d+(\.\d+)?$/);
    const stageExemplars = text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('tradewatch_pipeline_stage_duration_seconds_bucket') &&
          l.includes(CALLER_TRACE),
      );
    expect(stageExemplars).toHaveLength(3);
    expect((await scrape(tw.url, 'text')).text).not.toContain(CALLER_TRACE);
  });

  it('answers the stored run summary and stage timings under the correlation id', async () => {
    expect(await tw.exporter.storage.buffer.flush()).toBe(true);
    const lookup = await get(tw.url, `/api/tracing/correlation/${CALLER_TRACE}`);
    expect(lookup.status).toBe(200);
    expect(lookup.json).toMatchObject({
      correlation_id: CALLER_TRACE,
      trace_id: CALLER_TRACE,
      requests: [
        {
          component_path: 'ingest/pipeline-runs',
          runs: [
            {
              pipeline_id: 'run-traced-1',
              status: 'completed',
              stages: [
                { stage_name: 'universe_loading', duration_ms: 1000, symbols_output: 3000 },
                { stage_name: 'price_filtering', duration_ms: 1500, symbols_output: 1200 },
                { stage_name: 'volume_filtering', duration_ms: 2000, status: 'failed' },
              ],
            },
          ],
          errors: [
            {
              pipeline_id: 'run-traced-1',
              stage_name: 'volume_filtering',
              errors: ['stage failed'],
            },
          ],
        },
      ],
    });
  });
});

describe('correlation ids without a traceparent', () => {
  it("keeps the caller's X-Correlation-ID, as the id and as a span attribute, in a new trace", async () => {
    const reply = await postJson(tw.url, '/v1/pipeline-runs', tracedRun('run-caller-id'), {
      headers: { 'x-correlation-id': 'order-flow-42' },
    });
    expect(reply.headers.get('x-correlation-id')).toBe('order-flow-42');
    const request = tracing
      .spans()
      .find((s) => s.attributes['tradewatch.correlation_id'] === 'order-flow-42')!;
    expect(traceIdOf(request)).toMatch(HEX32);
    expect(traceIdOf(request)).not.toBe(CALLER_TRACE);
    await tw.exporter.storage.buffer.flush();
    const byId = await get(tw.url, '/api/tracing/correlation/order-flow-42');
    const byTrace = await get(tw.url, `/api/tracing/correlation/${traceIdOf(request)}`);
    expect(byId.status).toBe(200);
    expect(byTrace.json).toEqual(byId.json);
    expect(byId.json).toMatchObject({
      correlation_id: 'order-flow-42',
      trace_id: traceIdOf(request),
    });
  });

  it('gives a request with neither header a new trace whose id is the correlation id', async () => {
    const reply = await get(tw.url, '/healthz');
    const id = reply.headers.get('x-correlation-id')!;
    expect(id).toMatch(HEX32);
    expect(tracing.spans().some((s) => traceIdOf(s) === id && s.name === 'GET /healthz')).toBe(
      true,
    );
  });

  it('gives scrapes a correlation id too', async () => {
    const reply = await get(tw.url, '/metrics');
    expect(reply.headers.get('x-correlation-id')).toMatch(HEX32);
  });
});

describe('hostile tracing headers', () => {
  it.each([
    ['an all-zero trace id', traceparent('0'.repeat(32))],
    ['an all-zero span id', traceparent(CALLER_TRACE, '0'.repeat(16))],
    ['version ff', traceparent(CALLER_TRACE, CALLER_SPAN, 'ff')],
    ['garbage', 'not-a-traceparent'],
    ['upper-case hex', traceparent(CALLER_TRACE.toUpperCase())],
  ])('ignores a traceparent with %s and starts a new trace', async (_what, header) => {
    const reply = await get(tw.url, '/healthz', { traceparent: header });
    expect(reply.status).toBe(200);
    const id = reply.headers.get('x-correlation-id')!;
    expect(id).toMatch(HEX32);
    expect(id).not.toBe(CALLER_TRACE.toLowerCase());
    expect(id).not.toBe('0'.repeat(32));
  });

  it.each([
    ['over 128 characters', 'x'.repeat(129)],
    ['quotes and spaces', 'a "quoted" id'],
    ['a leading dash', '-rm-rf'],
    ['non-ASCII', 'idé'],
  ])('does not echo an X-Correlation-ID with %s', async (_what, value) => {
    const reply = await get(tw.url, '/healthz', { 'x-correlation-id': value });
    expect(reply.headers.get('x-correlation-id')).toMatch(HEX32);
  });

  it('never echoes control characters (sent raw: fetch refuses them)', async () => {
    const { port } = new URL(tw.url);
    const answer = await new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Correlation-ID: a\u0001b\r\nConnection: close\r\n\r\n',
        );
      });
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
      socket.on('end', () => resolve(received)).on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 (200|400)/);
    expect(answer).not.toContain('a\u0001b');
  });

  it('answers 400 naming the id for a lookup with an unusable id, 404 for an unknown one', async () => {
    const bad = await get(tw.url, `/api/tracing/correlation/${encodeURIComponent('a b"c')}`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ fields: [{ field: 'id' }] });
    const unknown = await get(tw.url, '/api/tracing/correlation/never-seen');
    expect(unknown.status).toBe(404);
  });
});

describe('unsampled traces', () => {
  it('attach no exemplars and still give every response a correlation id', async () => {
    const unsampled = await startExporter({}, { tracing: recordingTracing({ sampled: false }) });
    try {
      const reply = await postJson(unsampled.url, '/v1/pipeline-runs', tracedRun('run-unsampled'), {
        headers: { traceparent: traceparent(CALLER_TRACE, CALLER_SPAN, '00', '00') },
      });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('x-correlation-id')).toBe(CALLER_TRACE);
      const { text } = await scrape(unsampled.url, 'openmetrics');
      expect(text).toContain(
        'tradewatch_pipeline_run_duration_seconds_count{pipeline="discovery"} 1',
      );
      expect(text).not.toContain('trace_id=');
    } finally {
      await unsampled.close();
    }
  });
});
