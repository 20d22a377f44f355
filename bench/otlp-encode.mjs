// OTLP span encoding: the exporter's protobuf encoder (exporter/src/tracing/otlp-span-encoder.ts)
// against the library's ProtobufTraceSerializer, on the spans the ingest path makes (a request
// span, then traceRun's run and stage spans for document 000's run), in the same process and
// run. Both must give the same bytes. `node bench/otlp-encode.mjs [--quick]`
import { context, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { compareLoops, fmt, fromDist, PIPELINE_RUN, runIfMain } from './lib.mjs';

const BATCHES = [512, 4_096]; // 4,096: the batch processor's largest export (setup.ts)

/** At least `count` finished spans, as POST /v1/pipeline-runs makes them, run after run. */
async function ingestSpans(count) {
  const { traceRun } = await fromDist('pipeline/tracing.js');
  const { summarizeRun } = await fromDist('pipeline/summary.js');
  const { FinishedSpans } = await fromDist('tracing/finished-spans.js');
  const exporter = new InMemorySpanExporter();
  const spanProcessors = [new SimpleSpanProcessor({ exporter })];
  const tracer = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors }).getTracer(
    'tradewatch-exporter',
    '0.1.0',
  );
  // Stage spans as the exporter makes them: recorded already finished.
  const tracing = { tracer, finishedSpans: new FinishedSpans(spanProcessors) };
  for (let i = 0; exporter.getFinishedSpans().length < count; i++) {
    const request = tracer.startSpan('POST /v1/pipeline-runs', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'url.path': '/v1/pipeline-runs' },
    });
    const run = { ...PIPELINE_RUN, pipeline_id: `discovery_20250903_${i}` };
    traceRun(tracing, trace.setSpan(context.active(), request), run, summarizeRun(run));
    request.setAttributes({ 'http.route': '/v1/pipeline-runs', 'http.response.status_code': 200 });
    request.end();
  }
  return exporter.getFinishedSpans().slice(0, count);
}

export async function bench({ quick }) {
  const { encodeTraceRequest } = await fromDist('tracing/otlp-span-encoder.js');
  const library = (spans) => ProtobufTraceSerializer.serializeRequest(spans);
  const rows = [];
  let identical = true;
  for (const size of BATCHES) {
    const spans = await ingestSpans(size);
    const expected = Buffer.from(library(spans));
    identical &&= expected.equals(Buffer.from(encodeTraceRequest(spans)));
    const loop = (encode) => (n) => {
      for (let i = 0; i < n; i++) encode(spans);
    };
    const ns = compareLoops(
      [
        { name: 'library', run: loop(library) },
        { name: 'ours', run: loop(encodeTraceRequest) },
      ],
      {
        iterations: quick ? 5 : Math.ceil(40_000 / size),
        rounds: quick ? 3 : 15,
        warmup: quick ? 5 : 50,
        maxSeconds: quick ? 5 : 30,
      },
    );
    const perSpan = (name) => (ns[name] / size / 1000).toFixed(2);
    rows.push([
      fmt.int(size),
      fmt.int(expected.length),
      perSpan('library'),
      perSpan('ours'),
      fmt.ratio(ns.library / ns.ours),
    ]);
  }
  return {
    title: 'OTLP span encoding: the exporter’s encoder against the library’s',
    tables: [
      {
        caption:
          'One ExportTraceServiceRequest per batch of spans from the ingest path (7 per run), median µs per span over interleaved rounds; "library": ProtobufTraceSerializer of @opentelemetry/otlp-transformer.',
        headers: ['spans', 'bytes', 'library µs/span', 'ours µs/span', 'library ÷ ours'],
        rows,
      },
    ],
    checks: [
      {
        target: 'the same bytes as the library',
        measured: identical ? 'identical' : 'different',
        pass: identical,
      },
    ],
  };
}

await runIfMain(import.meta, bench);
