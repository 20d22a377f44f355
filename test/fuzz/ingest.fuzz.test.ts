import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { VOLATILE_PREFIXES, withoutFamilies } from '../helpers/exposition.js';
import { bearer, get, scrape } from '../helpers/http.js';
import { seedRecommendation, seedRun, seedSnapshot } from '../helpers/payloads.js';
import { checkMetrics } from '../helpers/promtool.js';
import { ADMIN_TOKEN, ROLE_ENV } from '../security/tokens.js';
import { fuzzCase, gen } from './generator.js';

/**
 * Fuzzing the ingest API (issue 10): at least 10,000 generated malformed or hostile bodies,
 * spread over every ingest endpoint. Every answer must be a 4xx with a JSON error; the process
 * stays up, the families the refused requests must not touch are byte-identical afterwards,
 * and the exposition stays `promtool check metrics` clean. Reproduce a failure with its seed:
 * FUZZ_SEED=<seed> FUZZ_CASES=<n> npx vitest run test/fuzz.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_003);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const CONCURRENCY = 24;
const BODY_LIMIT = 65_536;
const MAX_BATCH = 100;

const T = '2025-09-03T14:30:00Z';
/** A plausible body per ingest endpoint: the generator damages it beyond validity. */
const SEEDS: Record<string, unknown> = {
  '/v1/pipeline-runs': seedRun(),
  '/v1/ticks': seedSnapshot(),
  '/v1/sources/polygon/heartbeat': { timestamp: T, expected_interval_seconds: 60 },
  '/v1/prices': { symbol: 'QUBT', time: T, price: 12.5 },
  '/v1/recommendations': seedRecommendation(),
  '/v1/predictions': { model: 'm1', prediction_id: 'p1', time: T, features: { a: 1 }, score: 0.5 },
  '/v1/outcomes': { model: 'm1', prediction_id: 'p1', time: T, label: 1 },
  '/v1/models/m1/baseline': { features: { a: { bins: [0, 1], counts: [1, 1] } } },
  '/v1/models/m1/importance': { time: T, importances: { a: 0.5 } },
  '/v1/rankings': { list_id: 'l1', time: T, items: [{ symbol: 'QUBT', rank: 1 }] },
  '/alerts/webhook': { version: '4', status: 'firing', alerts: [] },
  '/v1/alerts': { labels: { alertname: 'Manual' }, annotations: { summary: 'x' } },
  '/alerts/1/ack': { acknowledged_by: 'oncall', comment: 'fuzz' },
};
const ENDPOINTS = Object.keys(SEEDS);

interface Failure {
  index: number;
  endpoint: string;
  category: string;
  status: number;
  body: string;
}

describe('fuzzing every ingest endpoint', () => {
  let tw: TestExporter;
  beforeAll(async () => {
    tw = await startExporter({
      ...ROLE_ENV,
      TRADEWATCH_SERVER__BODY_LIMIT_BYTES: String(BODY_LIMIT),
      TRADEWATCH_SERVER__MAX_BATCH_SIZE: String(MAX_BATCH),
    });
  });
  afterAll(() => tw?.close());

  it(
    `answers ${CASES} hostile bodies with a 4xx JSON error and changes nothing`,
    { timeout: 120_000 },
    async () => {
      await tw.exporter.shared.refresh(); // the leader's first refresh adds gauges of its own
      const before = await scrape(tw.url);
      const g = gen(SEED);
      const cases = Array.from({ length: CASES }, (_, index) => {
        const endpoint = ENDPOINTS[index % ENDPOINTS.length] as string;
        return { index, endpoint, ...fuzzCase(g, SEEDS[endpoint], BODY_LIMIT, MAX_BATCH) };
      });
      const failures: Failure[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < cases.length) {
          const c = cases[next++]!;
          let status = 0;
          let text = '';
          try {
            const response = await fetch(`${tw.url}${c.endpoint}`, {
              method: 'POST',
              headers: { authorization: bearer(ADMIN_TOKEN), 'content-type': c.contentType },
              body: c.body,
            });
            status = response.status;
            text = await response.text();
            const json = JSON.parse(text) as { error?: unknown; message?: unknown };
            const isJson = response.headers.get('content-type')?.startsWith('application/json');
            if (
              status >= 400 &&
              status < 500 &&
              isJson &&
              typeof json.error === 'string' &&
              typeof json.message === 'string'
            ) {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              continue;
            }
          } catch (err) {
            text ||= String(err);
          }
          failures.push({
            index: c.index,
            endpoint: c.endpoint,
            category: c.category,
            status,
            body: text.slice(0, 300),
          });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      expect(failures.slice(0, 20)).toEqual([]);
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(CASES);
      // Several kinds of refusal were exercised, not one path 10,000 times.
      expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 413, 415]));
      // No prototype was polluted by a `__proto__` or `constructor` key.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).admin).toBeUndefined();

      // Still up, still ready, and nothing but the request and storage counters moved.
      expect((await get(tw.url, '/healthz')).status).toBe(200);
      expect((await get(tw.url, '/readyz')).status).toBe(200);
      await tw.exporter.shared.refresh();
      const after = await scrape(tw.url);
      expect(withoutFamilies(after.text, VOLATILE_PREFIXES)).toBe(
        withoutFamilies(before.text, VOLATILE_PREFIXES),
      );
      const lint = await checkMetrics(after.text);
      expect(lint.output).toBe('');
      expect(lint.code).toBe(0);
    },
  );
});
