import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../../../test/helpers/http.js';
import { OtlpReceiver } from '../../../test/helpers/otlp-receiver.js';
import { run, stage } from '../../../test/helpers/payloads.js';
import {
  listeningUrl,
  spawnExporter,
  type ExporterProcess,
} from '../../../test/helpers/process.js';

const RUNS = 10;
const STAGES = 2;
// One request span, and per run a run span and a span per stage.
const SPANS = 1 + RUNS * (1 + STAGES);

describe('the exporter flushes every queued span at shutdown', () => {
  // Answers each export after 300 ms: spans pile up in the queue while one is in flight.
  const receiver = new OtlpReceiver(300);
  let proc: ExporterProcess;

  beforeAll(async () => {
    await receiver.start();
    proc = spawnExporter({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // One span per batch: the shutdown flush sends ~SPANS batches at once, more than the
      // OTLP exporter's default of 30 concurrent exports.
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
  });
  afterAll(async () => {
    proc?.child.kill('SIGKILL');
    await receiver.close();
  });

  it('delivers all of a burst of small batches queued behind a slow collector', async () => {
    const url = (await listeningUrl(proc)).origin;
    const runs = Array.from({ length: RUNS }, (_, i) =>
      run({
        pipeline_id: `flush-${i}`,
        start_time: '2026-11-20T10:00:00Z',
        end_time: '2026-11-20T10:00:01Z',
        stages: [stage('a', 10, 4, { durationMs: 100 }), stage('b', 4, 1, { durationMs: 100 })],
      }),
    );
    const sent = await postJson(url, '/v1/pipeline-runs', runs);
    expect(sent.status).toBe(200);
    proc.child.kill('SIGTERM');
    await proc.exited;
    expect(receiver.spans()).toHaveLength(SPANS);
    expect(proc.stderr()).not.toMatch(/Concurrent export limit/);
  }, 60_000);
});
