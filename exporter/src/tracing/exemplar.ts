import { TraceFlags, type Span } from '@opentelemetry/api';
import type { Exemplar } from '../metrics/family.js';

/**
 * The exemplar linking an observation to its span: `trace_id` and `span_id` labels (what
 * Grafana's "exemplar to trace" link reads), only for sampled spans — an unsampled trace is
 * stored nowhere, so a link to it would lead nowhere.
 */
export function exemplarOf(
  span: Pick<Span, 'spanContext'>,
  value: number,
  timestampSeconds: number,
): Exemplar | undefined {
  const { traceId, spanId, traceFlags } = span.spanContext();
  if ((traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { labels: `trace_id="${traceId}",span_id="${spanId}"`, value, timestampSeconds };
}
