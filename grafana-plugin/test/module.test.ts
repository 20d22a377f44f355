import { FieldConfigProperty, PanelOptionsEditorBuilder } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import { plugin } from '../src/module';
import { defaultOptions, type FunnelOptions } from '../src/types';
import pluginJson from '../src/plugin.json';

function editors() {
  const builder = new PanelOptionsEditorBuilder<FunnelOptions>();
  plugin.getPanelOptionsSupplier()(builder, { data: [] });
  return builder.getItems();
}

describe('plugin', () => {
  it('has the id and a Grafana dependency', () => {
    expect(pluginJson.id).toBe('tradewatch-funnel-panel');
    expect(pluginJson.type).toBe('panel');
    expect(pluginJson.dependencies.grafanaDependency).toMatch(/^>=\d+/);
  });

  it('offers an editor for every option, with the documented defaults', () => {
    const items = editors();
    expect(items.map((i) => i.path).sort()).toEqual(Object.keys(defaultOptions).sort());
    for (const item of items) {
      expect(item.defaultValue).toEqual(defaultOptions[item.path as keyof FunnelOptions]);
    }
  });

  it('shows the stage list only for the configured order', () => {
    const stageOrder = editors().find((i) => i.path === 'stageOrder')!;
    expect(stageOrder.showIf?.({ ...defaultOptions, ordering: 'size' }, undefined)).toBe(false);
    expect(stageOrder.showIf?.({ ...defaultOptions, ordering: 'configured' }, undefined)).toBe(
      true,
    );
  });

  it('keeps only thresholds and links among the standard field options', () => {
    const ids = plugin.fieldConfigRegistry.list().map((i) => i.id);
    expect(ids).toContain(FieldConfigProperty.Thresholds);
    expect(ids).toContain(FieldConfigProperty.Links);
    expect(ids).not.toContain(FieldConfigProperty.Unit);
    expect(plugin.fieldConfigDefaults.defaults.thresholds?.steps.map((s) => s.color)).toEqual([
      'green',
      'orange',
      'red',
    ]);
  });
});
