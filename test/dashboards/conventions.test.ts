import { describe, expect, it } from 'vitest';
import { allTargets, generatedDashboards, panelsOf, type DashboardJson } from './load.js';
import { bareMetrics, matcherBlocks, rateCalls, totalsOutsideRates } from './promql.js';

/**
 * The dashboard rules of ../shared/CONVENTIONS.md (grafana/dashboard-linter's), checked on the
 * committed JSON, which is what Grafana provisions.
 */
const dashboards = [...generatedDashboards()];
const targets = allTargets();

/** Pinned: a uid change breaks every saved link and bookmark, so it must be deliberate. */
const UIDS: Record<string, string> = {
  'overview.json': 'tradewatch-overview',
  'pipeline.json': 'tradewatch-pipeline',
  'trading.json': 'tradewatch-trading',
  'drift.json': 'tradewatch-model-drift',
  'recommendations.json': 'tradewatch-recommendations',
  'alerts.json': 'tradewatch-alerts',
  'exporter.json': 'tradewatch-exporter',
};

/** Current React panels; the funnel plugin of grafana-plugin/ is one too. */
const PANEL_TYPES = new Set([
  'timeseries',
  'stat',
  'gauge',
  'bargauge',
  'table',
  'heatmap',
  'state-timeline',
  'text',
  'tradewatch-funnel-panel',
]);

const variable = (d: DashboardJson, name: string) => d.templating.list.find((v) => v.name === name);

describe('generated dashboards', () => {
  it('are the pinned set, each with its stable, unique uid', () => {
    expect(Object.fromEntries(dashboards.map(([file, d]) => [file, d.uid]))).toEqual(UIDS);
  });

  it.each(dashboards)('%s has one `datasource` variable of type prometheus', (_file, d) => {
    const datasources = d.templating.list.filter((v) => v.type === 'datasource');
    expect(datasources.map((v) => [v.name, v.query])).toEqual([['datasource', 'prometheus']]);
  });

  it.each(dashboards)('%s has multi-select job and instance variables with All = .+', (_f, d) => {
    for (const name of ['job', 'instance']) {
      expect(variable(d, name), name).toMatchObject({
        type: 'query',
        multi: true,
        includeAll: true,
        allValue: '.+',
      });
    }
  });

  it.each(dashboards)('%s is provisioned read-only, tagged and linked to the others', (_f, d) => {
    expect(d.editable).toBe(false);
    expect(d.tags).toContain('tradewatch');
    expect(d.links).toContainEqual(
      expect.objectContaining({ type: 'dashboards', tags: ['tradewatch'] }),
    );
  });

  it.each(dashboards)('%s: every panel has a title, a description and a unit', (_f, d) => {
    for (const panel of panelsOf(d)) {
      expect(panel.title, JSON.stringify(panel).slice(0, 80)).toBeTruthy();
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.fieldConfig?.defaults?.unit, panel.title).toBeTruthy();
    }
  });

  it.each(dashboards)('%s uses current React panels only', (_f, d) => {
    for (const panel of panelsOf(d)) expect(PANEL_TYPES, panel.title).toContain(panel.type);
  });

  it('names no data source uid: every reference is the `datasource` variable', () => {
    const refs: unknown[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'datasource' && typeof value === 'object') refs.push(value);
          walk(value);
        }
      }
    };
    dashboards.forEach(([, d]) => walk(d));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('has queries', () => {
    expect(targets.length).toBeGreaterThan(50);
    for (const t of targets) expect(t.expr, t.where).not.toBe('');
  });
});

describe.each(targets.map((t) => [t.where, t] as const))('query %s', (_where, t) => {
  it('selects every series by the job and instance variables', () => {
    expect(bareMetrics(t.expr)).toEqual([]);
    const blocks = matcherBlocks(t.expr);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(block).toMatch(/\bjob=~"\$job\b/);
      expect(block).toMatch(/\binstance=~"\$instance\b/);
    }
  });

  it('uses $__rate_interval in every rate, irate and increase', () => {
    for (const call of rateCalls(t.expr))
      expect(call.ranges, call.text).toEqual(['$__rate_interval']);
  });

  it('reads counters (_total) only inside rate, irate or increase', () => {
    expect(totalsOutsideRates(t.expr)).toEqual([]);
  });

  it('is on the `datasource` variable', () => {
    expect(t.target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('asks for exemplars when it reads a duration histogram', () => {
    if (/_seconds_bucket\b/.test(t.expr)) expect(t.target.exemplar).toBe(true);
  });
});
