/**
 * Browser harness for the built panel: plays the part of Grafana for one panel. It provides
 * the modules Grafana shares with plugins (React, @grafana/*, @emotion/css) to the AMD
 * dist/module.js through `define`, applies the field config, and renders the plugin's panel
 * with a Grafana theme inside a panel-sized frame. The scenario comes from the query string:
 * `?scenario=run|links|empty|single|zero|nan&theme=dark|light&layout=horizontal|vertical`.
 */
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import { createTheme, type DataFrame, type PanelPlugin, ThemeContext } from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';

import type { FunnelLayout, FunnelOptions } from '../../src/types';
import { perStageFrames, seriesFrame } from '../fixtures';
import { fieldConfigWith, panelProps } from '../panelProps';
import { registerStandardEditors } from '../registries';

type Factory = (...deps: unknown[]) => unknown;
type AmdExports = { plugin?: PanelPlugin<FunnelOptions> };

const SHARED: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
};

const STAGE_ORDER =
  'universe_loading, price_filtering, volume_filtering, squeeze_detection, final_ranking';
const WIDTH = 760;
const HEIGHT = 340;

function frames(scenario: string): DataFrame[] {
  switch (scenario) {
    case 'empty':
      return [];
    case 'single':
      return [seriesFrame('A', { stage: 'universe_loading' }, [2847])];
    case 'zero':
      return [
        seriesFrame(
          'A',
          { __name__: 'tradewatch_pipeline_stage_symbols_input', stage: 'universe_loading' },
          [0],
        ),
        seriesFrame(
          'B',
          { __name__: 'tradewatch_pipeline_stage_symbols_output', stage: 'universe_loading' },
          [0],
        ),
        seriesFrame(
          'B',
          { __name__: 'tradewatch_pipeline_stage_symbols_output', stage: 'price_filtering' },
          [0],
        ),
      ];
    case 'nan':
      return [
        seriesFrame('B', { stage: 'universe_loading' }, [2847]),
        seriesFrame('B', { stage: 'price_filtering' }, [Number.NaN]),
        seriesFrame('B', { stage: 'volume_filtering' }, [87]),
      ];
    default:
      return perStageFrames();
  }
}

function links(scenario: string) {
  const trace = {
    title: 'Trace of the last run',
    url: `${location.origin}/trace/\${__field.labels.stage}`,
  };
  if (scenario === 'links') {
    return [
      trace,
      { title: 'Stage logs', url: `${location.origin}/logs/\${__field.labels.stage}` },
    ];
  }
  return [trace];
}

function render(plugin: PanelPlugin<FunnelOptions>): void {
  const params = new URLSearchParams(location.search);
  const scenario = params.get('scenario') ?? 'run';
  const theme = createTheme({
    colors: { mode: params.get('theme') === 'light' ? 'light' : 'dark' },
  });
  const layout: FunnelLayout = params.get('layout') === 'vertical' ? 'vertical' : 'horizontal';
  const Panel = plugin.panel;
  if (!Panel) throw new Error('dist/module.js exports a plugin without a panel');

  document.body.style.background = theme.colors.background.canvas;
  document.body.style.color = theme.colors.text.primary;
  document.body.style.fontFamily = theme.typography.fontFamily;

  const fieldConfig = fieldConfigWith(plugin, { links: links(scenario) });
  // The discovery dashboard lists its stages, as a zero-everywhere run has no size order.
  const options = { layout, ordering: 'configured' as const, stageOrder: STAGE_ORDER };
  const props = panelProps(plugin, frames(scenario), theme, options, fieldConfig, {
    width: WIDTH,
    height: HEIGHT,
  });
  const chrome: React.CSSProperties = {
    width: WIDTH + 16,
    padding: 8,
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  };
  const title: React.CSSProperties = {
    fontSize: theme.typography.h6.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    margin: '0 0 8px',
  };
  const root = document.getElementById('root');
  if (!root) throw new Error('harness page has no #root');
  createRoot(root).render(
    <ThemeContext.Provider value={theme}>
      <grafanaUi.GlobalStyles />
      <div style={chrome} data-testid="panel-chrome">
        <h2 style={title}>Discovery funnel</h2>
        <Panel {...props} />
      </div>
    </ThemeContext.Provider>,
  );
}

function fail(error: unknown): void {
  document.body.dataset['harnessError'] = String(error);
  throw error;
}

/** The one-module AMD loader Grafana's SystemJS amounts to for a plugin without chunks. */
function define(deps: string[], factory: Factory): void {
  try {
    const exports: AmdExports = {};
    const resolved = deps.map((d) => {
      if (d === 'exports') return exports;
      if (!(d in SHARED))
        throw new Error(`dist/module.js needs "${d}", which Grafana does not share`);
      return SHARED[d];
    });
    const returned = factory(...resolved) as AmdExports | undefined;
    const plugin = returned?.plugin ?? exports.plugin;
    if (!plugin) throw new Error('dist/module.js does not export `plugin`');
    render(plugin);
  } catch (error) {
    fail(error);
  }
}
define.amd = {};

registerStandardEditors();
Object.assign(window, { define });
const script = document.createElement('script');
script.src = '/dist/module.js';
script.onerror = () => fail(new Error('could not load /dist/module.js'));
document.head.append(script);
