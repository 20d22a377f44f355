import { config, selector } from '../../mixin/config.js';
import { maxBy, percent } from './promql.js';
import { componentRules, type RecordingRule } from './rule.js';

/** The learning loop: ranking quality (document 003) and missed opportunities (document 000). */
const l = config.learning;
const RANKING = ['strategy', 'k', 'horizon'];

const precision = maxBy('tradewatch_ranking_precision_at_k_ratio', RANKING);

/** precision@K averaged over the window: the baseline the drop is measured against. */
const precisionAverage: RecordingRule = {
  record: `job_strategy_k_horizon:tradewatch_ranking_precision_at_k_ratio:avg_over_time${l.precisionDrop.window}`,
  expr:
    `max by (job, ${RANKING.join(', ')})` +
    ` (avg_over_time(${selector('tradewatch_ranking_precision_at_k_ratio')}[${l.precisionDrop.window}]))`,
};

export const learning = componentRules(
  'learning',
  [
    {
      name: 'PrecisionAtKDropped',
      policy: l.precisionDrop,
      expr: `${precision} < ${1 - l.precisionDrop.threshold} * ${precisionAverage.record}`,
      summary: 'Ranking precision@K fell well below its own recent average.',
      description:
        'precision@{{ $labels.k }} of strategy {{ $labels.strategy }} at horizon' +
        ' {{ $labels.horizon }} is {{ $value | humanizePercentage }}, more than' +
        ` ${percent(l.precisionDrop.threshold)} below its ${l.precisionDrop.window} average.`,
    },
    {
      // Document 000 fires per opportunity (potential_return > 50): the window's largest peak
      // return is over the threshold exactly when one opportunity is, with one series per job.
      name: 'MissedOpportunity',
      policy: l.missedOpportunity,
      expr:
        `${maxBy('tradewatch_recommendation_missed_opportunity_max_potential_return_ratio', [])}` +
        ` > ${l.missedOpportunity.threshold}`,
      summary: 'A recommendation that was not bought went on to a large gain.',
      description:
        'A recommendation not bought peaked {{ $value | humanizePercentage }} above its discovery' +
        ` price within the tracking window, over ${percent(l.missedOpportunity.threshold)};` +
        ' see GET /learning/missed-opportunities.',
    },
  ],
  [precisionAverage],
);
