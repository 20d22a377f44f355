import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { components } from '../../alert-rules/src/index.js';
import { renderAll } from '../../alert-rules/src/generate.js';
import { allDefinitions } from '../../exporter/src/metrics/catalogue.js';
import { promtool } from '../helpers/promtool.js';
import { componentCases } from './cases/index.js';
import {
  generatedAlerts,
  generatedRecords,
  promtoolTestFile,
  RULE_FILES,
  RULES_DIR,
} from './rules-harness.js';

describe('generated rules', () => {
  it('are what `npm run rules` generates (run it and commit the result)', async () => {
    for (const [name, text] of Object.entries(renderAll())) {
      expect(await readFile(join(RULES_DIR, name), 'utf8'), name).toBe(text);
    }
  });

  it('pass `promtool check rules`', async () => {
    const run = await promtool(['check', 'rules', ...RULE_FILES]);
    expect(run.output).not.toMatch(/FAILED|WARNING/);
    expect(run.code, run.output).toBe(0);
  });

  it('carry severity, component, summary, description and a runbook link', () => {
    const componentNames = components.map((c) => c.component);
    for (const a of generatedAlerts()) {
      expect(a.alert).toMatch(/^Tradewatch[A-Z][A-Za-z0-9]+$/);
      // `none` is for the always-firing Watchdog only: it is plumbing, not a finding.
      const severities = a.expr === 'vector(1)' ? ['none'] : ['critical', 'warning', 'info'];
      expect(severities, a.alert).toContain(a.labels.severity);
      expect(componentNames, a.alert).toContain(a.labels.component);
      expect(a.annotations.summary, a.alert).toMatch(/^[A-Z][^{}]*\.$/);
      expect(a.annotations.description, a.alert).toMatch(/\S/);
      expect(a.annotations.runbook_url, a.alert).toMatch(
        new RegExp(`/docs/runbooks\\.md#${a.alert.toLowerCase()}$`),
      );
    }
  });

  it('name only tradewatch_ metrics that the exporter catalogue defines', () => {
    const known = new Set(
      allDefinitions().flatMap((d) =>
        d.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => d.name + s) : [d.name],
      ),
    );
    const rules = [...generatedAlerts(), ...generatedRecords()];
    const missing = rules.flatMap((r) =>
      // Recording-rule names (level:metric:operations) are ours, not the exporter's.
      [...r.expr.replace(/[a-z_]*:[a-z0-9_:]+/g, '').matchAll(/\btradewatch_[a-z0-9_]+/g)]
        .map((m) => m[0])
        .filter((name) => !known.has(name))
        .map((name) => `${'alert' in r ? r.alert : r.record}: ${name}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('rule tests', () => {
  it('cover every alert firing and not firing, and every recording rule', () => {
    const groups = componentCases.flatMap((c) => c.groups);
    const cases = groups.flatMap((g) => g.alerts ?? []);
    const recorded = new Set(groups.flatMap((g) => g.records ?? []).map((r) => r.record));
    const gaps = [
      ...generatedAlerts().flatMap((a) => {
        const own = cases.filter((c) => c.alert === a.alert);
        return [
          ...(own.some((c) => c.fires.length > 0) ? [] : [`${a.alert}: no case where it fires`]),
          // The watchdog has no "inside": it fires always, by design.
          ...(a.expr === 'vector(1)' || own.some((c) => c.fires.length === 0)
            ? []
            : [`${a.alert}: no case where it must not fire`]),
        ];
      }),
      ...generatedRecords()
        .filter((r) => !recorded.has(r.record))
        .map((r) => `${r.record}: no promql_expr_test`),
    ];
    expect(gaps).toEqual([]);
    expect(componentCases.map((c) => c.component).sort()).toEqual(
      components.map((c) => c.component).sort(),
    );
  });

  describe('promtool test rules', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tradewatch-rules-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it.each(componentCases.map((c) => [c.component, c] as const))('%s', async (name, cases) => {
      const file = join(dir, `${name}.test.yml`);
      await writeFile(file, promtoolTestFile(cases));
      const run = await promtool(['test', 'rules', file]);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('SUCCESS');
    });
  });
});
