import type {
  Attributes,
  AttributeValue,
  HrTime,
  Link,
  SpanContext,
  SpanStatus,
} from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { PARENT_ID_SLOT, ProtoWriter, TRACE_ID_SLOT } from './otlp-proto-writer.js';

/**
 * Encodes finished spans as an OTLP `ExportTraceServiceRequest` in protobuf, byte for byte what
 * `ProtobufTraceSerializer` of @opentelemetry/otlp-transformer writes (a test holds it to that):
 * spans grouped by resource, then by instrumentation scope (both by identity, in first-seen
 * order), fields in the same order with the same defaults written or left out. It makes one
 * pass where the library makes two (sizes, then bytes), writes ids straight from their hex,
 * and reuses its buffer between exports. Field numbers: opentelemetry/proto/trace/v1/trace.proto.
 */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  writer.reset();
  for (const [resource, scopes] of groupSpans(spans)) {
    writer.byte(tag(1, LEN)); // ExportTraceServiceRequest.resource_spans
    const start = writer.begin(3);
    writeResource(resource);
    for (const [scope, scopeSpans] of scopes) {
      writer.byte(tag(2, LEN)); // ResourceSpans.scope_spans
      writeScopeSpans(scope, scopeSpans);
    }
    if (resource.schemaUrl) {
      writer.byte(tag(3, LEN));
      writer.string(resource.schemaUrl);
    }
    writer.end(start, 3);
  }
  return writer.take();
}

type Resource = ReadableSpan['resource'];
/** The scope as the library reads it: attributes and a dropped count, should the SDK add them. */
type Scope = ReadableSpan['instrumentationScope'] & {
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
};

const writer = new ProtoWriter();

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const tag = (field: number, wireType: number): number => (field << 3) | wireType;

/** The span's flags field: W3C trace flags, and whether the parent is remote (known here). */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const spanFlags = (traceFlags: number, isRemote: boolean | undefined): number =>
  (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);

function groupSpans(spans: readonly ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const byResource = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (!byScope) byResource.set(span.resource, (byScope = new Map()));
    const inScope = byScope.get(span.instrumentationScope);
    if (inScope) inScope.push(span);
    else byScope.set(span.instrumentationScope, [span]);
  }
  return byResource;
}

function writeResource(resource: Resource): void {
  writer.byte(tag(1, LEN)); // ResourceSpans.resource
  const start = writer.begin(2);
  writeAttributes(resource.attributes, 1);
  writer.byte(tag(2, VARINT)); // dropped_attributes_count: the SDK keeps no count
  writer.byte(0);
  writer.end(start, 2);
}

function writeScopeSpans(scope: Scope, spans: readonly ReadableSpan[]): void {
  const start = writer.begin(3);
  writer.byte(tag(1, LEN)); // ScopeSpans.scope
  const scopeStart = writer.begin(1);
  writer.byte(tag(1, LEN));
  writer.string(scope.name);
  if (scope.version) {
    writer.byte(tag(2, LEN));
    writer.string(scope.version);
  }
  if (scope.attributes) writeAttributes(scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    writer.byte(tag(4, VARINT));
    writer.uint32(scope.droppedAttributesCount);
  }
  writer.end(scopeStart, 1);
  for (const span of spans) {
    writer.byte(tag(2, LEN)); // ScopeSpans.spans
    writeSpan(span);
  }
  if (scope.schemaUrl) {
    writer.byte(tag(3, LEN));
    writer.string(scope.schemaUrl);
  }
  writer.end(start, 3);
}

function writeSpan(span: ReadableSpan): void {
  // A pipeline span is a few hundred bytes: two bytes of length.
  const start = writer.begin(2);
  const context = span.spanContext();
  writeIds(context);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.byte(tag(4, LEN));
    writer.repeatedHex(parent.spanId, PARENT_ID_SLOT); // siblings end one after another
  }
  writer.byte(tag(5, LEN));
  writer.recurring(span.name);
  // OTLP's SpanKind counts from UNSPECIFIED = 0, the API's from INTERNAL = 0.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writer.byte(tag(6, VARINT));
    writer.uint32(kind);
  }
  writeTime(7, span.startTime);
  writeTime(8, span.endTime);
  writeAttributes(span.attributes, 9);
  writeCount(10, span.droppedAttributesCount);
  for (const event of span.events) writeEvent(event);
  writeCount(12, span.droppedEventsCount);
  for (const link of span.links) writeLink(link);
  writeCount(14, span.droppedLinksCount);
  writeStatus(span.status);
  writer.uint32(tag(16, I32)); // flags: field 16 takes a two-byte tag
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
  writer.end(start, 2);
}

