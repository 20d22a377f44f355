import { describe, expect, it } from 'vitest';
import { MetricRegistry } from '../../src/metrics/registry.js';
import { PipelineRecorder } from '../../src/pipeline/recorder.js';
import type { RunSummary, StageSummary } from '../../src/pipeline/summary.js';

/**
 * tradewatch_pipeline_stage_symbols_eliminated: the eliminations of the latest finished run by
 * stage and reason, whichever way runs arrive (whole runs over HTTP, stage by stage from the SDK).
 */

const newRecorder = (maxSeries = 100) => {
  const registry = new MetricRegistry({ maxSeriesPerMetric: maxSeries, maxLabelValueLength: 64 });
  return { registry, recorder: new PipelineRecorder(registry) };
};

const stage = (name: string, eliminations: [string, number][]): StageSummary => ({
  stage: name,
  failed: false,
  symbolsInput: 100,
  symbolsOutput: 100 - eliminations.reduce((sum, [, n]) => sum + n, 0),
  durationSeconds: 1,
  eliminations,
  errorCount: 0,
});

const run = (endTimestampSeconds: number, stages: StageSummary[]): RunSummary => ({
  pipeline: 'discovery',
  runId: `run-${endTimestampSeconds}`,
  status: 'completed',
  durationSeconds: 5,
  endTimestampSeconds,
  finalCandidates: 1,
  healthScore: undefined,
  fallbackDetected: false,
  stages,
});

/** The gauge's samples as `stage reason value`, sorted. */
async function eliminated(registry: MetricRegistry): Promise<string[]> {
  const text = await registry.renderToString('text');
  return [...text.matchAll(/^tradewatch_pipeline_stage_symbols_eliminated\{(.*)\} (\S+)$/gm)]
    .map(([, labels, value]) => {
      const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)?.[1];
      return `${label('stage')} ${label('reason')} ${value}`;
    })
    .sort();
}

describe('eliminated symbols of the latest run', () => {
  it('shows each stage and reason of the latest run with its count', async () => {
    const { registry, recorder } = newRecorder();
    recorder.recordRun(
      run(1000, [
        stage('price', [
          ['too_high', 40],
          ['too_low', 7],
        ]),
        stage('volume', [['thin', 30]]),
      ]),
    );
    expect(await eliminated(registry)).toEqual([
      'price too_high 40',
      'price too_low 7',
      'volume thin 30',
    ]);
  });

  it('drops reasons (and stages) the next run did not report to 0, and keeps no sum of runs', async () => {
    const { registry, recorder } = newRecorder();
    recorder.recordRun(
      run(1000, [stage('price', [['too_high', 40]]), stage('volume', [['thin', 30]])]),
    );
    recorder.recordRun(run(2000, [stage('price', [['too_low', 5]])]));
    expect(await eliminated(registry)).toEqual([
      'price too_high 0',
      'price too_low 5',
      'volume thin 0',
    ]);
    // Back to the first shape: the reason of the run in between is now the one at 0.
    recorder.recordRun(run(3000, [stage('price', [['too_high', 12]])]));
    expect(await eliminated(registry)).toEqual([
      'price too_high 12',
      'price too_low 0',
      'volume thin 0',
    ]);
  });

  it('is not moved by a run that ended before the latest one', async () => {
    const { registry, recorder } = newRecorder();
    recorder.recordRun(run(2000, [stage('price', [['too_high', 40]])]));
    recorder.recordRun(run(1000, [stage('price', [['too_low', 9]])]));
    expect(await eliminated(registry)).toEqual(['price too_high 40']);
  });

  it('is the same for a run recorded stage by stage (the SDK path)', async () => {
    const { registry, recorder } = newRecorder();
    recorder.recordRun(run(1000, [stage('price', [['too_high', 40]])]));
    recorder.recordStage('discovery', stage('volume', [['thin', 3]]));
    recorder.recordRunEnd(run(2000, []), ['volume']);
    expect(await eliminated(registry)).toEqual(['price too_high 0', 'volume thin 3']);
  });

  it('is restored from a stored run after a restart, without counting it again', async () => {
    const { registry, recorder } = newRecorder();
    recorder.restoreLatest(run(1000, [stage('price', [['too_high', 40]])]));
    expect(await eliminated(registry)).toEqual(['price too_high 40']);
    expect(await registry.renderToString('text')).not.toMatch(
      /^tradewatch_pipeline_stage_eliminations_total\{.*\} [1-9]/m,
    );
  });

  it('is capped by the cardinality guard: reasons past the cap share the overflow series', async () => {
    const { registry, recorder } = newRecorder(2);
    recorder.recordRun(
      run(1000, [
        stage('price', [
          ['a', 1],
          ['b', 2],
          ['c', 3],
          ['d', 4],
        ]),
      ]),
    );
    expect(await eliminated(registry)).toEqual([
      '__overflow__ __overflow__ 4',
      'price a 1',
      'price b 2',
    ]);
  });
});
