import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  context as otelContext,
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { RequestHandler } from 'express';
import { routePattern } from '../http/observe.js';

export const CORRELATION_HEADER = 'X-Correlation-ID';
export const CORRELATION_ATTRIBUTE = 'tradewatch.correlation_id';

/** What one request's work is filed under: in its log lines, spans, stored rows and response. */
export interface RequestTrace {
  readonly correlationId: string;
  readonly startTime: Date;
  /** The request's span; its trace id is the correlation id unless the caller chose one. */
  readonly span: Span;
  /** The context to start the request's child spans in. */
  readonly context: Context;
}

const requests = new AsyncLocalStorage<RequestTrace>();
const w3c = new W3CTraceContextPropagator();
/** A caller's own id is kept only if it is short printable ASCII: it is echoed and logged. */
const CALLER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;

/** The request being handled on this async path, if any. */
export function currentRequest(): RequestTrace | undefined {
  return requests.getStore();
}

/** Log fields tying a line to its request (pino `mixin`). */
export function correlationFields(): Record<string, string> {
  const request = requests.getStore();
  if (!request) return {};
  const { traceId, spanId } = request.span.spanContext();
  return { correlation_id: request.correlationId, trace_id: traceId, span_id: spanId };
}

export function newCorrelationId(): string {
  return randomBytes(16).toString('hex');
}

/** A caller-supplied X-Correlation-ID if it is acceptable, else undefined (never echoed). */
export function callerCorrelationId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CALLER_ID.test(value) ? value : undefined;
}

/**
 * Gives every request a span and a correlation id. A valid W3C `traceparent` makes the request
 * part of the caller's trace (invalid ones, such as all-zero ids or version ff, are ignored);
 * otherwise a new trace starts. The correlation id is the caller's X-Correlation-ID when it
 * sent an acceptable one (also kept as a span attribute), else the trace id; with tracing
 * disabled, a random id of the same shape. It goes back in the X-Correlation-ID response header.
 */
export function correlateRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = w3c.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const callerId = callerCorrelationId(req.headers['x-correlation-id']);
    const span = tracer.startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.path,
          ...(callerId ? { [CORRELATION_ATTRIBUTE]: callerId } : {}),
        },
      },
      parent,
    );
    const spanContext = span.spanContext();
    const callerContext = trace.getSpanContext(parent);
    const continuesCaller = callerContext !== undefined && isSpanContextValid(callerContext);
    const correlationId =
      (continuesCaller ? spanContext.traceId : callerId) ??
      (isSpanContextValid(spanContext) ? spanContext.traceId : newCorrelationId());
    res.setHeader(CORRELATION_HEADER, correlationId);
    res.once('finish', () => {
      const route = routePattern(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    res.once('close', () => {
      if (!res.writableFinished) span.end();
    });
    const spanContextValue = trace.setSpan(parent, span);
    const request: RequestTrace = {
      correlationId,
      startTime: new Date(),
      span,
      context: spanContextValue,
    };
    requests.run(request, () => otelContext.with(spanContextValue, next));
  };
}
