/**
 * docs/runbooks.md is written by hand, so it can drift from what it describes. These checks tie
 * it to the sources: every alert (rule or manual) has its section, every number quoted in prose
 * is one of mixin/config.ts's, and every metric, recording rule, alert and `tradewatch metrics`
 * argument quoted in code exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { config, durationSeconds, type Duration } from '../../mixin/config.js';
import { percent } from '../../alert-rules/src/promql.js';
import { MANUAL_ALERTNAMES } from '../../exporter/src/alerts/manual.js';
import { allDefinitions } from '../../exporter/src/metrics/catalogue.js';
import { generatedAlerts, generatedRecords, ROOT } from './rules-harness.js';

const INTRO = '(before the first section)';

/** The runbook by section: the text under each `## Name` heading, the intro under INTRO. */
function sections(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'docs', 'runbooks.md'), 'utf8');
  const parts = text.split(/^## (\S+)$/m);
  const bySection = new Map([[INTRO, parts[0] ?? '']]);
  for (let i = 1; i < parts.length; i += 2) bySection.set(parts[i] ?? '', parts[i + 1] ?? '');
  return bySection;
}

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const SECONDS_PER = { s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>;

/**
 * The quantities quoted in prose (code spans left out), normalised: `5%`; durations in seconds
 * (`15 minutes`, `7-day`, `30 s` -> `900s`, `604800s`, `30s`); counts (`3 or more`,
 * `more than 2` -> `x3`, `x2`); quantiles (`p95`). Each pattern's matches are removed before
 * the next runs, so `more than 20%` is a percentage, not a count.
 */
const PATTERNS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/\b(\d+(?:\.\d+)?)%/g, (m) => `${m[1]}%`],
  [
    /\b(\d+(?:\.\d+)?)[\s-]+(s|seconds?|minutes?|hours?|days?)\b/g,
    (m) => `${Number(m[1]) * SECONDS_PER[m[2]![0]!]!}s`,
  ],
  [/\bp(\d{2})\b/g, (m) => `p${m[1]}`],
  [/\b(\d+) or more\b|\bmore than (\d+)\b/g, (m) => `x${m[1] ?? m[2]}`],
];

