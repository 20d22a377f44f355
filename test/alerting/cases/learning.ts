import { boundary, series, type ComponentCases } from '../rules-harness.js';

const precision = (strategy: string) =>
  series('tradewatch_ranking_precision_at_k_ratio', { strategy, k: '10', horizon: '7d' });
const rankingLabels = (strategy: string) => ({
  job: 'tradewatch',
  strategy,
  k: '10',
  horizon: '7d',
});

export const learning: ComponentCases = {
  component: 'learning',
  groups: [
    {
      // Ten hours at 0.5, then one value: it fires below 0.8 x the 7d average (which includes
      // it), i.e. below 0.4 x 10 / 10.2 = 0.3922.
      name: 'precision@K against its own 7d average',
      interval: '1h',
      series: {
        [precision('flat')]: '0.5x10',
        [precision('inside')]: '0.5x9 0.4',
        [precision('dropped')]: '0.5x9 0.39',
      },
      alerts: [
        { alert: 'TradewatchPrecisionAtKDropped', at: '9h', fires: [] },
        {
          alert: 'TradewatchPrecisionAtKDropped',
          at: '10h',
          fires: [
            {
              labels: rankingLabels('dropped'),
              description:
                'precision@10 of strategy dropped at horizon 7d is 39%, more than 20% below its 7d average.',
            },
          ],
        },
      ],
      records: [
        {
          record: 'job_strategy_k_horizon:tradewatch_ranking_precision_at_k_ratio:avg_over_time7d',
          at: '9h',
          samples: ['dropped', 'flat', 'inside'].map((s) => ({
            labels: rankingLabels(s),
            value: 0.5,
          })),
        },
      ],
    },
    {
      // Document 000: potential_return > 50, per opportunity. Three opportunities of 30%, 25%
      // and 20% sum past 50% but none is over it; then one reaches exactly 50%, then 51%.
      name: 'a missed opportunity over the configured return, not their sum',
      series: {
        [series('tradewatch_recommendation_missed_opportunities')]: '3 4 4',
        [series('tradewatch_recommendation_missed_opportunity_potential_return_ratio')]:
          '0.75 1.25 1.26',
        [series('tradewatch_recommendation_missed_opportunity_max_potential_return_ratio')]:
          '0.3 0.5 0.51',
      },
      alerts: [
        { alert: 'TradewatchMissedOpportunity', at: '0m', fires: [] },
        ...boundary(
          'TradewatchMissedOpportunity',
          '1m',
          '2m',
          { job: 'tradewatch' },
          'A recommendation not bought peaked 51% above its discovery price within the tracking window, over 50%; see GET /learning/missed-opportunities.',
        ),
      ],
    },
  ],
};
