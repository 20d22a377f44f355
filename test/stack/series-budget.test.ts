/**
 * docs/scaling.md's series budget is generated from the metric catalogue by
 * scripts/series-budget.ts: the doc must be current (as docs/metrics.md is), and every label
 * of every catalogue family must have a domain in the script, so that a new family or label
 * changes the budget instead of being left out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDefinitions } from '../../exporter/src/metrics/catalogue.js';
import {
  BEGIN,
  END,
  SHAPES,
  budget,
  familySeries,
  labelValues,
  renderedDoc,
} from '../../scripts/series-budget.js';
import { REPO_ROOT } from '../helpers/process.js';

const DOC = join(REPO_ROOT, 'docs', 'scaling.md');

describe('series budget (docs/scaling.md)', () => {
  it('is current (run `npx tsx scripts/series-budget.ts --write` after changing the catalogue)', () => {
    const text = readFileSync(DOC, 'utf8');
    expect(text).toContain(BEGIN);
    expect(text).toContain(END);
    expect(text).toBe(renderedDoc(text));
  });

  it('knows the values of every label of every family', () => {
    const unknown: string[] = [];
    for (const def of allDefinitions()) {
      for (const label of def.labelNames) {
        try {
          labelValues(def.name, label, SHAPES[0]!);
        } catch (err) {
          unknown.push((err as Error).message);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('counts histograms as buckets + 3 series per label set', () => {
    const shape = SHAPES[0]!;
    const stage = allDefinitions().find(
      (d) => d.name === 'tradewatch_pipeline_stage_duration_seconds',
    )!;
    expect(familySeries(stage, shape)).toBe(
      shape.pipelines * shape.stagesPerPipeline * (stage.buckets!.length + 3),
    );
  });

  it('grows with the deployment, and leader-only families do not multiply with replicas', () => {
    const [small, medium, large] = SHAPES.map(budget);
    expect(small!.total).toBeLessThan(medium!.total);
    expect(medium!.total).toBeLessThan(large!.total);
    const bigger = { ...SHAPES[2]!, replicas: SHAPES[2]!.replicas + 1 };
    expect(budget(bigger).total - large!.total).toBe(large!.perReplica - large!.leaderOnly);
  });
});
