import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './lib/dashboard.js';
import { barGaugePanel, statPanel, tablePanel, timeseriesPanel } from './lib/panels.js';
import { rate, series, snapshotQuantile, target } from './lib/query.js';
import { UID } from './lib/uids.js';

const instant = { instant: true };

/** A ranking-quality metric at K over time, one line per strategy, K and horizon. */
function atK(title: string, metric: string, meaning: string) {
  return timeseriesPanel({
    title,
    description: `${meaning} Lists count once their horizon has matured (docs/ranking.md).`,
    unit: 'percentunit',
    min: 0,
    max: 1,
    targets: [target(series(metric), '{{strategy}} @{{k}} {{horizon}}')],
    width: 12,
  });
}

/** Documents 000 (section 2, 3) and 003: recommendation tracking, precision@K and buy-the-dip. */
export function recommendations(): Dashboard {
  return buildDashboard({
    uid: UID.recommendations,
    title: 'tradewatch / Recommendations',
    description:
      'Ranking quality at K by strategy, recommendation outcomes and returns, missed opportunities and buy-the-dip candidates.',
    tags: ['recommendations', 'learning'],
    from: 'now-7d',
    rows: [
      {
        title: 'Ranking quality',
        panels: [
          atK(
            'Precision@K',
            'tradewatch_ranking_precision_at_k_ratio',
            'Mean share of relevant items in the top K.',
          ),
          atK(
            'Recall@K',
            'tradewatch_ranking_recall_at_k_ratio',
            'Mean share of the relevant items found in the top K.',
          ),
          atK('NDCG@K', 'tradewatch_ranking_ndcg_at_k_ratio', 'Mean NDCG@K with binary relevance.'),
          atK(
            'Hit rate@K',
            'tradewatch_ranking_hit_rate_at_k_ratio',
            'Share of lists with at least one relevant item in the top K.',
          ),
          timeseriesPanel({
            title: 'Ranked lists',
            description:
              'Lists evaluated (horizon matured) and pending in the lookback window, by strategy and horizon.',
            unit: 'short',
            targets: [
              target(
                series('tradewatch_ranking_evaluated_lists'),
                'evaluated {{strategy}} {{horizon}}',
              ),
              target(
                series('tradewatch_ranking_pending_lists'),
                'pending {{strategy}} {{horizon}}',
              ),
            ],
            width: 12,
          }),
          timeseriesPanel({
            title: 'Lists received',
            description: 'Ranked lists accepted per second, by strategy.',
            unit: 'reqps',
            targets: [
              target(
                `sum by (strategy) (${rate('tradewatch_ranking_lists_received_total')})`,
                '{{strategy}}',
              ),
            ],
            width: 12,
          }),
        ],
      },
      {
        title: 'Outcomes and returns',
        panels: [
          barGaugePanel({
            title: 'Outcome categories',
            description:
              'Recommendations whose tracking period ended, by outcome category (peak return) and whether they were bought.',
            unit: 'short',
            targets: [
              target(
                `sum by (outcome, bought) (${series('tradewatch_recommendation_outcomes')})`,
                '{{outcome}} (bought {{bought}})',
                instant,
              ),
            ],
            width: 8,
          }),
          timeseriesPanel({
            title: 'Returns by horizon',
            description:
              'Median and p90 return of tracked recommendations at each checkpoint since discovery (0.25 = +25%).',
            unit: 'percentunit',
            targets: [0.5, 0.9].map((q) =>
              target(
                snapshotQuantile(q, 'tradewatch_recommendation_return_ratio', 'horizon'),
                `p${q * 100} {{horizon}}`,
              ),
            ),
            width: 8,
          }),
          timeseriesPanel({
            title: 'Open recommendations',
            description:
              'Recommendations inside their tracking period, by whether they were bought.',
            unit: 'short',
            targets: [
              target(
                `sum by (bought) (${series('tradewatch_recommendations_open')})`,
                'open (bought {{bought}})',
              ),
            ],
            width: 8,
          }),
          statPanel({
            title: 'Missed opportunities',
            description:
              'Recommendations not bought whose peak return reached the missed-opportunity threshold, within the window.',
            unit: 'short',
            targets: [target(series('tradewatch_recommendation_missed_opportunities'), 'missed')],
            sparkline: true,
            width: 6,
            height: 5,
          }),
          statPanel({
            title: 'Missed potential return',
            description:
              'Sum of the peak returns of those missed opportunities (document 000 total_potential_return).',
            unit: 'percentunit',
            targets: [
              target(
                series('tradewatch_recommendation_missed_opportunity_potential_return_ratio'),
                'potential',
              ),
            ],
            sparkline: true,
            width: 6,
            height: 5,
          }),
          statPanel({
            title: 'Missed-opportunity window',
            description:
              'The missed-opportunity figures count recommendations discovered within this window.',
            unit: 's',
            targets: [
              target(
                series('tradewatch_recommendation_missed_opportunity_window_seconds'),
                'window',
                instant,
              ),
            ],
            width: 6,
            height: 5,
          }),
          timeseriesPanel({
            title: 'Recommendations received',
            description:
              'Recommendations accepted for tracking per second, by whether they were bought.',
            unit: 'reqps',
            targets: [
              target(
                `sum by (bought) (${rate('tradewatch_recommendations_received_total')})`,
                'bought {{bought}}',
              ),
            ],
            width: 6,
            height: 5,
          }),
        ],
      },
      {
        title: 'Buy the dip',
        panels: [
          timeseriesPanel({
            title: 'Dip candidates',
            description:
              'Held positions that are buy-the-dip candidates (return at or below the dip threshold with a strong enough thesis).',
            unit: 'short',
            targets: [target(series('tradewatch_position_dip_candidates'), '{{engine}}')],
            width: 8,
          }),
          tablePanel({
            title: 'Held positions',
            description:
              'Each held position: return since entry, thesis strength (0 to 1) and whether it is a dip candidate (1).',
            unit: 'none',
            targets: [
              target(series('tradewatch_position_return_ratio'), 'return', {
                instant: true,
                format: 'table',
              }),
              target(series('tradewatch_position_thesis_strength_score'), 'thesis', {
                instant: true,
                format: 'table',
              }),
              target(series('tradewatch_position_dip_candidate'), 'dip', {
                instant: true,
                format: 'table',
              }),
            ],
            width: 16,
          }),
        ],
      },
    ],
  });
}
