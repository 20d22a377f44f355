import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { MetricRegistry } from '../../src/metrics/registry.js';
import { RankingCollector } from '../../src/ranking/collector.js';
import { evaluationSettings, type QualitySnapshot } from '../../src/ranking/evaluate.js';
import { rankingMetrics } from '../../src/ranking/metrics.js';
import { QualitySource } from '../../src/ranking/source.js';
import type { Queryable } from '../../src/storage/database.js';

const snapshot = (strategy: string, precision: number, recall: number): QualitySnapshot => ({
  computedAtSeconds: 1_760_000_000,
  groups: [
    {
      strategy,
      horizonDays: 7,
      evaluatedLists: 2,
      pendingLists: 1,
      listsWithoutRelevant: 2,
      evaluatedItems: 9,
      unpricedItems: 3,
      atK: [{ k: 5, precision, recall, hitRate: 0, ndcg: recall, map: recall }],
    },
  ],
});

function setup() {
  const registry = new MetricRegistry({ maxSeriesPerMetric: 100, maxLabelValueLength: 128 });
  const families = registry.registerAll(rankingMetrics);
  const source = new QualitySource(evaluationSettings(parseConfig({}).ranking));
  return { registry, collector: new RankingCollector(families, source) };
}

/** The ranking families' samples (the registry's own overflow counter left out). */
const samples = async (registry: MetricRegistry): Promise<string[]> =>
  (await registry.renderToString('text')).split('\n').filter((l) => /^tradewatch_ranking_/.test(l));

describe('RankingCollector', () => {
  it('exports a snapshot, leaving out undefined means', async () => {
    const { registry, collector } = setup();
    collector.show(snapshot('momentum', 0.2, NaN));
    expect(await samples(registry)).toEqual([
      'tradewatch_ranking_evaluated_lists{strategy="momentum",horizon="7d"} 2',
      'tradewatch_ranking_pending_lists{strategy="momentum",horizon="7d"} 1',
      'tradewatch_ranking_lists_without_relevant_items{strategy="momentum",horizon="7d"} 2',
      'tradewatch_ranking_evaluated_items{strategy="momentum",horizon="7d"} 9',
      'tradewatch_ranking_unpriced_items{strategy="momentum",horizon="7d"} 3',
      'tradewatch_ranking_precision_at_k_ratio{strategy="momentum",k="5",horizon="7d"} 0.2',
      'tradewatch_ranking_hit_rate_at_k_ratio{strategy="momentum",k="5",horizon="7d"} 0',
    ]);
  });

  it('replaces the previous snapshot whole, and clears when this replica stops leading', async () => {
    const { registry, collector } = setup();
    collector.show(snapshot('momentum', 0.2, 0.5));
    collector.show(snapshot('value', 0.4, 1));
    const now = await samples(registry);
    expect(now.some((l) => l.includes('momentum'))).toBe(false);
    expect(now).toContain(
      'tradewatch_ranking_recall_at_k_ratio{strategy="value",k="5",horizon="7d"} 1',
    );
    collector.clear();
    expect(await samples(registry)).toEqual([]);
  });
});

describe('QualitySource', () => {
  /** A database with no lists that counts the queries it answers. */
  const emptyDb = () => {
    const db = {
      queries: 0,
      query<T>(): Promise<T[]> {
        db.queries++;
        return Promise.resolve([]);
      },
      exec: () => Promise.resolve(),
    };
    return db;
  };
  const settings = evaluationSettings(parseConfig({}).ranking);

  it('reuses a snapshot younger than the maximum age, and shares one computation', async () => {
    let clock = 1000;
    const source = new QualitySource(settings, () => clock);
    const db = emptyDb();
    const [a, b] = await Promise.all([
      source.get(db as unknown as Queryable, 15),
      source.get(db as unknown as Queryable, 15),
    ]);
    expect(a).toBe(b);
    expect(db.queries).toBe(1); // the lists query; no lists, so no price query
    clock += 14;
    expect(await source.get(db as unknown as Queryable, 15)).toBe(a);
    clock += 1;
    const c = await source.get(db as unknown as Queryable, 15);
    expect(c.computedAtSeconds).toBe(1015);
    expect(db.queries).toBe(2);
    // The collector always computes anew, and what it computed is what readers get next.
    const d = await source.refresh(db as unknown as Queryable);
    expect(await source.get(db as unknown as Queryable, 15)).toBe(d);
  });
});
