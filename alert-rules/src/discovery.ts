import { config, selector } from '../../mixin/config.js';
import { ageBy, maxBy } from './promql.js';
import { componentRules, type RecordingRule } from './rule.js';

/** The discovery pipeline (document 000 section 1): runs, candidates, stage latency. */
const d = config.discovery;
const PIPELINE = ['pipeline'];

/** Per-stage duration quantile over the window: the dashboards' latency panel uses it too. */
const stageLatency: RecordingRule = {
  record:
    `job_pipeline_stage:tradewatch_pipeline_stage_duration_seconds:` +
    `p${Math.round(d.stageLatency.quantile * 100)}_${d.stageLatency.window}`,
  expr:
    `histogram_quantile(${d.stageLatency.quantile}, sum by (job, pipeline, stage, le)` +
    ` (rate(${selector('tradewatch_pipeline_stage_duration_seconds_bucket')}[${d.stageLatency.window}])))`,
};

const lastRun = maxBy('tradewatch_pipeline_last_run_timestamp_seconds', PIPELINE);
const lastSuccess = maxBy('tradewatch_pipeline_last_success_timestamp_seconds', PIPELINE);

export const discovery = componentRules(
  'discovery',
  [
    {
      name: 'DiscoveryRunFailed',
      policy: d.runFailed,
      // A pipeline that never succeeded has no success timestamp: its failed run counts too.
      expr: `${lastRun} > ${lastSuccess} or (${lastRun} unless ${lastSuccess})`,
      summary: 'The latest discovery pipeline run failed.',
      description:
        'Pipeline {{ $labels.pipeline }} ended its latest run with status failed;' +
        ' it stays failed until a run completes.',
    },
    {
      name: 'DiscoveryNoCandidates',
      policy: d.noCandidates,
      expr: `${maxBy('tradewatch_pipeline_consecutive_empty_runs', PIPELINE)} >= ${d.noCandidates.threshold}`,
      summary: 'The discovery pipeline found no candidates in several consecutive runs.',
      description:
        'Pipeline {{ $labels.pipeline }} produced no candidates in {{ $value }} consecutive runs' +
        ` (threshold ${d.noCandidates.threshold}).`,
    },
    {
      name: 'DiscoveryStageSlow',
      policy: d.stageLatency,
      expr: `${stageLatency.record} > ${d.stageLatency.threshold}`,
      summary: 'A discovery pipeline stage is slower than its latency budget.',
      description:
        `The p${Math.round(d.stageLatency.quantile * 100)} duration of stage {{ $labels.stage }}` +
        ` of pipeline {{ $labels.pipeline }} over ${d.stageLatency.window} is` +
        ` {{ $value | humanizeDuration }}, over its ${d.stageLatency.threshold}s budget.`,
    },
    {
      name: 'DiscoveryFallbackActive',
      policy: d.fallbackActive,
      expr: `${maxBy('tradewatch_pipeline_fallback_active', PIPELINE)} == 1`,
      summary: 'The discovery pipeline fell back to its degraded path.',
      description:
        'The latest run of pipeline {{ $labels.pipeline }} used its fallback path' +
        ' (fallback_detected in the run report).',
    },
    {
      name: 'DiscoveryNoRecentRun',
      policy: d.noRecentRun,
      expr: `${ageBy('tradewatch_pipeline_last_run_timestamp_seconds', PIPELINE)} > ${d.noRecentRun.threshold}`,
      summary: 'The discovery pipeline has not finished a run for too long.',
      description:
        'Pipeline {{ $labels.pipeline }} last finished a run {{ $value | humanizeDuration }} ago' +
        ` (threshold ${d.noRecentRun.threshold}s).`,
    },
  ],
  [stageLatency],
);
