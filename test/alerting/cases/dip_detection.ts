import { series, type ComponentCases } from '../rules-harness.js';

export const dipDetection: ComponentCases = {
  component: 'dip_detection',
  groups: [
    {
      name: 'a position becomes a buy-the-dip candidate',
      series: {
        [series('tradewatch_position_dip_candidate', { engine: 'live', symbol: 'QUBT' })]: '0 1',
        [series('tradewatch_position_dip_candidate', { engine: 'live', symbol: 'AAPL' })]: '0 0',
      },
      alerts: [
        { alert: 'TradewatchBuyTheDipCandidate', at: '0m', fires: [] },
        {
          alert: 'TradewatchBuyTheDipCandidate',
          at: '1m',
          fires: [
            {
              labels: { job: 'tradewatch', engine: 'live', symbol: 'QUBT' },
              description:
                'Position QUBT of engine live is down to its dip threshold while its thesis is still strong; see GET /dip-detection/portfolio-analysis.',
            },
          ],
        },
      ],
    },
  ],
};
