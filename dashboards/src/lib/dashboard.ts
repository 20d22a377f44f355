import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { settings } from './settings.js';
import { DATASOURCE } from './query.js';

/** Every tradewatch dashboard carries this tag; the links menu lists dashboards by it. */
export const BUNDLE_TAG = 'tradewatch';

export interface Row {
  title: string;
  panels: cog.Builder<Panel>[];
}

export interface DashboardSpec {
  /** Stable: links, bookmarks and provisioning refer to dashboards by uid. */
  uid: string;
  title: string;
  description: string;
  tags: string[];
  rows: Row[];
  /** Default time range (default the last 6 hours). */
  from?: string;
}

/**
 * The `job` and `instance` variables: multi-select with "All" as the regex `.+`, so every query
 * can match `job=~"$job"` whatever is selected. The job list is narrowed by the shared selector,
 * the same one the alert rules use, so only tradewatch jobs are offered.
 */
function targetVariables(): QueryVariableBuilder[] {
  const variable = (name: string, label: string, query: string) =>
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query({ query, refId: `${name}-variable` })
      .definition(query)
      .multi(true)
      .includeAll(true)
      .allValue('.+')
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc);
  const info = 'tradewatch_build_info';
  return [
    variable('job', 'Job', `label_values(${info}{${settings.selector}}, job)`),
    variable('instance', 'Instance', `label_values(${info}{job=~"$job"}, instance)`),
  ];
}

/** A dashboard with the bundle's variables, links, defaults and panel ids. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([BUNDLE_TAG, ...spec.tags])
    // Provisioned from generated JSON: edits in the UI would be lost on the next deploy.
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: spec.from ?? 'now-6h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    )
    .link(
      new DashboardLinkBuilder('tradewatch')
        .type(DashboardLinkType.Dashboards)
        .tags([BUNDLE_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  for (const variable of targetVariables()) builder.withVariable(variable);
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  const dashboard = builder.build();
  // Ids in layout order: stable across regenerations, and what `viewPanel=` links use.
  dashboard.panels?.forEach((panel, i) => (panel.id = i + 1));
  return dashboard;
}
