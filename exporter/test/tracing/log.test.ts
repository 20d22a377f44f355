import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { correlateRequests } from '../../src/tracing/correlation.js';

describe('log lines written while a request is handled', () => {
  it('carry its correlation id, trace id and span id; lines outside carry none', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('info', sink);
    const tracer = new TracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('test');
    const app = express();
    app.use(correlateRequests(tracer));
    app.get('/work', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 5)); // the fields must survive an await
      logger.info({ component: 'ingest' }, 'inside');
      res.json({});
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
      const reply = await fetch(`http://127.0.0.1:${port}/work`, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      });
      expect(reply.headers.get('x-correlation-id')).toBe(traceId);
      logger.info({ component: 'monitoring' }, 'outside');
      const inside = lines.find((l) => l.msg === 'inside')!;
      expect(inside).toMatchObject({ correlation_id: traceId, trace_id: traceId });
      expect(inside.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(inside.span_id).not.toBe('00f067aa0ba902b7'); // the request's own span
      const outside = lines.find((l) => l.msg === 'outside')!;
      expect(outside).not.toHaveProperty('correlation_id');
      expect(outside).not.toHaveProperty('trace_id');
    } finally {
      server.close();
    }
  });
});
