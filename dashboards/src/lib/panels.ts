import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
  VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardLinkBuilder,
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Threshold,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import type { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE } from './query.js';

/**
 * What every panel must have (CONVENTIONS.md, dashboard-linter): a title, a description that
 * says what the numbers mean, a unit, and queries on the `datasource` variable.
 */
export interface PanelSpec {
  title: string;
  description: string;
  /** A Grafana unit id: `s`, `percentunit`, `short`, `bytes`, `reqps`, `none`... */
  unit: string;
  targets: DataqueryBuilder[];
  /** Grid columns out of 24 (default 8). */
  width?: number;
  /** Grid rows (default 8). */
  height?: number;
  /** Colour steps from the lowest: `[['green', null], ['red', 0.05]]`. */
  thresholds?: Step[];
  mappings?: ValueMapping[];
  min?: number;
  max?: number;
  /** Dashboards (by uid) this panel drills down to. */
  drilldown?: { title: string; uid: string }[];
}

export type Step = [color: string, from: number | null];

/** What the panel builders of the SDK have in common (they share no base class). */
interface CommonBuilder<B> extends cog.Builder<unknown> {
  title(title: string): B;
  description(description: string): B;
  unit(unit: string): B;
  datasource(ref: typeof DATASOURCE): B;
  targets(targets: cog.Builder<cog.Dataquery>[]): B;
  span(width: number): B;
  height(height: number): B;
  thresholds(thresholds: cog.Builder<unknown>): B;
  mappings(mappings: ValueMapping[]): B;
  min(min: number): B;
  max(max: number): B;
  links(links: cog.Builder<unknown>[]): B;
}

const REF_IDS = 'ABCDEFGHIJ';

/** Applies the spec every panel kind shares; refIds are assigned for a stable JSON. */
function common<B extends CommonBuilder<B>>(builder: B, spec: PanelSpec): B {
  spec.targets.forEach((t, i) => t.refId(REF_IDS[i] ?? `Q${i}`));
  builder
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .targets(spec.targets)
    .span(spec.width ?? 8)
    .height(spec.height ?? 8);
  if (spec.thresholds) builder.thresholds(thresholds(spec.thresholds));
  if (spec.mappings) builder.mappings(spec.mappings);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.drilldown) {
    builder.links(
      spec.drilldown.map((d) =>
        new DashboardLinkBuilder(d.title).url(
          `/d/${d.uid}?\${__url_time_range}&\${__all_variables}`,
        ),
      ),
    );
  }
  return builder;
}

function thresholds(steps: Step[]): ThresholdsConfigBuilder {
  const list: Threshold[] = steps.map(([color, value]) => ({ color, value }));
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

/** 0/1 gauges (up, active, leader) read as words with a colour. */
export function booleanMapping(zero: [string, string], one: [string, string]): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: {
        '0': { text: zero[0], color: zero[1], index: 0 },
        '1': { text: one[0], color: one[1], index: 1 },
      },
    },
  ];
}

const legend = (): VizLegendOptionsBuilder =>
  new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom);

export interface TimeseriesSpec extends PanelSpec {
  stacked?: boolean;
  bars?: boolean;
  /** Series (by legend) drawn as dashed red limit lines: the exporter's published thresholds. */
  limits?: string[];
  /** Draw `thresholds` as dashed lines on the graph. */
  showThresholds?: boolean;
}

export function timeseriesPanel(spec: TimeseriesSpec): timeseries.PanelBuilder {
  const panel = common(new timeseries.PanelBuilder(), spec).legend(legend()).fillOpacity(10);
  if (spec.stacked) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (spec.bars) panel.drawStyle(GraphDrawStyle.Bars).fillOpacity(80);
  if (spec.showThresholds) {
    panel.thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
    );
  }
  for (const name of spec.limits ?? []) {
    panel.overrideByName(name, [
      { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
    ]);
  }
  return panel;
}

const lastValue = (): ReduceDataOptionsBuilder =>
  new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

export function statPanel(spec: PanelSpec & { sparkline?: boolean }): stat.PanelBuilder {
  return common(new stat.PanelBuilder(), spec)
    .reduceOptions(lastValue())
    .colorMode(BigValueColorMode.Background)
    .graphMode(spec.sparkline ? BigValueGraphMode.Area : BigValueGraphMode.None);
}

export function gaugePanel(spec: PanelSpec): gauge.PanelBuilder {
  return common(new gauge.PanelBuilder(), spec)
    .reduceOptions(lastValue())
    .showThresholdMarkers(true);
}

export function barGaugePanel(spec: PanelSpec): bargauge.PanelBuilder {
  return common(new bargauge.PanelBuilder(), spec)
    .reduceOptions(lastValue())
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal)
    .showUnfilled(true);
}

export function tablePanel(spec: PanelSpec): table.PanelBuilder {
  // Instant queries in table format: one row per series, its labels as columns.
  return common(new table.PanelBuilder(), spec).withTransformation({
    id: 'merge',
    options: {},
  });
}

export function heatmapPanel(spec: PanelSpec): heatmap.PanelBuilder {
  return common(new heatmap.PanelBuilder(), spec).showLegend().exemplarsColor('orange');
}

export function stateTimelinePanel(spec: PanelSpec): statetimeline.PanelBuilder {
  return common(new statetimeline.PanelBuilder(), spec).legend(legend());
}
