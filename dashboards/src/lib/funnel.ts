import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardLinkBuilder,
  PanelBuilder,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { barGaugePanel, type PanelSpec } from './panels.js';
import { DATASOURCE, series, target } from './query.js';
import { exploreUrl } from './explore.js';
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
  if (type === 'bargauge') return barGaugePanel(spec).dataLinks([stageTracesLink()]);

  // The latest run's eliminations (a gauge): a rate of the counter at "now" would show reasons
  // only while a run had just ended.
  const eliminations = `sum by (pipeline, stage, reason) (${series('tradewatch_pipeline_stage_symbols_eliminated')})`;
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
    .description(
      `${DESCRIPTION} Bars are stacked by the reasons that run eliminated symbols for; click a stage for its traces.`,
    )
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .targets(targets)
    .span(12)
    .height(10)
    .dataLinks([stageTracesLink()])
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

/**
 * A click on a stage opens Explore on the dashboard's Prometheus with that stage's duration
 * buckets and their exemplars: each point is a run of the stage, the newest on the right, and
 * its trace_id opens the trace in Tempo (the exemplar link the datasource provisioning sets up).
 * The metrics carry no trace id label (it would be unbounded), and linking Tempo directly would
 * name its data source, which dashboards must not (CONVENTIONS.md).
 */
function stageTracesLink(): DashboardLinkBuilder {
  // The clicked bar's own series labels: exact matchers, no multi-value variable formatting.
  const labels = ['job', 'instance', 'pipeline', 'stage'];
  const stage = `tradewatch_pipeline_stage_duration_seconds_bucket{${labels
    .map((l) => `${l}="\${__field.labels.${l}}"`)
    .join(', ')}}`;
  const url = exploreUrl({
    expr: `sum by (le) (rate(${stage}[$__rate_interval]))`,
    exemplar: true,
    from: 'now-1h',
  });
  return new DashboardLinkBuilder('Traces of this stage (exemplars)').url(url).targetBlank(true);
}
