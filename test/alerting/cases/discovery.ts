import { series, type ComponentCases } from '../rules-harness.js';

const P = { job: 'tradewatch', pipeline: 'discovery' };

/** Stage histogram: `perMinute` observations a minute, `within30` of them at most 30 s long. */
function stageBuckets(stage: string, within30: number): Record<string, string> {
  const bucket = (le: string, perMinute: number) => ({
    [series('tradewatch_pipeline_stage_duration_seconds_bucket', {
      pipeline: 'discovery',
      stage,
      le,
    })]: `0+${perMinute}x20`,
  });
  return {
    ...bucket('10', 0),
    ...bucket('30', within30),
    ...bucket('60', 100),
    ...bucket('+Inf', 100),
  };
}

export const discovery: ComponentCases = {
  component: 'discovery',
  groups: [
    {
      name: 'latest run failed, and a pipeline that never succeeded',
      series: {
        [series('tradewatch_pipeline_last_run_timestamp_seconds', { pipeline: 'discovery' })]:
          '100 100 101',
        [series('tradewatch_pipeline_last_success_timestamp_seconds', { pipeline: 'discovery' })]:
          '100 100 100',
        [series('tradewatch_pipeline_last_run_timestamp_seconds', { pipeline: 'fresh' })]: '_ _ 50',
      },
      alerts: [
        { alert: 'TradewatchDiscoveryRunFailed', at: '1m', fires: [] },
        {
          alert: 'TradewatchDiscoveryRunFailed',
          at: '2m',
          fires: ['discovery', 'fresh'].map((pipeline) => ({
            labels: { job: 'tradewatch', pipeline },
            description: `Pipeline ${pipeline} ended its latest run with status failed; it stays failed until a run completes.`,
          })),
        },
      ],
    },
    {
      name: 'no candidates for 3 consecutive runs; fallback',
      series: {
        [series('tradewatch_pipeline_consecutive_empty_runs', { pipeline: 'discovery' })]: '2 3',
        [series('tradewatch_pipeline_fallback_active', { pipeline: 'discovery' })]: '0 1',
      },
      alerts: [
        { alert: 'TradewatchDiscoveryNoCandidates', at: '0m', fires: [] },
        {
          alert: 'TradewatchDiscoveryNoCandidates',
          at: '1m',
          fires: [
            {
              labels: P,
              description:
                'Pipeline discovery produced no candidates in 3 consecutive runs (threshold 3).',
            },
          ],
        },
        { alert: 'TradewatchDiscoveryFallbackActive', at: '0m', fires: [] },
        {
          alert: 'TradewatchDiscoveryFallbackActive',
          at: '1m',
          fires: [
            {
              labels: P,
              description:
                'The latest run of pipeline discovery used its fallback path (fallback_detected in the run report).',
            },
          ],
        },
      ],
    },
    {
      name: 'stage p95 over its budget for 15m',
      series: { ...stageBuckets('within', 96), ...stageBuckets('over', 0) },
      alerts: [
        { alert: 'TradewatchDiscoveryStageSlow', at: '15m', fires: [] },
        {
          alert: 'TradewatchDiscoveryStageSlow',
          at: '16m',
          fires: [
            {
              labels: { ...P, stage: 'over' },
              description:
                'The p95 duration of stage over of pipeline discovery over 1h is 58.5s, over its 30s budget.',
            },
          ],
        },
      ],
      records: [
        {
          record: 'job_pipeline_stage:tradewatch_pipeline_stage_duration_seconds:p95_1h',
          at: '10m',
          samples: [
            { labels: { ...P, stage: 'over' }, value: 58.5 },
            { labels: { ...P, stage: 'within' }, value: 10 + (20 * 95) / 96 },
          ],
        },
      ],
    },
    {
      name: 'no finished run for an hour',
      series: {
        [series('tradewatch_pipeline_last_run_timestamp_seconds', { pipeline: 'discovery' })]:
          '0x61',
      },
      alerts: [
        { alert: 'TradewatchDiscoveryNoRecentRun', at: '60m', fires: [] },
        {
          alert: 'TradewatchDiscoveryNoRecentRun',
          at: '61m',
          fires: [
            {
              labels: P,
              description: 'Pipeline discovery last finished a run 1h 1m 0s ago (threshold 3600s).',
            },
          ],
        },
      ],
    },
  ],
};