function quantities(text: string): string[] {
  let prose = text.replace(/`[^`]*`/g, ' ');
  const found = new Set<string>();
  for (const [pattern, normalise] of PATTERNS) {
    for (const m of prose.matchAll(pattern)) found.add(normalise(m));
    prose = prose.replace(pattern, ' ');
  }
  return [...found].sort();
}

const seconds = (d: Duration): string => `${durationSeconds(d)}s`;
const count = (n: number): string => `x${n}`;
const quantile = (q: number): string => `p${Math.round(q * 100)}`;

/** What each section may quote, from the config; a section not listed quotes no number. */
const c = config;
const escalation = seconds(c.routing.discoveryEscalationDelay);
const QUOTED: Record<string, string[]> = {
  [INTRO]: [escalation],
  TradewatchDiscoveryNoCandidates: [count(c.discovery.noCandidates.threshold), escalation],
  TradewatchDiscoveryStageSlow: [
    quantile(c.discovery.stageLatency.quantile),
    seconds(c.discovery.stageLatency.window),
    `${c.discovery.stageLatency.threshold}s`,
    seconds(c.discovery.stageLatency.for),
  ],
  TradewatchDiscoveryNoRecentRun: [`${c.discovery.noRecentRun.threshold}s`],
  TradewatchPrecisionAtKDropped: [
    percent(c.learning.precisionDrop.threshold),
    seconds(c.learning.precisionDrop.window),
  ],
  TradewatchMissedOpportunity: [percent(c.learning.missedOpportunity.threshold)],
  TradewatchDrawdownShortWindow: [
    percent(c.trading.drawdownShort.threshold),
    seconds(c.trading.drawdownShort.window),
  ],
  TradewatchDrawdownLongWindow: [
    percent(c.trading.drawdownLong.threshold),
    seconds(c.trading.drawdownLong.window),
  ],
  TradewatchConnectivityLost: [seconds(c.trading.connectivityLost.for)],
  TradewatchApiRateLimited: [
    count(c.trading.apiRateLimited.threshold),
    seconds(c.trading.apiRateLimited.window),
  ],
  TradewatchApiAuthenticationFailures: [
    count(c.trading.apiAuthFailures.threshold),
    seconds(c.trading.apiAuthFailures.window),
  ],
  TradewatchDataSourceStale: [count(c.trading.dataSourceStale.threshold)],
  TradewatchModelFeatureDrift: [percent(c.model.featureDrift.threshold)],
  TradewatchModelPerformanceDegraded: [percent(c.model.performanceDegraded.threshold)],
  TradewatchExporterDown: [seconds(c.systemHealth.exporterDown.for)],
  TradewatchStorageDown: [seconds(c.systemHealth.storageDown.for)],
  TradewatchIngestRejectionsHigh: [
    percent(c.systemHealth.ingestRejections.threshold),
    seconds(c.windows.rate),
    seconds(c.systemHealth.ingestRejections.for),
  ],
  TradewatchCardinalityOverflow: [seconds(c.systemHealth.cardinalityOverflow.window)],
  TradewatchSpansDropped: [seconds(c.systemHealth.spansDropped.window)],
  TradewatchPipelineAlert: [escalation],
};

const manualAlerts = Object.values(MANUAL_ALERTNAMES);

describe('docs/runbooks.md', () => {
  const runbook = sections();

  it('has a section for every generated and every manual alert', () => {
    const wanted = [...generatedAlerts().map((a) => a.alert), ...manualAlerts];
    expect(wanted.filter((name) => !runbook.has(name))).toEqual([]);
    expect(Object.keys(QUOTED).filter((name) => !runbook.has(name))).toEqual([]);
  });

  it.each([...sections().keys()])('%s quotes the numbers of mixin/config.ts', (name) => {
    expect(quantities(runbook.get(name)!)).toEqual([...new Set(QUOTED[name] ?? [])].sort());
  });

  it("names each generated alert's severity as the rule does", () => {
    const wrong = generatedAlerts().flatMap((a) => {
      const text = runbook.get(a.alert) ?? '';
      const said = [
        ...[...text.matchAll(/\b(Critical|Warning|Info):/g)].map((m) => m[1]!.toLowerCase()),
        ...[...text.matchAll(/\bSeverity `(\w+)`/g)].map((m) => m[1]!),
      ];
      return said.filter((s) => s !== a.labels.severity).map((s) => `${a.alert}: says ${s}`);
    });
    expect(wrong).toEqual([]);
  });

  it('quotes only metrics, recording rules and alerts that exist', () => {
    const families = new Set(
      allDefinitions().flatMap((d) =>
        d.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => d.name + s) : [d.name],
      ),
    );
    const records = new Set(generatedRecords().map((r) => r.record));
    const alerts = new Set([...generatedAlerts().map((a) => a.alert), ...manualAlerts]);
    const unknown = [...runbook].flatMap(([section, text]) =>
      codeSpans(text)
        .filter((span) => !span.startsWith('tradewatch metrics '))
        .flatMap((span) => {
          const recorded = [...span.matchAll(/[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/g)].map((m) => m[0]);
          const withoutRecords = span.replace(/[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/g, ' ');
          return [
            ...recorded.filter((r) => !records.has(r)),
            ...[...withoutRecords.matchAll(/\btradewatch_[a-z0-9_]+/g)]
              .map((m) => m[0])
              .filter((m) => !families.has(m)),
            ...[...span.matchAll(/\bTradewatch[A-Z]\w*/g)]
              .map((m) => m[0])
              .filter((a) => !alerts.has(a)),
          ];
        })
        .map((name) => `${section}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives `tradewatch metrics` only family names or prefixes that select a family', () => {
    const names = allDefinitions().map((d) => d.name);
    const selects = (arg: string) =>
      arg.endsWith('*') ? names.some((n) => n.startsWith(arg.slice(0, -1))) : names.includes(arg);
    const bad = [...runbook].flatMap(([section, text]) =>
      codeSpans(text)
        .filter((span) => span.startsWith('tradewatch metrics ') && !span.includes('<'))
        .flatMap((span) => span.split(/\s+/).slice(2))
        .map((arg) => arg.replace(/^'(.*)'$/, '$1'))
        .filter((arg) => !arg.startsWith('--') && !selects(arg))
        .map((arg) => `${section}: ${arg}`),
    );
    expect(bad).toEqual([]);
  });
});
