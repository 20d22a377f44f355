/**
 * What Grafana does before a panel renders, done by hand for tests and the browser harness:
 * field config defaults and overrides applied (which attaches data links and display
 * processors), variables interpolated, and the props a panel receives.
 */
import {
  applyFieldOverrides,
  type DataFrame,
  dateTime,
  EventBusSrv,
  type FieldConfigSource,
  type GrafanaTheme2,
  LoadingState,
  type PanelPlugin,
  type PanelProps,
  type ScopedVars,
} from '@grafana/data';

import { defaultOptions, type FunnelOptions } from '../src/types';

/** The plugin under test: the source module in unit tests, the built dist/module.js in the browser. */
type FunnelPlugin = PanelPlugin<FunnelOptions>;

/**
 * Grafana's template service resolves `${__field.labels.x}` from the data context a link
 * carries; this covers that one form, which is what a per-stage link needs.
 */
export function replaceVariables(text: string, scopedVars?: ScopedVars): string {
  const context = scopedVars?.['__dataContext']?.value as
    { field?: { labels?: Record<string, string> } } | undefined;
  return text.replace(
    /\$\{__field\.labels\.([\w]+)\}/g,
    (_, key: string) => context?.field?.labels?.[key] ?? '',
  );
}

export function fieldConfigWith(
  plugin: FunnelPlugin,
  defaults: FieldConfigSource['defaults'] = {},
): FieldConfigSource {
  return { defaults: { ...plugin.fieldConfigDefaults.defaults, ...defaults }, overrides: [] };
}

export function panelProps(
  plugin: FunnelPlugin,
  frames: DataFrame[],
  theme: GrafanaTheme2,
  options: Partial<FunnelOptions> = {},
  fieldConfig: FieldConfigSource = fieldConfigWith(plugin),
  size = { width: 800, height: 360 },
): PanelProps<FunnelOptions> {
  const series = applyFieldOverrides({
    data: frames,
    fieldConfig,
    fieldConfigRegistry: plugin.fieldConfigRegistry,
    replaceVariables,
    theme,
    timeZone: 'utc',
  });
  const now = dateTime();
  const timeRange = { from: now, to: now, raw: { from: 'now-1h', to: 'now' } };
  return {
    id: 1,
    title: 'Discovery funnel',
    data: { state: LoadingState.Done, series, timeRange },
    options: { ...defaultOptions, ...options },
    fieldConfig,
    width: size.width,
    height: size.height,
    timeRange,
    timeZone: 'utc',
    transparent: false,
    renderCounter: 0,
    replaceVariables,
    onOptionsChange: () => undefined,
    onFieldConfigChange: () => undefined,
    onChangeTimeRange: () => undefined,
    eventBus: new EventBusSrv(),
  };
}
