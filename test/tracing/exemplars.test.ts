import { afterAll, beforeAll, expect, it } from 'vitest';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { postJson } from '../helpers/http.js';
import { run, stage } from '../helpers/payloads.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { recordingTracing } from '../helpers/tracing.js';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';

let tw: TestExporter;
let prometheus: RunningPrometheus;

beforeAll(async () => {
  tw = await startExporter({}, { tracing: recordingTracing() });
  prometheus = await startPrometheus({
    targets: [new URL(tw.url).host],
    features: ['exemplar-storage'],
  });
}, 60_000);
afterAll(async () => {
  await prometheus?.stop();
  await tw?.close();
});

interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string }[];
}

it("Prometheus stores the run's trace id as an exemplar of the duration histograms", async () => {
  const sent = await postJson(
    tw.url,
    '/v1/pipeline-runs',
    run({
      pipeline_id: 'exemplar-run',
      pipeline: 'discovery',
      start_time: '2026-11-20T10:00:00Z',
      end_time: '2026-11-20T10:00:03Z',
      stages: [stage('price_filtering', 100, 10, { durationMs: 1200 })],
    }),
    { headers: { traceparent: `00-${CALLER_TRACE}-b7ad6b7169203331-01` } },
  );
  expect(sent.status).toBe(200);
  const query = (metric: string) =>
    prometheus.waitFor(
      `an exemplar on ${metric}`,
      async () => {
        const now = Date.now() / 1000;
        const data = await prometheus.api<ExemplarSeries[]>('/api/v1/query_exemplars', {
          query: metric,
          start: String(now - 3600),
          end: String(now + 60),
        });
        return data.length > 0 ? data : undefined;
      },
      15_000,
    );
  const runExemplars = await query('tradewatch_pipeline_run_duration_seconds_bucket');
  expect(runExemplars[0]!.exemplars[0]!.labels.trace_id).toBe(CALLER_TRACE);
  expect(Number(runExemplars[0]!.exemplars[0]!.value)).toBe(3);
  expect(runExemplars[0]!.seriesLabels).toMatchObject({ pipeline: 'discovery', le: '5' });
  const stageExemplars = await query('tradewatch_pipeline_stage_duration_seconds_bucket');
  expect(stageExemplars[0]!.exemplars[0]!.labels.trace_id).toBe(CALLER_TRACE);
  expect(stageExemplars[0]!.seriesLabels).toMatchObject({ stage: 'price_filtering', le: '2.5' });
});
