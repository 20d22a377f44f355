import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resources } from '@opentelemetry/sdk-node';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanLimits,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeTraceRequest } from '../../src/tracing/otlp-span-encoder.js';
import { all, message, one, requestSpans, text } from './otlp-wire.js';

const UNICODE = 'Zürich — 東京 🚀 \u0000 lone \ud800 surrogate';

/** Attribute values of every type OpenTelemetry allows, with the int64/double edges. */
const EVERY_VALUE: Attributes = {
  'str.plain': 'discovery',
  'str.empty': '',
  'str.unicode': UNICODE,
  'bool.true': true,
  'bool.false': false,
  'int.zero': 0,
  'int.one_byte_max': 127,
  'int.two_bytes': 128,
  'int.minus_one': -1,
  'int.uint32_max': 0xffffffff,
  'int.past_uint32': 2 ** 32,
  'int.safe_max': Number.MAX_SAFE_INTEGER,
  'int.two_to_60': 2 ** 60,
  'int.int64_min': -(2 ** 63),
  'double.half': 0.5,
  'double.negative': -1.25,
  'double.two_to_63': 2 ** 63,
  'double.nan': NaN,
  'double.infinity': Infinity,
  'array.strings': ['price_too_high', '', UNICODE],
  'array.ints': [3000, -7, 0],
  'array.doubles': [0.25, 1e300],
  'array.bools': [true, false],
  'array.with_null': ['a', null, 'b'],
  'array.empty': [],
};

function provider(resource: resources.Resource, spanLimits?: SpanLimits) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    resource,
    sampler: new AlwaysOnSampler(),
    spanLimits,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { exporter, tracerProvider };
}

const REMOTE_PARENT = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: new TraceState('vendor=abc,other=x'),
};

