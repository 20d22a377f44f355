import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { PanelBuilder, type Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { barGaugePanel, type PanelSpec } from './panels.js';
import { DATASOURCE, series, target } from './query.js';
import { settings } from './settings.js';

export type FunnelPanelType = typeof settings.funnelPanel;

const DESCRIPTION =
  'Symbols entering each stage of the latest finished run: the universe narrowed down to the candidates.';

/**
 * The discovery funnel. With the `tradewatch-funnel-panel` plugin it gets stage inputs,
 * outputs and eliminations (its options name the queries); without it a bar gauge of the stage
 * inputs, widest first, tells the same story.
 */
export function funnelPanel(type: FunnelPanelType = settings.funnelPanel): cog.Builder<Panel> {
  const input = target(
    `sort_desc(${series('tradewatch_pipeline_stage_symbols_input')})`,
    '{{stage}}',
    {
      instant: true,
    },
  );
  const spec: PanelSpec = {
    title: 'Discovery funnel',
    description: DESCRIPTION,
    unit: 'short',
    targets: [input],
    width: 12,
    height: 10,
  };
  if (type === 'bargauge') return barGaugePanel(spec);

  const eliminations = `sum by (pipeline, stage, reason) (increase(${series('tradewatch_pipeline_stage_eliminations_total')}[$__rate_interval]))`;
  const targets = [
    input.refId('INPUT'),
    target(series('tradewatch_pipeline_stage_symbols_output'), '{{stage}}', {
      instant: true,
      refId: 'OUTPUT',
    }),
    target(eliminations, '{{stage}} {{reason}}', { instant: true, refId: 'ELIMINATIONS' }),
  ];
  return new PanelBuilder()
    .type(type)
    .title(spec.title)
    .description(`${DESCRIPTION} Eliminations by reason over the last rate interval.`)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .targets(targets)
    .span(12)
    .height(10)
    .options({
      layout: 'horizontal',
      ordering: 'size',
      stageOrder: '',
      showReasons: true,
      percentages: ['fromPrevious', 'fromFirst', 'dropOff'],
      stageLabel: 'stage',
      reasonLabel: 'reason',
      inputQuery: 'INPUT',
      outputQuery: 'OUTPUT',
      eliminationsQuery: 'ELIMINATIONS',
    });
}
