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
});