/** A run-like trace under a remote parent, with events, links, statuses and every kind. */
function recordTrace(tracer: Tracer, tag: string): void {
  const parent = trace.setSpanContext(context.active(), REMOTE_PARENT);
  const root = tracer.startSpan(
    `request ${tag}`,
    { kind: SpanKind.SERVER, attributes: EVERY_VALUE },
    parent,
  );
  const inRoot = trace.setSpan(context.active(), root);
  const kinds = [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
  kinds.forEach((kind, i) => {
    const child: Span = tracer.startSpan(
      `stage ${i} ${UNICODE}`,
      {
        kind,
        startTime: [18_000_000_000, 999_999_999], // year 2540: nanoseconds past 2^63
        links: [
          {
            context: { ...REMOTE_PARENT, spanId: 'b7ad6b716920333' + i },
            attributes: { 'link.reason': 'follows', 'link.n': i },
          },
          { context: { ...REMOTE_PARENT, isRemote: false, traceState: undefined } },
        ],
      },
      inRoot,
    );
    child.addEvent('checkpoint', { 'event.n': i, 'event.tags': ['x', 'y'] }, [1_700_000_000, 1]);
    child.addEvent('bare');
    if (i === 1) child.setStatus({ code: SpanStatusCode.ERROR, message: `failed: ${UNICODE}` });
    if (i === 2) child.setStatus({ code: SpanStatusCode.OK });
    if (i === 3) child.setStatus({ code: SpanStatusCode.ERROR });
    child.end([18_000_000_001, 5]);
  });
  root.end();
}

/**
 * Spans from two resources (one with a schema URL) and three scopes (with and without version
 * and schema URL), interleaved so the grouping by resource and scope is exercised; the second
 * resource's limits are tight, so its spans carry dropped attribute, event and link counts.
 */
function mixedSpans(): ReadableSpan[] {
  const a = provider(
    resources.resourceFromAttributes(
      { 'service.name': 'tradewatch-exporter', 'service.instance.id': UNICODE, 'process.pid': 42 },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
    ),
  );
  const b = provider(resources.resourceFromAttributes({ 'service.name': 'simulator' }), {
    attributeCountLimit: 3,
    eventCountLimit: 1,
    linkCountLimit: 1,
    attributePerEventCountLimit: 1,
    attributePerLinkCountLimit: 1,
  });
  const tracers = [
    a.tracerProvider.getTracer('tradewatch-exporter', '0.1.0'),
    b.tracerProvider.getTracer('tradewatch-sdk'),
    a.tracerProvider.getTracer('scoped', '2.0.0', { schemaUrl: 'https://example.com/schema' }),
    b.tracerProvider.getTracer('tradewatch-exporter', '0.1.0'),
  ];
  tracers.forEach((tracer, i) => recordTrace(tracer, String(i)));
  recordTrace(tracers[0]!, 'again');
  const spans = [...a.exporter.getFinishedSpans(), ...b.exporter.getFinishedSpans()];
  // Finished order interleaves the resources and scopes.
  return spans.sort((x, y) => x.name.localeCompare(y.name));
}

const library = (spans: ReadableSpan[]): Buffer =>
  Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
const ours = (spans: ReadableSpan[]): Buffer => Buffer.from(encodeTraceRequest(spans));

describe('the OTLP span encoder writes what the library writes', () => {
  it('byte for byte, across resources, scopes and every field', () => {
    const spans = mixedSpans();
    expect(spans.some((s) => s.droppedAttributesCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedEventsCount > 0 && s.droppedLinksCount > 0)).toBe(true);
    expect(ours(spans).equals(library(spans))).toBe(true);
  });

  it('byte for byte for one span, for none, and for spans whose lengths need 1 to 3 bytes', () => {
    const { exporter, tracerProvider } = provider(resources.resourceFromAttributes({}));
    const tracer = tracerProvider.getTracer('t');
    tracer.startSpan('s').end(); // a span under 128 bytes
    tracer.startSpan('big', { attributes: { blob: 'x'.repeat(20_000) } }).end(); // over 16 KiB
    for (let i = 0; i < 150; i++) recordTrace(tracer, String(i)); // past the 64 KiB first buffer
    const spans = exporter.getFinishedSpans();
    for (const batch of [[], spans.slice(0, 1), spans.slice(0, 2), spans]) {
      expect(ours(batch).equals(library(batch))).toBe(true);
    }
  });

  it('byte for byte past the bound of the recurring strings it keeps (1,024)', () => {
    const { exporter, tracerProvider } = provider(resources.resourceFromAttributes({}), {
      attributeCountLimit: 5_000,
    });
    const tracer = tracerProvider.getTracer('t');
    const manyKeys = (from: number): Attributes =>
      Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`key.${from + i}`, i]));
    tracer.startSpan('first', { attributes: manyKeys(0) }).end();
    tracer.startSpan('second', { attributes: manyKeys(1_000) }).end();
    const spans = exporter.getFinishedSpans();
    expect(ours(spans).equals(library(spans))).toBe(true);
    expect(ours(spans).equals(library(spans))).toBe(true); // again, with the keys now known
  });

  it('hands out its own bytes: a later encode leaves an earlier result as it was', () => {
    const spans = mixedSpans();
    const first = encodeTraceRequest(spans);
    const copy = Buffer.from(first);
    encodeTraceRequest(spans.slice(3));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });

  it('writes the values a reader expects (checked without either encoder)', () => {
    const spans = mixedSpans();
    const request = encodeTraceRequest(spans);
    expect(all(request, 1)).toHaveLength(2); // two resources
    const decoded = requestSpans(request);
    expect(decoded).toHaveLength(spans.length);
    const stage = decoded.find((s) => text(one(s, 5)).startsWith('stage 1'))!;
    expect(text(one(stage, 5))).toBe(`stage 1 ${UNICODE.replace('\ud800', '\ufffd')}`);
    // start_time_unix_nano: fixed64 nanoseconds past 2^63.
    expect(one(stage, 7)).toBe(18_000_000_000n * 1_000_000_000n + 999_999_999n);
    expect(one(stage, 8)).toBe(18_000_000_001n * 1_000_000_000n + 5n);
    expect(one(stage, 6)).toBe(3n); // SpanKind.CLIENT (API 2) is OTLP 3
    const status = message(stage, 15);
    expect(one(status, 3)).toBe(2n); // STATUS_CODE_ERROR
    expect(text(one(status, 2))).toMatch(/^failed: Zürich/);
    // flags: trace flags 01, parent is not remote but known to be local (0x100).
    expect(one(stage, 16)).toBe(0x101n);

    const request0 = decoded.find((s) => text(one(s, 5)) === 'request 0')!;
    expect(Buffer.from(one(request0, 4) as Uint8Array).toString('hex')).toBe(REMOTE_PARENT.spanId);
    expect(text(one(request0, 3))).toBe('vendor=abc,other=x');
    expect(one(request0, 16)).toBe(0x301n); // remote parent
    const attribute = (name: string): Uint8Array =>
      message(
        all(request0, 9).find((kv) => text(one(kv as Uint8Array, 1)) === name) as Uint8Array,
        2,
      );
    expect(one(attribute('int.minus_one'), 3)).toBe(2n ** 64n - 1n); // int64 -1: ten bytes
    expect(one(attribute('int.int64_min'), 3)).toBe(2n ** 63n);
    expect(one(attribute('int.two_to_60'), 3)).toBe(2n ** 60n);
    const half = Buffer.alloc(8);
    half.writeDoubleLE(0.5);
    expect(one(attribute('double.half'), 4)).toBe(half.readBigUInt64LE());
    expect(one(attribute('bool.false'), 2)).toBe(0n);
    expect(all(message(attribute('array.strings'), 5), 1)).toHaveLength(3);
    expect(all(message(attribute('array.empty'), 5), 1)).toHaveLength(0);
  });
});
