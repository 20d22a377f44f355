import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_LIMIT_GROUPS } from '../../exporter/src/config/schema.js';
import { READ_ROUTE_GROUPS } from '../../exporter/src/http/rate-limit.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { bearer, get, postJson, scrape, type Reply } from '../helpers/http.js';
import { seedRun, seedSnapshot } from '../helpers/payloads.js';
import { mountedRoutes } from './routes.js';
import { READER_TOKEN, ROLE_ENV, WRITER_TOKEN } from './tokens.js';

const RUNS = '/v1/pipeline-runs';
const STATUS = '/monitoring/discovery/pipeline';
const reader = { authorization: bearer(READER_TOKEN) };
const writer = { authorization: bearer(WRITER_TOKEN) };
const beat = (minute: number) => ({ timestamp: `2025-09-03T14:${minute}:00Z` });

function expectLimited(reply: Reply, group: string): void {
  expect(reply.status).toBe(429);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(reply.json).toMatchObject({ error: 'rate_limited' });
  expect((reply.json as { message: string }).message).toContain(`${group} endpoints`);
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60).toBe(true);
}

/** Calls `path` `n` times in a row and returns the statuses. */
async function statuses(n: number, call: () => Promise<Reply>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call()).status);
  return out;
}

describe('per-endpoint rate limits', () => {
  let tw: TestExporter;
  beforeAll(async () => {
    tw = await startExporter({
      ...ROLE_ENV,
      TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '2',
      TRADEWATCH_RATE_LIMIT__INGEST_REQUESTS: '3',
      TRADEWATCH_RATE_LIMIT__ENDPOINTS: '{tick: 1, correlation: 0}',
      TRADEWATCH_RATE_LIMIT__TOKENS: '{env-reader: {pipeline_status: 4}}',
    });
  });
  afterAll(() => tw?.close());

  it('gives each read group its own allowance: status reads do not use up the alert reads', async () => {
    // Two routes of one group share it: 2 in all.
    expect((await get(tw.url, RUNS)).status).toBe(200);
    expect((await get(tw.url, STATUS)).status).toBe(404); // no run yet, but counted
    expectLimited(await get(tw.url, RUNS), 'pipeline_status');
    expectLimited(await get(tw.url, STATUS), 'pipeline_status');
    // Another group, same client: untouched.
    expect(await statuses(2, () => get(tw.url, '/alerts/dashboard'))).toEqual([200, 200]);
    expectLimited(await get(tw.url, '/v1/alerts/queued'), 'alerts_status');
    // A group configured to 0 has no limit.
    expect(await statuses(4, () => get(tw.url, '/api/tracing/correlation/abc'))).not.toContain(429);
  });

  it('keys by the token when one is accepted, with its per-token override', async () => {
    // The address is limited on pipeline_status (above); each token has its own allowance.
    expect(await statuses(5, () => get(tw.url, RUNS, reader))).toEqual([200, 200, 200, 200, 429]);
    expect(await statuses(3, () => get(tw.url, RUNS, writer))).toEqual([200, 200, 429]);
    // A token that is not accepted counts as the address.
    expectLimited(
      await get(tw.url, RUNS, { authorization: bearer('tw-not-a-configured-token-000') }),
      'pipeline_status',
    );
  });

  it('gives each write group its own allowance', async () => {
    const source = '/v1/sources/polygon/heartbeat';
    expect(await statuses(3, () => postJson(tw.url, source, beat(30), writer))).toEqual([
      200, 200, 200,
    ]);
    expectLimited(await postJson(tw.url, source, beat(33), writer), 'source_heartbeat');
    // Ticks: their own group, configured to 1.
    expect((await postJson(tw.url, '/v1/ticks', seedSnapshot(), writer)).status).toBe(200);
    expectLimited(await postJson(tw.url, '/v1/ticks', seedSnapshot(), writer), 'tick');
    // The same token on another group is untouched.
    expect((await postJson(tw.url, RUNS, seedRun(), writer)).status).toBe(200);
  });

  it('has a group for every mounted read route and every ingest kind', async () => {
    const reads = mountedRoutes(tw).filter((r) => r.method === 'GET' && r.check);
    expect(reads.length).toBeGreaterThan(5);
    for (const r of reads) expect(READ_ROUTE_GROUPS[r.path], r.key).toBeDefined();
    // Every write route declares its kind at start as a series of this counter.
    const { text } = await scrape(tw.url);
    const kinds = [...text.matchAll(/^tradewatch_ingest_events_total\{kind="([^"]+)"\}/gm)].map(
      (m) => m[1],
    );
    expect(kinds.length).toBeGreaterThan(10);
    expect(WRITE_LIMIT_GROUPS).toEqual(expect.arrayContaining(kinds));
  });
});

describe('server.trust_proxy', () => {
  const forwardedFor = (ip: string) => ({ 'x-forwarded-for': ip });

  it('false (default): X-Forwarded-For is ignored, every request is the peer address', async () => {
    const tw = await startExporter({ TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '1' });
    try {
      expect((await get(tw.url, RUNS, forwardedFor('10.0.0.1'))).status).toBe(200);
      expectLimited(await get(tw.url, RUNS, forwardedFor('10.0.0.2')), 'pipeline_status');
    } finally {
      await tw.close();
    }
  });

  it('loopback: the forwarded address names the client', async () => {
    const tw = await startExporter({
      TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '1',
      TRADEWATCH_SERVER__TRUST_PROXY: 'loopback',
    });
    try {
      expect((await get(tw.url, RUNS, forwardedFor('10.0.0.1'))).status).toBe(200);
      expect((await get(tw.url, RUNS, forwardedFor('10.0.0.2'))).status).toBe(200);
      expectLimited(await get(tw.url, RUNS, forwardedFor('10.0.0.1')), 'pipeline_status');
    } finally {
      await tw.close();
    }
  });
});
