import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tradewatch } from '../../exporter/src/sdk/index.js';
import { run, stage } from '../helpers/payloads.js';
import { parentId, recordingTracing, spanId, traceIdOf } from '../helpers/tracing.js';

// What a traced application has (NodeSDK registers it): the active span follows the code.
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

describe('SDK spans', () => {
  it('makes a live run a pipeline.run span with its stages under it, inside the caller span', async () => {
    const tracing = recordingTracing();
    const tw = new Tradewatch({ defaultMetrics: false, tracer: tracing.tracer });
    const caller = tracing.tracer.startSpan('screening job');
    context.with(trace.setSpan(context.active(), caller), () => {
      const handle = tw.startPipelineRun('discovery');
      const price = handle.startStage('price_filtering', 100);
      price.eliminate('price_too_high', 60);
      price.end({ symbolsOutput: 40 });
      const volume = handle.startStage('volume_filtering', 40);
      volume.error();
      volume.end({ symbolsOutput: 5 });
      handle.end();
    });
    caller.end();

    const spans = tracing.spans();
    const runSpan = spans.find((s) => s.name === 'pipeline.run')!;
    expect(parentId(runSpan)).toBe(caller.spanContext().spanId);
    expect(traceIdOf(runSpan)).toBe(caller.spanContext().traceId);
    const stages = spans.filter((s) => s.name === 'pipeline.stage');
    expect(stages).toHaveLength(2);
    for (const s of stages) {
      expect(parentId(s)).toBe(spanId(runSpan));
      expect(traceIdOf(s)).toBe(traceIdOf(runSpan));
    }
    expect(stages[0]!.attributes).toMatchObject({
      'pipeline.stage.name': 'price_filtering',
      'pipeline.stage.symbols_input': 100,
      'pipeline.stage.symbols_output': 40,
      'pipeline.stage.elimination_reasons': ['price_too_high'],
      'pipeline.stage.elimination_counts': [60],
    });
    expect(stages[1]!.status.message).toBe('stage failed');
    expect(runSpan.attributes).toMatchObject({
      'pipeline.name': 'discovery',
      'pipeline.status': 'failed',
      'pipeline.final_candidates': 5,
    });

    const text = await tw.metrics('openmetrics');
    const exemplarLines = text.split('\n').filter((l) => l.includes(traceIdOf(runSpan)));
    // one run bucket and one bucket per stage carry the exemplar
    expect(exemplarLines).toHaveLength(3);
    expect(exemplarLines.some((l) => l.includes(`span_id="${spanId(runSpan)}"`))).toBe(true);
  });

  it('traces a run recorded from its JSON with the same span shape as the HTTP path', async () => {
    const tracing = recordingTracing();
    const tw = new Tradewatch({ defaultMetrics: false, tracer: tracing.tracer });
    expect(
      tw.recordPipelineRun(
        run({
          pipeline_id: 'json-run',
          start_time: '2026-11-20T10:00:00Z',
          end_time: '2026-11-20T10:00:02Z',
          stages: [stage('a', 10, 5, { durationMs: 500 }), stage('b', 5, 1, { durationMs: 700 })],
        }),
      ),
    ).toBe(true);
    const names = tracing.spans().map((s) => s.name);
    expect(names.sort()).toEqual(['pipeline.run', 'pipeline.stage', 'pipeline.stage']);
    expect(await tw.metrics('openmetrics')).toContain('trace_id="');
  });

  it('without a tracer registered records the same metrics and no exemplars', async () => {
    const tw = new Tradewatch({ defaultMetrics: false });
    const handle = tw.startPipelineRun('discovery');
    handle.startStage('a', 10).end({ symbolsOutput: 3 });
    handle.end();
    const text = await tw.metrics('openmetrics');
    expect(text).toContain(
      'tradewatch_pipeline_runs_total{pipeline="discovery",status="completed"} 1',
    );
    expect(text).not.toContain('trace_id=');
  });
});
