import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { funnelPanel } from './lib/funnel.js';
import { booleanMapping, heatmapPanel, statPanel, timeseriesPanel } from './lib/panels.js';
import { age, increase, quantile, series, target } from './lib/query.js';
import { recorded } from './lib/recorded.js';
import { settings } from './lib/settings.js';
import { UID } from './lib/uids.js';

const { noCandidates, stageLatency, noRecentRun } = settings.discovery;
const instant = { instant: true };
const stageLatencyPercentile = Math.round(stageLatency.quantile * 100);

/** Document 000 section 1: the discovery pipeline from ~3,000 symbols to a few candidates. */
export function pipeline(): Dashboard {
  return buildDashboard({
    uid: UID.pipeline,
    title: 'tradewatch / Discovery pipeline',
    description:
      'Discovery runs: the funnel, stage durations with trace exemplars, eliminations, run outcomes and candidates.',
    tags: ['pipeline'],
    rows: [
      {
        title: 'Latest run',
        panels: [
          funnelPanel(),
          statPanel({
            title: 'Final candidates',
            description: 'Candidates the latest finished run produced (output of its last stage).',
            unit: 'short',
            targets: [target(series('tradewatch_pipeline_final_candidates'), '{{pipeline}}')],
            thresholds: [
              ['red', null],
              ['green', 1],
            ],
            sparkline: true,
            width: 4,
            height: 5,
          }),
          statPanel({
            title: 'Consecutive empty runs',
            description: `Finished runs in a row without a candidate; the alert fires at ${noCandidates.threshold} (document 000 section 1.3).`,
            unit: 'short',
            targets: [
              target(series('tradewatch_pipeline_consecutive_empty_runs'), '{{pipeline}}', instant),
            ],
            thresholds: [
              ['green', null],
              ['orange', 1],
              ['red', noCandidates.threshold],
            ],
            width: 4,
            height: 5,
          }),
          statPanel({
            title: 'Since the last run',
            description: `Time since the latest finished run (completed or failed); red past ${noRecentRun.threshold} s.`,
            unit: 's',
            targets: [
              target(
                age('tradewatch_pipeline_last_run_timestamp_seconds'),
                '{{pipeline}}',
                instant,
              ),
            ],
            thresholds: [
              ['green', null],
              ['red', noRecentRun.threshold],
            ],
            width: 4,
            height: 5,
          }),
          statPanel({
            title: 'Health score',
            description: 'Health score (0 to 1) the pipeline reported for its latest finished run.',
            unit: 'percentunit',
            targets: [target(series('tradewatch_pipeline_health_score'), '{{pipeline}}')],
            thresholds: [
              ['red', null],
              ['orange', 0.5],
              ['green', 0.8],
            ],
            sparkline: true,
            width: 6,
            height: 5,
          }),
          statPanel({
            title: 'Fallback path',
            description: 'Whether the latest finished run fell back to a degraded path.',
            unit: 'none',
            targets: [
              target(series('tradewatch_pipeline_fallback_active'), '{{pipeline}}', instant),
            ],
            mappings: booleanMapping(['Normal', 'green'], ['FALLBACK', 'orange']),
            width: 6,
            height: 5,
          }),
        ],
      },
      {
        title: 'Durations',
        panels: [
          timeseriesPanel({
            title: `Stage duration p${stageLatencyPercentile} over ${stageLatency.window}`,
            description: `Quantile ${stageLatency.quantile} of each stage's duration over the last ${stageLatency.window}: the recorded series the stage latency alert compares with its ${stageLatency.threshold} s budget (dashed line). The heatmap beside it has the trace exemplars.`,
            unit: 's',
            targets: [
              target(
                recorded(
                  'tradewatch_pipeline_stage_duration_seconds',
                  `p${stageLatencyPercentile}_${stageLatency.window}`,
                ),
                '{{pipeline}} {{stage}}',
              ),
            ],
            thresholds: [
              ['green', null],
              ['red', stageLatency.threshold],
            ],
            showThresholds: true,
            width: 12,
          }),
          heatmapPanel({
            title: 'Stage durations',
            description:
              'Distribution of all stage durations per interval (histogram buckets), with trace exemplars.',
            unit: 's',
            targets: [
              target(
                `sum by (le) (${increase('tradewatch_pipeline_stage_duration_seconds_bucket')})`,
                '{{le}}',
                { format: 'heatmap', exemplar: true },
              ),
            ],
            width: 12,
          }),
          timeseriesPanel({
            title: 'Run duration',
            description:
              'Median and p95 wall-clock duration of finished runs, with trace exemplars.',
            unit: 's',
            targets: [0.5, 0.95].map((q) =>
              target(
                quantile(q, 'tradewatch_pipeline_run_duration_seconds', 'pipeline'),
                `p${q * 100} {{pipeline}}`,
                {
                  exemplar: true,
                },
              ),
            ),
            width: 12,
          }),
          timeseriesPanel({
            title: 'Runs by status',
            description: 'Finished runs per interval, completed or failed.',
            unit: 'short',
            targets: [
              target(
                `sum by (pipeline, status) (${increase('tradewatch_pipeline_runs_total')})`,
                '{{pipeline}} {{status}}',
              ),
            ],
            bars: true,
            stacked: true,
            width: 12,
          }),
        ],
      },
      {
        title: 'Eliminations and candidates',
        panels: [
          timeseriesPanel({
            title: 'Eliminations by stage and reason',
            description: 'Symbols eliminated per interval, by stage and elimination reason.',
            unit: 'short',
            targets: [
              target(
                `sum by (stage, reason) (${increase('tradewatch_pipeline_stage_eliminations_total')})`,
                '{{stage}}: {{reason}}',
              ),
            ],
            stacked: true,
            width: 12,
          }),
          timeseriesPanel({
            title: 'Stage errors and failures',
            description: 'Errors reported by stages, and stages that ended failed, per interval.',
            unit: 'short',
            targets: [
              target(
                `sum by (stage) (${increase('tradewatch_pipeline_stage_errors_total')})`,
                'errors {{stage}}',
              ),
              target(
                `sum by (stage) (${increase('tradewatch_pipeline_stage_failures_total')})`,
                'failed {{stage}}',
              ),
            ],
            width: 12,
          }),
          timeseriesPanel({
            title: 'Candidates and empty runs',
            description: `Final candidates of each run, and the count of consecutive empty runs against the alert threshold (${noCandidates.threshold}).`,
            unit: 'short',
            targets: [
              target(series('tradewatch_pipeline_final_candidates'), 'candidates {{pipeline}}'),
              target(
                series('tradewatch_pipeline_consecutive_empty_runs'),
                'empty runs {{pipeline}}',
              ),
            ],
            thresholds: [
              ['green', null],
              ['red', noCandidates.threshold],
            ],
            showThresholds: true,
            width: 24,
          }),
        ],
      },
    ],
  });
}
