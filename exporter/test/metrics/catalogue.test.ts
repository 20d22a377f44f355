import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDefinitions } from '../../src/metrics/catalogue.js';
import { checkDefinition } from '../../src/metrics/definition.js';
import { renderMetricsDoc } from '../../src/metrics/docs.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const names = new Set(allDefinitions().map((d) => d.name));
/**
 * The metric part of every recording rule (`level:metric:operations`): the dashboards' sources
 * name it to build the rule's name (test/dashboards checks those names exist).
 */
const recordedParts = new Set(
  [
    ...readFileSync(join(ROOT, 'alert-rules', 'recording.yml'), 'utf8').matchAll(
      /record: [^:\s]+:([^:\s]+):/g,
    ),
  ].map((m) => m[1] as string),
);

/** Files whose `tradewatch_*` names must all be in the catalogue (rules, dashboards, docs). */
function referencingFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    if (!existsSync(join(ROOT, dir))) return;
    for (const entry of readdirSync(join(ROOT, dir))) {
      const path = join(dir, entry);
      if (entry === 'node_modules' || entry === 'dist') continue;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (/\.(md|ya?ml|json|ts)$/.test(entry) && path !== join('docs', 'metrics.md'))
        files.push(path);
    }
  };
  for (const dir of ['docs', 'alert-rules', 'dashboards']) walk(dir);
  return files;
}

describe('metric catalogue', () => {
  it('follows the naming conventions and has no duplicate names', () => {
    const defs = allDefinitions();
    expect(defs.flatMap(checkDefinition)).toEqual([]);
    expect(names.size).toBe(defs.length);
    expect(defs.every((d) => d.name.startsWith('tradewatch_'))).toBe(true);
  });

  it('is what docs/metrics.md says (run `npm run docs` after changing it)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8')).toBe(renderMetricsDoc());
  });

  it('holds every metric that the README, docs, rules and dashboards name', () => {
    const unknown: string[] = [];
    for (const file of referencingFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // Recording rules (`level:tradewatch_x:operations`) name results, not exporter metrics.
      for (const [name] of text.matchAll(/(?<![\w:])tradewatch_[a-z0-9_]*[a-z0-9](?![\w:])/g)) {
        const family = name.replace(/_(bucket|sum|count)$/, '');
        if (!names.has(name) && !names.has(family) && !recordedParts.has(name))
          unknown.push(`${file}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
