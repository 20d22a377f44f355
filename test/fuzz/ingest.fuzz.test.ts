import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { withoutFamilies } from '../helpers/exposition.js';
import { bearer, get, postJson, scrape } from '../helpers/http.js';
import { pipelineAlert, webhook } from '../http/alerts-payloads.js';
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
/** Prices and rankings older than their retention are refused: these need a recent time. */
const RECENT = new Date(Date.now() - 3_600_000).toISOString();
const prediction = (id: string, a: number) => ({
  features: { a, sector: 'tech' },
  prediction: 0.5 + a / 10,
  confidence: 0.8,
  time: T,
  prediction_id: id,
});
/**
 * A valid body per ingest endpoint (checked first: each is accepted, or for the alert routes
 * passes validation), so that a mutation of one part leaves the rest valid and the deeper
 * checks run; the generator damages it beyond validity.
 */
const SEEDS: Record<string, unknown> = {
  '/v1/pipeline-runs': seedRun(),
  '/v1/ticks': seedSnapshot(),
  '/v1/sources/polygon/heartbeat': { timestamp: T, expected_interval_seconds: 60 },
  '/v1/prices': { symbol: 'QUBT', time: RECENT, price: 12.5, volume: 1000 },
  '/v1/recommendations': seedRecommendation(),
  '/v1/predictions': { model_name: 'fuzz_model', model_version: 'v1', ...prediction('p1', 1) },
  '/v1/outcomes': { model_name: 'fuzz_model', prediction_id: 'p1', actual: 1, time: T },
  '/v1/models/fuzz_model/baseline': {
    predictions: [prediction('b1', 1), prediction('b2', 2), prediction('b3', 3)],
    importances: { a: 0.7, sector: 0.3 },
  },
  '/v1/models/fuzz_model/importance': {
    time: T,
    importances: { a: 0.5, sector: 0.5 },
    members: [{ name: 'tree', weight: 1, metrics: { accuracy: 0.9 } }],
  },
  '/v1/rankings': {
    strategy: 'momentum',
    list_id: 'l1',
    time: RECENT,
    items: [{ symbol: 'QUBT', score: 0.9, rank: 1 }],
  },
  '/alerts/webhook': webhook([
    {
      status: 'firing',
      labels: { alertname: 'FuzzSeed', severity: 'warning' },
      startsAt: T,
      fingerprint: 'f00d',
    },
  ]),
  '/v1/alerts': pipelineAlert('fuzz_seed_1', T),
  '/alerts/1/ack': { acknowledged_by: 'oncall', comment: 'fuzz', duration_minutes: 30 },
};
/** Valid seeds that still fail past validation: no Alertmanager is configured. */
const SEED_STATUS: Record<string, number> = { '/v1/alerts': 503, '/alerts/1/ack': 503 };
/**
 * Families the refused requests legitimately change: request counters, ingest failures, the
 * storage writes of their audit rows, the process. Everything else, tradewatch_ingest_events
 * and _duplicates included, must be byte-identical.
 */
const CHANGING_FAMILIES = [
  'process_',
  'nodejs_',
  'tradewatch_http_',
  'tradewatch_ingest_failures_total',
  'tradewatch_storage_',
];
const ENDPOINTS = Object.keys(SEEDS);
const admin = { authorization: bearer(ADMIN_TOKEN) };

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
      // Drift is evaluated on a timer, bad input or not: no evaluation may fall inside the run
      // (its timestamp family would differ; a loaded machine can take past the default 60 s).
      TRADEWATCH_DRIFT__EVALUATION_INTERVAL_SECONDS: '3600',
    });
  });
  afterAll(() => tw?.close());

  it(
    `answers ${CASES} hostile bodies with a 4xx JSON error and changes nothing`,
    { timeout: 120_000 },
    async () => {
      const seedStatuses: Record<string, number> = {};
      // Prices last: they are taken only for symbols a ranking (QUBT) made known.
      const prices = '/v1/prices';
      for (const endpoint of [...ENDPOINTS.filter((e) => e !== prices), prices]) {
        const reply = await postJson(tw.url, endpoint, SEEDS[endpoint], admin);
        seedStatuses[endpoint] = reply.status;
      }
      const expected = Object.fromEntries(ENDPOINTS.map((e) => [e, SEED_STATUS[e] ?? 200]));
      expect(seedStatuses).toEqual(expected);
      expect(await tw.exporter.storage.buffer.flush(10_000)).toBe(true);
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
      // Among them, bodies whose only defect is one far past or future timestamp.
      const farOnly = cases.filter((c) => c.category === 'far-timestamp-only');
      expect(farOnly.length).toBeGreaterThan(CASES / 40);
      // No prototype was polluted by a `__proto__` or `constructor` key.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).admin).toBeUndefined();

      // Still up, still ready, and nothing but the request and storage counters moved.
      expect((await get(tw.url, '/healthz')).status).toBe(200);
      expect((await get(tw.url, '/readyz')).status).toBe(200);
      await tw.exporter.shared.refresh();
      const after = await scrape(tw.url);
      expect(withoutFamilies(after.text, CHANGING_FAMILIES)).toBe(
        withoutFamilies(before.text, CHANGING_FAMILIES),
      );
      const lint = await checkMetrics(after.text);
      expect(lint.output).toBe('');
      expect(lint.code).toBe(0);
    },
  );
});