/** Fields 1-3 of both Span and Span.Link: trace id, span id, trace state. */
function writeIds(context: SpanContext): void {
  writer.byte(tag(1, LEN));
  writer.repeatedHex(context.traceId, TRACE_ID_SLOT); // a trace's spans end close together
  writer.byte(tag(2, LEN));
  writer.hex(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.byte(tag(3, LEN));
    writer.string(traceState);
  }
}

function writeTime(field: number, time: HrTime): void {
  writer.byte(tag(field, I64));
  writer.hrTime(time);
}

function writeCount(field: number, count: number | undefined): void {
  writer.byte(tag(field, VARINT));
  writer.uint32(count ?? 0);
}

function writeEvent(event: TimedEvent): void {
  writer.byte(tag(11, LEN)); // Span.events
  const start = writer.begin(1);
  writeTime(1, event.time);
  writer.byte(tag(2, LEN));
  writer.string(event.name);
  if (event.attributes) writeAttributes(event.attributes, 3);
  writeCount(4, event.droppedAttributesCount);
  writer.end(start, 1);
}

function writeLink(link: Link): void {
  writer.byte(tag(13, LEN)); // Span.links
  const start = writer.begin(1);
  const context = link.context;
  writeIds(context);
  if (link.attributes) writeAttributes(link.attributes, 4);
  writeCount(5, link.droppedAttributesCount);
  writer.byte(tag(6, I32));
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
  writer.end(start, 1);
}

function writeStatus(status: SpanStatus): void {
  writer.byte(tag(15, LEN)); // Span.status
  const start = writer.begin(1);
  if (status.message) {
    writer.byte(tag(2, LEN));
    writer.string(status.message);
  }
  writer.byte(tag(3, VARINT)); // the code, written even when UNSET
  writer.uint32(status.code);
  writer.end(start, 1);
}

/** Attributes as repeated KeyValue in `field`, in the object's own key order. */
function writeAttributes(attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    writer.byte(tag(field, LEN));
    writeKeyValue(key, attributes[key]);
  }
}

function writeKeyValue(key: string, value: unknown): void {
  const start = writer.begin(1);
  writer.byte(tag(1, LEN));
  writer.recurring(key);
  writer.byte(tag(2, LEN));
  const valueStart = writer.begin(1);
  writeAnyValue(value);
  writer.end(valueStart, 1);
  writer.end(start, 1);
}

// Integral numbers in int64's range go out as int_value, others as double_value.
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/**
 * An AnyValue's fields, from an attribute value or an item of one. Maps (kvlist) and bytes are
 * not attribute values the API allows, but the library writes them, and so does this.
 */
function writeAnyValue(value: AttributeValue | unknown): void {
  if (typeof value === 'string') {
    writer.byte(tag(1, LEN));
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.byte(tag(2, VARINT));
    writer.byte(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      writer.byte(tag(3, VARINT));
      writer.int64(value);
    } else {
      writer.byte(tag(4, I64));
      writer.double(value);
    }
  } else if (value instanceof Uint8Array) {
    writer.byte(tag(7, LEN));
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.byte(tag(5, LEN)); // ArrayValue
    const start = writer.begin(1);
    for (const item of value as unknown[]) {
      writer.byte(tag(1, LEN));
      const itemStart = writer.begin(1);
      writeAnyValue(item);
      writer.end(itemStart, 1);
    }
    writer.end(start, 1);
  } else if (typeof value === 'object' && value !== null) {
    writer.byte(tag(6, LEN)); // KeyValueList
    const start = writer.begin(1);
    const map = value as Record<string, unknown>;
    for (const key in map) {
      if (!Object.hasOwn(map, key)) continue;
      writer.byte(tag(1, LEN));
      writeKeyValue(key, map[key]);
    }
    writer.end(start, 1);
  }
  // undefined, null and other types: an empty AnyValue, as the library writes.
}
