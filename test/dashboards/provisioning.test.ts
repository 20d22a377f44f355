import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (path: string) =>
  parse(
    readFileSync(new URL(`../../dashboards/provisioning/${path}`, import.meta.url), 'utf8'),
  ) as {
    datasources: { uid: string; type: string; jsonData?: Record<string, unknown> }[];
    providers: { type: string; allowUiUpdates: boolean }[];
  };

describe('Grafana provisioning', () => {
  it('links Prometheus exemplars to the Tempo data source by trace_id', () => {
    const { datasources } = read('datasources/tradewatch.yaml');
    const tempo = datasources.find((d) => d.type === 'tempo');
    const prometheus = datasources.find((d) => d.type === 'prometheus');
    expect(tempo).toBeDefined();
    expect(prometheus?.jsonData?.exemplarTraceIdDestinations).toEqual([
      { name: 'trace_id', datasourceUid: tempo!.uid },
    ]);
  });

  it('provides the dashboards from files, not editable in the UI', () => {
    const { providers } = read('dashboards/tradewatch.yaml');
    expect(providers).toEqual([expect.objectContaining({ type: 'file', allowUiUpdates: false })]);
  });
});
