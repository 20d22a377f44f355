import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The parts of a generated dashboard the tests read (the JSON as Grafana receives it). */
export interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: TargetJson[];
  panels?: PanelJson[];
}

export interface TargetJson {
  refId?: string;
  expr?: string;
  instant?: boolean;
  range?: boolean;
  exemplar?: boolean;
  format?: string;
  datasource?: { type?: string; uid?: string };
}

export interface VariableJson {
  name: string;
  type: string;
  query?: string | { query: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}

export interface DashboardJson {
  uid: string;
  title: string;
  tags: string[];
  editable: boolean;
  panels: PanelJson[];
  templating: { list: VariableJson[] };
  links?: { type: string; tags?: string[] }[];
}

export const GENERATED_DIR = fileURLToPath(new URL('../../dashboards/generated/', import.meta.url));

/** Every committed dashboard, by file name. */
export function generatedDashboards(): Map<string, DashboardJson> {
  const files = readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.json'));
  return new Map(
    files.map((f) => [
      f,
      JSON.parse(readFileSync(`${GENERATED_DIR}${f}`, 'utf8')) as DashboardJson,
    ]),
  );
}

/** Panels without rows, including those folded into collapsed rows. */
export function panelsOf(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

export interface LocatedTarget {
  where: string;
  panel: PanelJson;
  target: TargetJson;
  expr: string;
}

/** Every query of every panel, with a name for messages (`file › panel › refId`). */
export function allTargets(): LocatedTarget[] {
  return [...generatedDashboards()].flatMap(([file, dashboard]) =>
    panelsOf(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        where: `${file} › ${panel.title} › ${target.refId}`,
        panel,
        target,
        expr: target.expr ?? '',
      })),
    ),
  );
}
