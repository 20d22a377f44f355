import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCSV } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { extractStages } from '../src/funnel/extract';
import { defaultOptions, type FunnelOptions } from '../src/types';
import pluginJson from '../src/plugin.json';
import { RUN } from './fixtures';

/**
 * provisioning/: the development dashboard must show document 000's run in the panel, from the
 * data source provisioned beside it (TestData CSV tables, parsed as Grafana parses them).
 */

// A path, not `new URL(..., import.meta.url)`: under jsdom that URL is not a file URL.
const PROVISIONING = path.resolve(import.meta.dirname, '../provisioning');
const read = (file: string) => readFileSync(path.join(PROVISIONING, file), 'utf8');

interface DevPanel {
  type: string;
  title: string;
  datasource: { uid: string };
  targets: { refId: string; csvContent: string; datasource: { uid: string } }[];
  options: Partial<FunnelOptions>;
}

const dashboard = JSON.parse(read('dashboards/funnel.json')) as { panels: DevPanel[] };
const { datasources } = parse(read('datasources/datasources.yml')) as {
  datasources: { uid: string; type: string }[];
};

describe('development provisioning', () => {
  it('queries the provisioned TestData data source from funnel panels', () => {
    expect(datasources.map((d) => d.type)).toEqual(['grafana-testdata-datasource']);
    for (const panel of dashboard.panels) {
      expect(panel.type).toBe(pluginJson.id);
      expect(panel.datasource.uid).toBe(datasources[0]!.uid);
      for (const t of panel.targets) expect(t.datasource.uid).toBe(datasources[0]!.uid);
    }
  });

  it.each(dashboard.panels.map((p) => [p.title, p] as const))(
    '%s: the panel finds every stage of the sample run with its reasons',
    (_title, panel) => {
      const frames = panel.targets.flatMap((t) =>
        readCSV(t.csvContent).map((frame) => ({ ...frame, refId: t.refId })),
      );
      const stages = extractStages(frames, { ...defaultOptions, ...panel.options });
      expect(
        stages.map((s) => ({ name: s.name, in: s.input, out: s.output, reasons: [...s.reasons] })),
      ).toEqual(
        RUN.map((s) => ({
          name: s.stage,
          in: s.input,
          out: s.output,
          reasons: Object.entries(s.reasons),
        })),
      );
    },
  );
});
