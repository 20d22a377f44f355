import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { render } from '../../dashboards/src/render.js';
import { funnelPanel } from '../../dashboards/src/lib/funnel.js';
import { GENERATED_DIR, generatedDashboards } from './load.js';

describe('dashboards/generated', () => {
  it('is what `npm run dashboards` writes from dashboards/src (regenerate and commit)', async () => {
    const files = await render();
    expect(Object.keys(files).sort()).toEqual([...generatedDashboards().keys()].sort());
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(`${GENERATED_DIR}${name}`, 'utf8'), name).toBe(text);
    }
  });
});

describe('the funnel panel switch', () => {
  it('is a bar gauge of the stage inputs by default', () => {
    const panel = funnelPanel('bargauge').build();
    expect(panel.type).toBe('bargauge');
    expect(panel.targets).toHaveLength(1);
  });

  it('feeds the plugin stage inputs, outputs and eliminations by refId', () => {
    const panel = funnelPanel('tradewatch-funnel-panel').build();
    expect(panel.type).toBe('tradewatch-funnel-panel');
    expect((panel.targets as { refId?: string }[]).map((t) => t.refId)).toEqual([
      'INPUT',
      'OUTPUT',
      'ELIMINATIONS',
    ]);
    expect(panel.options).toMatchObject({
      inputQuery: 'INPUT',
      outputQuery: 'OUTPUT',
      eliminationsQuery: 'ELIMINATIONS',
    });
  });

  it("stacks the latest run's eliminations (a gauge), not a rate at the time of the query", () => {
    const panel = funnelPanel('tradewatch-funnel-panel').build();
    const targets = panel.targets as { refId?: string; expr?: string }[];
    const eliminations = targets.find((t) => t.refId === 'ELIMINATIONS')?.expr ?? '';
    expect(eliminations).toContain('tradewatch_pipeline_stage_symbols_eliminated{');
    expect(eliminations).not.toMatch(/rate\(|increase\(|_total/);
  });

  it.each(['bargauge', 'tradewatch-funnel-panel'] as const)(
    '%s links each stage to its duration exemplars (traces) in Explore',
    (type) => {
      const links = funnelPanel(type).build().fieldConfig?.defaults?.links ?? [];
      expect(links).toHaveLength(1);
      const url = new URL(links[0]!.url!, 'http://grafana');
      expect(url.pathname).toBe('/explore');
      const panes = JSON.parse(url.searchParams.get('panes')!) as {
        a: { datasource: string; queries: { expr: string; exemplar: boolean }[] };
      };
      expect(panes.a.datasource).toBe('${datasource}');
      const [query] = panes.a.queries;
      expect(query!.exemplar).toBe(true);
      expect(query!.expr).toContain('tradewatch_pipeline_stage_duration_seconds_bucket{');
      expect(query!.expr).toContain('stage="${__field.labels.stage}"');
      expect(query!.expr).toContain('[$__rate_interval]');
    },
  );
});
