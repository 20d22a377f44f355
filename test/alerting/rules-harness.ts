import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * Builds `promtool test rules` files from compact case tables, one per component. The cases
 * say by hand what must fire, with which labels and which rendered description; the summary
 * and runbook link (plain strings, checked elsewhere) are copied from the generated rule so a
 * case does not repeat them.
 */
export const ROOT = join(import.meta.dirname, '..', '..');
export const RULES_DIR = join(ROOT, 'alert-rules');
export const RULE_FILES = ['recording.yml', 'alerts.yml'].map((f) => join(RULES_DIR, f));

export interface GeneratedAlert {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleGroup<R> {
  name: string;
  rules: R[];
}

function readGroups<R>(file: string): RuleGroup<R>[] {
  return (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: RuleGroup<R>[] }).groups;
}

export const generatedAlerts = (): GeneratedAlert[] =>
  readGroups<GeneratedAlert>('alerts.yml').flatMap((g) => g.rules);

/** The labels Prometheus gives a generated alert with no labels of its own (e.g. the Watchdog). */
export function generatedAlertLabels(alert: string): Record<string, string> {
  const rule = generatedAlerts().find((a) => a.alert === alert);
  if (!rule) throw new Error(`alerts.yml has no alert ${alert}`);
  return { alertname: rule.alert, ...rule.labels };
}

export const generatedRecords = (): { record: string; expr: string }[] =>
  readGroups<{ record: string; expr: string }>('recording.yml').flatMap((g) => g.rules);

/** An alert expected to fire: its own labels (besides alertname, severity, component). */
export interface Firing {
  labels: Record<string, string>;
  description: string;
}

export interface AlertCase {
  alert: string;
  at: string;
  /** Empty: the alert must not be firing at `at` (pending does not count). */
  fires: Firing[];
}

export interface RecordCase {
  record: string;
  at: string;
  samples: { labels: Record<string, string>; value: number }[];
}

export interface CaseGroup {
  /** What the group shows, printed by promtool on failure. */
  name: string;
  interval?: string;
  series: Record<string, string>;
  alerts?: AlertCase[];
  records?: RecordCase[];
}

export interface ComponentCases {
  component: string;
  /** Rule evaluation step; finer than the default minute where a boundary needs it. */
  evaluationInterval?: string;
  groups: CaseGroup[];
}

/** A series selector with the labels every exporter series carries. */
export function series(metric: string, labels: Record<string, string> = {}): string {
  const all = { job: 'tradewatch', instance: 'exporter:9473', ...labels };
  return `${metric}{${Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

function promqlLabels(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

/** The promtool test file for one component's cases. */
export function promtoolTestFile(cases: ComponentCases): string {
  const byName = new Map(generatedAlerts().map((a) => [a.alert, a]));
  const expected = (c: AlertCase) => {
    const rule = byName.get(c.alert);
    if (!rule) throw new Error(`case for unknown alert ${c.alert}`);
    return {
      eval_time: c.at,
      alertname: c.alert,
      exp_alerts: c.fires.map((f) => ({
        exp_labels: { ...rule.labels, ...f.labels },
        exp_annotations: { ...rule.annotations, description: f.description },
      })),
    };
  };
  return stringify({
    rule_files: RULE_FILES,
    evaluation_interval: cases.evaluationInterval ?? '1m',
    // promtool otherwise evaluates groups in map order: alerts on a recording rule would see
    // this step's or the previous step's value at random. Recording first, as the intent is.
    group_eval_order: ['recording.yml', 'alerts.yml'].flatMap((f) =>
      readGroups(f).map((g) => g.name),
    ),
    tests: cases.groups.map((g) => ({
      name: `${cases.component}: ${g.name}`,
      interval: g.interval ?? '1m',
      input_series: Object.entries(g.series).map(([s, values]) => ({ series: s, values })),
      alert_rule_test: (g.alerts ?? []).map(expected),
      promql_expr_test: (g.records ?? []).map((r) => ({
        expr: r.record,
        eval_time: r.at,
        exp_samples: r.samples.map((s) => ({
          labels: `${r.record}${promqlLabels(s.labels)}`,
          value: s.value,
        })),
      })),
    })),
  });
}

/** Not firing at `before`, firing at `at` with one alert: the shape of most cases here. */
export function boundary(
  alert: string,
  before: string,
  at: string,
  labels: Record<string, string>,
  description: string,
): AlertCase[] {
  return [
    { alert, at: before, fires: [] },
    { alert, at, fires: [{ labels, description }] },
  ];
}

export interface TestRuleTiming {
  /** Every group's evaluation interval, e.g. `1s`. */
  interval: string;
  /**
   * The `for` of each alert, given its generated `for` and name; undefined in or out means
   * none (the alert fires at the first evaluation that finds it). Default: as generated.
   */
  for?: (generated: string | undefined, alert: string) => string | undefined;
}

/**
 * A generated rule file (`alerts.yml`, `recording.yml`) re-rendered for a live test: shorter
 * group intervals and `for` durations, every expression, label and annotation as generated.
 */
export function renderRulesForTest(file: string, timing: TestRuleTiming): string {
  const groups = readGroups<Record<string, unknown>>(file).map((g) => ({
    ...g,
    interval: timing.interval,
    rules: g.rules.map((r) => {
      if (typeof r.alert !== 'string' || !timing.for) return r;
      const { for: generated, ...rest } = r as { for?: string };
      const wanted = timing.for(generated, r.alert);
      return wanted === undefined ? rest : { ...r, for: wanted };
    }),
  }));
  return stringify({ groups });
}
