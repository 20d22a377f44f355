import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsEndpoint } from '../../src/http/metrics-endpoint.js';
import { MetricRegistry } from '../../src/metrics/registry.js';

/** A registry holding `series` gauge series (about 30 bytes each). */
function registry(series: number): MetricRegistry {
  const r = new MetricRegistry({ maxSeriesPerMetric: 1e9, maxLabelValueLength: 128 });
  const g = r.register({ name: 't_gauge', type: 'gauge', help: 'A gauge.', labelNames: ['i'] });
  for (let i = 0; i < series; i++) g.set([String(i)], i);
  return r;
}

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

async function scrape(r: MetricRegistry, method = 'GET') {
  const serve = metricsEndpoint(r);
  server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics', method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('GET /metrics', () => {
  it('sends a small exposition whole, with its length', async () => {
    const r = registry(1000);
    const { headers, body } = await scrape(r);
    expect(body).toBe(await r.renderToString('text'));
    expect(headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(headers['transfer-encoding']).toBeUndefined();
    expect(headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('streams a big one as it is rendered', async () => {
    const r = registry(50_000);
    const { headers, body } = await scrape(r);
    expect(body).toBe(await r.renderToString('text'));
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
  });

  it('answers HEAD with the headers only', async () => {
    const r = registry(10);
    const { headers, body } = await scrape(r, 'HEAD');
    expect(body).toBe('');
    expect(headers['content-length']).toBe(
      String(Buffer.byteLength(await r.renderToString('text'))),
    );
  });
});
