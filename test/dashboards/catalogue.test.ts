import { describe, expect, it } from 'vitest';
import { allDefinitions } from '../../exporter/src/metrics/catalogue.js';
import { generatedRecords } from '../alerting/rules-harness.js';
import { allTargets } from './load.js';
import { selectedMetrics } from './promql.js';

/** Series a histogram family exposes besides its name. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

function exposedNames(): Set<string> {
  const names = new Set<string>();
  for (const def of allDefinitions()) {
    names.add(def.name);
    if (def.type === 'histogram') for (const s of HISTOGRAM_SUFFIXES) names.add(def.name + s);
  }
  return names;
}

describe('dashboard metrics', () => {
  it('every tradewatch_ series a dashboard names is in the exporter catalogue', () => {
    const known = exposedNames();
    const unknown = allTargets().flatMap((t) =>
      selectedMetrics(t.expr)
        .filter((m) => m.startsWith('tradewatch_') && !known.has(m))
        .map((m) => `${t.where}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('names recorded series (level:metric:operations) only of alert-rules/recording.yml', () => {
    const records = new Set(generatedRecords().map((r) => r.record));
    const named = allTargets().flatMap((t) =>
      selectedMetrics(t.expr).filter((m) => m.includes(':')),
    );
    // The drawdown, stage latency and data-source panels draw what their alerts compare.
    expect(named.length).toBeGreaterThanOrEqual(4);
    expect(named.filter((m) => !records.has(m))).toEqual([]);
  });

  it('names no other series than the catalogue, Node.js/process defaults and Prometheus own', () => {
    const others = allTargets().flatMap((t) =>
      selectedMetrics(t.expr).filter((m) => !m.startsWith('tradewatch_') && !m.includes(':')),
    );
    for (const m of others)
      expect(m).toMatch(/^(ALERTS|nodejs_|process_|scrape_duration_seconds$)/);
  });
});
