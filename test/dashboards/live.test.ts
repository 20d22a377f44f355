import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradewatchClient } from '../../exporter/src/client/index.js';
import { Simulator } from '../../exporter/src/simulator/run.js';
import { settings } from '../../dashboards/src/lib/settings.js';
import { INGEST_TOKEN, startExporter, type TestExporter } from '../helpers/exporter.js';
import { allTargets, generatedDashboards, type LocatedTarget } from './load.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { renderRulesForTest } from '../alerting/rules-harness.js';
import { api, type QueryResult } from './prometheus.js';

/**
 * Every panel query of the committed dashboards, run by a real Prometheus that scraped the
 * exporter while the simulator fed it: a parse error or an empty answer (a panel that would
 * show "No data" on the demo) fails.
 */

/** How long the simulator runs before the queries: a few discovery runs and 20+ scrapes. */
const RUN_SECONDS = 25;
/** Grafana's $__rate_interval for a 1 s scrape interval: four scrape intervals. */
const RATE_INTERVAL = '4s';
const STEP_SECONDS = 1;

/**
 * Panels the demo cannot fill, each with the reason. These are gaps of the demo (reported, not
 * hidden): the test fails as soon as one of them gets data, so the list only shrinks.
 *
 * Ranking quality and returns by horizon have data: the simulator sends two days of history at
 * start, so 1-day horizons and checkpoints have matured. The cardinality overflow counter exists
 * at 0 for every capped metric from the start. What is left needs an Alertmanager, which the
 * demo (exporter and simulator) does not run; `npm run stack` does.
 */
const NO_ALERTMANAGER =
  "the exporter's Alertmanager client and its metrics exist only with alerts.alertmanager_url";
const KNOWN_EMPTY: Record<string, string> = {
  'alerts.json › Manual alerts waiting › A': NO_ALERTMANAGER,
  'alerts.json › Alertmanager API calls › A': NO_ALERTMANAGER,
  'alerts.json › Alertmanager API calls › B': NO_ALERTMANAGER,
  'alerts.json › Alertmanager circuit breaker › A': NO_ALERTMANAGER,
};

const JOB = /job="([^"]+)"/.exec(settings.selector)?.[1];

/**
 * The recording and alert rules of alert-rules/ (read only), evaluated every second so that
 * the recorded series (which panels query) and ALERTS fill.
 */
function ruleFiles(dir: string): string[] {
  return ['recording.yml', 'alerts.yml'].map((name) => {
    const file = join(dir, name);
    writeFileSync(file, renderRulesForTest(name, { interval: '1s' }));
    return file;
  });
}

/**
 * Waits until Prometheus holds a sample of `series` from this exporter: a panel taking the rate
 * of a counter sees its increase only if it scraped the value before the increase.
 */
async function scraped(series: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const answer = await api(prometheus.url, '/api/v1/query', { query: series });
    if ((answer.data?.result.length ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Prometheus has not scraped ${series} within 20 s`);
}

let exporter: TestExporter;
let simulator: Simulator;
let prometheus: RunningPrometheus;
let instance: string;
let end: number;
let rulesDir: string;

beforeAll(async () => {
  if (!JOB) throw new Error(`no job="..." in the mixin selector ${settings.selector}`);
  // Drift statistics every 2 s instead of every minute, and the shared metrics (ranking
  // quality, returns by horizon) every 2 s instead of 15, so they exist within the run.
  exporter = await startExporter({
    TRADEWATCH_DRIFT__EVALUATION_INTERVAL_SECONDS: '2',
    TRADEWATCH_STORAGE__SHARED_METRICS_INTERVAL_SECONDS: '2',
  });
  instance = new URL(exporter.url).host;
  rulesDir = mkdtempSync(join(tmpdir(), 'tw-dashboard-rules-'));
  prometheus = await startPrometheus({
    job: JOB,
    targets: [instance],
    features: ['exemplar-storage'],
    ruleFiles: ruleFiles(rulesDir),
  });
  // The returns histogram's 1-day horizon fills as soon as the simulator's history is in: its
  // series must have been scraped at 0 before, or the rate of the returns panel stays empty.
  await scraped('tradewatch_recommendation_return_ratio_count{horizon="1d"}');
  const client = new TradewatchClient({ baseUrl: exporter.url, token: INGEST_TOKEN });
  // Its default two days of history at start fill the 1-day ranking and return panels.
  simulator = new Simulator({
    client,
    models: client,
    predictionIntervalMs: 500,
    seed: 7,
    tickIntervalMs: 250,
    runIntervalMs: 2_000,
    priceIntervalMs: 500,
    sources: [
      { name: 'polygon', intervalMs: 500 },
      { name: 'sentiment_feed', intervalMs: 2_000 },
    ],
  });
  simulator.start();
  await new Promise((resolve) => setTimeout(resolve, RUN_SECONDS * 1000));
  end = Date.now() / 1000;
}, 120_000);

afterAll(async () => {
  await simulator?.stop();
  await prometheus?.stop();
  await exporter?.close();
  if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
});

/** The expression as Grafana would send it, with the job and instance of this run selected. */
function substitute(expr: string): string {
  const text = expr
    .replaceAll('$__rate_interval', RATE_INTERVAL)
    .replaceAll('$__interval', `${STEP_SECONDS}s`)
    .replaceAll('$__range', `${RUN_SECONDS}s`)
    .replaceAll('$job', JOB!)
    .replaceAll('$instance', instance.replaceAll('.', '\\\\.'));
  if (text.includes('$')) throw new Error(`unsubstituted variable in ${text}`);
  return text;
}

/** Samples that a panel would draw: NaN (a quantile of empty buckets) draws nothing. */
function drawable(result: QueryResult): number {
  const values = (result.data?.result ?? []).flatMap((s) => s.values ?? (s.value ? [s.value] : []));
  return values.filter(([, v]) => !Number.isNaN(Number(v))).length;
}

function run(t: LocatedTarget): Promise<QueryResult> {
  const query = substitute(t.expr);
  if (t.target.instant) return api(prometheus.url, '/api/v1/query', { query, time: String(end) });
  return api(prometheus.url, '/api/v1/query_range', {
    query,
    start: String(end - RUN_SECONDS),
    end: String(end),
    step: String(STEP_SECONDS),
  });
}

describe('dashboards on a live Prometheus', () => {
  it('has known-empty entries that are real panel queries', () => {
    const names = new Set(allTargets().map((t) => t.where));
    for (const where of Object.keys(KNOWN_EMPTY)) expect(names).toContain(where);
  });

  it.each(allTargets().map((t) => [t.where, t] as const))('%s', async (where, t) => {
    const result = await run(t);
    expect(result.error, `${substitute(t.expr)}`).toBeUndefined();
    expect(result.status).toBe('success');
    if (where in KNOWN_EMPTY) {
      expect(drawable(result), `${where} has data now: remove it from KNOWN_EMPTY`).toBe(0);
    } else {
      expect(drawable(result), `No data: ${substitute(t.expr)}`).toBeGreaterThan(0);
    }
  });

  it.each([...generatedDashboards()])(
    '%s: the job and instance variables list this run',
    async (_f, d) => {
      for (const variable of d.templating.list.filter((v) => v.type === 'query')) {
        const query =
          typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
        const [, selector, label] = /^label_values\((.*), (\w+)\)$/.exec(query) ?? [];
        expect(label, query).toBeDefined();
        const answer = await api(prometheus.url, `/api/v1/label/${label}/values`, {
          'match[]': substitute(selector!),
        });
        expect(answer.data as unknown, query).toContain(label === 'job' ? JOB : instance);
      }
    },
  );
});
