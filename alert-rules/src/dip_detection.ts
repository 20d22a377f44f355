import { config } from '../../mixin/config.js';
import { maxBy } from './promql.js';
import { componentRules } from './rule.js';

/** Buy-the-dip detection (document 000 section 3): informational, recorded not paged. */
export const dipDetection = componentRules('dip_detection', [
  {
    name: 'BuyTheDipCandidate',
    policy: config.dipDetection.buyTheDipCandidate,
    expr: `${maxBy('tradewatch_position_dip_candidate', ['engine', 'symbol'])} == 1`,
    summary: 'A held position is a buy-the-dip candidate.',
    description:
      'Position {{ $labels.symbol }} of engine {{ $labels.engine }} is down to its dip threshold' +
      ' while its thesis is still strong; see GET /dip-detection/portfolio-analysis.',
  },
]);
