/**
 * The series budget of docs/scaling.md, computed from the metric catalogue
 * (exporter/src/metrics/catalogue.ts): every family's labels, each label's number of values in
 * a deployment of a given shape, histogram buckets, and the configuration defaults that fix
 * the enumerated labels (K values, horizons, checkpoints).
 *
 *   npx tsx scripts/series-budget.ts           # prints the tables
 *   npx tsx scripts/series-budget.ts --write   # rewrites the generated block of docs/scaling.md
 *
 * test/stack/series-budget.test.ts fails when the block is not what this prints, and when a
 * catalogue label has no domain here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../exporter/src/config/load.js';
import { catalogue, registryMetrics } from '../exporter/src/metrics/catalogue.js';
import type { MetricDefinition } from '../exporter/src/metrics/definition.js';
import { positionMetrics } from '../exporter/src/positions/metrics.js';
import { rankingMetrics } from '../exporter/src/ranking/metrics.js';

/** What a deployment has: each number is how many values one label (or label pair) takes. */
export interface Shape {
  readonly name: string;
  /** Exporter replicas behind the load balancer (each scraped as its own `instance`). */
  readonly replicas: number;
  readonly engines: number;
  /** Held positions per engine (`symbol`; document 000 caps a portfolio at 200). */
  readonly positionsPerEngine: number;
  /** External services (connectivity), APIs (rate limits, auth) and model artifacts per engine. */
  readonly servicesPerEngine: number;
  readonly apisPerEngine: number;
  readonly artifactsPerEngine: number;
  readonly dataSources: number;
  readonly pipelines: number;
  readonly stagesPerPipeline: number;
  /** Elimination reasons per stage. */
  readonly reasonsPerStage: number;
  /** Ranking strategies (ranked lists). */
  readonly strategies: number;
  readonly classifiers: number;
  readonly regressors: number;
  readonly featuresPerModel: number;
  /** Ensemble members per model (document 004), each with its performance metrics. */
  readonly membersPerModel: number;
}

/** Example deployments: the simulator's, one trading desk, a large shop. */
export const SHAPES: readonly Shape[] = [
  {
    name: 'simulator (npm run demo)',
    replicas: 1,
    engines: 1,
    positionsPerEngine: 10,
    servicesPerEngine: 2,
    apisPerEngine: 2,
    artifactsPerEngine: 2,
    dataSources: 3,
    pipelines: 1,
    stagesPerPipeline: 5,
    reasonsPerStage: 2,
    strategies: 1,
    classifiers: 1,
    regressors: 1,
    featuresPerModel: 6,
    membersPerModel: 0,
  },
  {
    name: 'one desk',
    replicas: 2,
    engines: 3,
    positionsPerEngine: 50,
    servicesPerEngine: 4,
    apisPerEngine: 4,
    artifactsPerEngine: 3,
    dataSources: 10,
    pipelines: 3,
    stagesPerPipeline: 6,
    reasonsPerStage: 5,
    strategies: 5,
    classifiers: 3,
    regressors: 2,
    featuresPerModel: 30,
    membersPerModel: 3,
  },
  {
    name: 'large',
    replicas: 4,
    engines: 20,
    positionsPerEngine: 200,
    servicesPerEngine: 6,
    apisPerEngine: 6,
    artifactsPerEngine: 4,
    dataSources: 50,
    pipelines: 10,
    stagesPerPipeline: 8,
    reasonsPerStage: 8,
    strategies: 20,
    classifiers: 12,
    regressors: 8,
    featuresPerModel: 50,
    membersPerModel: 5,
  },
];

const defaults = loadConfig({ env: {} });

/** Labels whose values the exporter fixes (configuration defaults or code), not the deployment. */
export const FIXED = {
  /** Route patterns × methods that answer (README, HTTP API). */
  httpRoutes: 26,
  /** Status codes a route answers in practice (200, 4xx, 5xx). */
  codesPerRoute: 3,
  /** Ingest kinds, each initialised at start (`tradewatch_ingest_events_total{kind}`). */
  ingestKinds: 13,
  /** Refusal reasons, initialised for every kind. */
  ingestFailureReasons: 11,
  kValues: defaults.ranking.k_values.length,
  rankingHorizons: defaults.ranking.horizons_days.length,
  checkpoints: defaults.recommendations.checkpoint_days.length,
  retentionTables: Object.keys(defaults.storage.retention_days).length,
  outcomes: 5, // explosive, strong, moderate, poor, failed
  classificationMetrics: 4, // accuracy, precision, recall, f1
  regressionMetrics: 2, // mae, rmse
  memberMetrics: 2, // what an ensemble member reports (document 004)
  alertSeverities: 4, // critical, warning, info, none
  breakerStates: 3, // closed, open, half_open
} as const;

const models = (s: Shape): number => s.classifiers + s.regressors;

/**
 * Values of `label` in `family` (nested labels count per parent: `stage` per pipeline,
 * `symbol` per engine, `feature` per model). Throws for a label it does not know, so a new
 * label breaks the test until the budget accounts for it.
 */
export function labelValues(family: string, label: string, s: Shape): number {
  switch (label) {
    case 'engine':
      return s.engines;
    case 'symbol':
      return s.positionsPerEngine;
    case 'service':
      return s.servicesPerEngine;
    case 'api':
      return s.apisPerEngine;
    case 'artifact':
      return s.artifactsPerEngine;
    case 'source':
      return s.dataSources;
    case 'pipeline':
      return s.pipelines;
    case 'stage':
      return s.stagesPerPipeline;
    case 'reason':
      return family === 'tradewatch_ingest_failures_total'
        ? FIXED.ingestFailureReasons
        : s.reasonsPerStage;
    case 'strategy':
      return s.strategies;
    case 'k':
      return FIXED.kValues;
    case 'horizon':
      return family === 'tradewatch_recommendation_return_ratio'
        ? FIXED.checkpoints
        : FIXED.rankingHorizons;
    case 'model':
      if (family === 'tradewatch_model_classification_performance_ratio') return s.classifiers;
      if (family === 'tradewatch_model_regression_error') return s.regressors;
      return models(s);
    case 'feature':
      return s.featuresPerModel;
    case 'test':
      return 1; // a feature has one test: KS (numeric) or chi-square (categorical)
    case 'member':
      return s.membersPerModel;
    case 'metric':
      if (family === 'tradewatch_model_classification_performance_ratio')
        return FIXED.classificationMetrics;
      if (family === 'tradewatch_model_regression_error') return FIXED.regressionMetrics;
      if (family === 'tradewatch_model_ensemble_member_performance') return FIXED.memberMetrics;
      // At most the classification metrics per model; COMBINATIONS counts it exactly.
      if (family === 'tradewatch_model_performance_degradation_ratio')
        return FIXED.classificationMetrics;
      if (family === 'tradewatch_cardinality_overflow_total') return 0; // only once a cap is hit
      throw new Error(`${family}: no domain for label metric`);
    case 'window':
      return 2; // reference/current, or current/baseline
    case 'level':
      return 2; // moderate, significant
    case 'bought':
      return 2;
    case 'outcome':
      return FIXED.outcomes;
    case 'status':
      return 2; // completed/failed, firing/resolved
    case 'severity':
      return FIXED.alertSeverities;
    case 'kind':
      return family === 'tradewatch_ingest_events_total' ||
        family === 'tradewatch_ingest_failures_total' ||
        family === 'tradewatch_ingest_duplicates_total'
        ? FIXED.ingestKinds
        : 2; // manual alerts: pipeline, buy_more
    case 'operation':
      // The SDK's errors exist only in processes that embed it, and only once one happens.
      return family === 'tradewatch_sdk_errors_total' ? 0 : 2;
    case 'state':
      return FIXED.breakerStates;
    case 'table':
      return FIXED.retentionTables;
    case 'route':
      return FIXED.httpRoutes;
    case 'method':
      return 1; // counted in httpRoutes
    case 'code':
      return FIXED.codesPerRoute;
    case 'version':
    case 'nodejs_version':
      return 1;
    default:
      throw new Error(`${family}: no domain for label ${label}`);
  }
}

/** Families whose label sets are not the full product of their labels' values. */
const COMBINATIONS: Readonly<Record<string, (s: Shape) => number>> = {
  // Classifiers report the classification metrics, regressors the errors.
  tradewatch_model_performance_degradation_ratio: (s) =>
    s.classifiers * FIXED.classificationMetrics + s.regressors * FIXED.regressionMetrics,
  // A feature has either a KS or a chi-square statistic: counted once, as KS.
  tradewatch_model_feature_chi_square_statistic: () => 0,
};

/** Label sets of one family: what `metrics.max_series_per_metric` caps. */
export function familyLabelSets(def: MetricDefinition, s: Shape): number {
  return (
    COMBINATIONS[def.name]?.(s) ??
    def.labelNames.reduce((n, label) => n * labelValues(def.name, label, s), 1)
  );
}

/** Series one family adds: label sets × (buckets + `+Inf` + `_sum` + `_count`) for histograms. */
export function familySeries(def: MetricDefinition, s: Shape): number {
  const sets = familyLabelSets(def, s);
  return def.type === 'histogram' ? sets * ((def.buckets?.length ?? 0) + 3) : sets;
}

/**
 * Families the leader alone exports (computed from the shared tables): with several replicas
 * they exist once, every other family once per replica.
 */
export const LEADER_ONLY: ReadonlySet<string> = new Set([
  ...Object.values(positionMetrics).map((d) => d.name),
  ...Object.values(rankingMetrics)
    .map((d) => d.name)
    .filter((n) => n !== 'tradewatch_ranking_lists_received_total'),
  'tradewatch_recommendations_open',
  'tradewatch_recommendation_outcomes',
  'tradewatch_recommendation_return_ratio',
  'tradewatch_recommendation_missed_opportunities',
  'tradewatch_recommendation_missed_opportunity_potential_return_ratio',
  'tradewatch_recommendation_missed_opportunity_max_potential_return_ratio',
]);

/** prom-client's process and Node.js metrics (`collectDefaultMetrics`), about this many. */
export const DEFAULT_METRICS_SERIES = 60;

const domains = (): [string, MetricDefinition[]][] => [
  ['registry', [...registryMetrics]],
  ...Object.entries(catalogue).map(([d, defs]): [string, MetricDefinition[]] => [
    d,
    Object.values(defs),
  ]),
];

export interface Budget {
  /** Series of one replica (leader-only families included: the leader's scrape). */
  perReplica: number;
  leaderOnly: number;
  /** All replicas together: the non-leader families once per replica. */
  total: number;
  byDomain: Record<string, number>;
}

export function budget(s: Shape): Budget {
  let perReplica = DEFAULT_METRICS_SERIES;
  let leaderOnly = 0;
  const byDomain: Record<string, number> = {};
  for (const [domain, defs] of domains()) {
    for (const def of defs) {
      const n = familySeries(def, s);
      perReplica += n;
      if (LEADER_ONLY.has(def.name)) leaderOnly += n;
      byDomain[domain] = (byDomain[domain] ?? 0) + n;
    }
  }
  return {
    perReplica,
    leaderOnly,
    total: (perReplica - leaderOnly) * s.replicas + leaderOnly,
    byDomain,
  };
}

/** What one more unit of a dimension adds (all replicas), and the families that grow. */
const UNITS: readonly [string, keyof Shape, string][] = [
  ['engine (one position, service, API and artifact)', 'engines', ''],
  ['held position', 'positionsPerEngine', 'per engine'],
  ['data source', 'dataSources', ''],
  ['pipeline (one stage, one reason)', 'pipelines', ''],
  ['pipeline stage', 'stagesPerPipeline', 'per pipeline'],
  ['elimination reason', 'reasonsPerStage', 'per stage'],
  ['ranking strategy', 'strategies', ''],
  ['classifier (one feature, one ensemble member)', 'classifiers', ''],
  ['regressor (one feature, one ensemble member)', 'regressors', ''],
  ['model feature', 'featuresPerModel', 'per model'],
  ['ensemble member', 'membersPerModel', 'per model'],
];

const ONE: Shape = {
  name: 'one of each',
  replicas: 1,
  engines: 1,
  positionsPerEngine: 1,
  servicesPerEngine: 1,
  apisPerEngine: 1,
  artifactsPerEngine: 1,
  dataSources: 1,
  pipelines: 1,
  stagesPerPipeline: 1,
  reasonsPerStage: 1,
  strategies: 1,
  classifiers: 1,
  regressors: 0,
  featuresPerModel: 1,
  membersPerModel: 1,
};

/** Series added by one more unit of `key`, per family, at a base of one of everything. */
function perUnit(key: keyof Shape): { total: number; families: [string, number][] } {
  const more = { ...ONE, [key]: (ONE[key] as number) + 1 };
  const families: [string, number][] = [];
  for (const [, defs] of domains()) {
    for (const def of defs) {
      const n = familySeries(def, more) - familySeries(def, ONE);
      if (n !== 0) families.push([def.name, n]);
    }
  }
  return { total: families.reduce((t, [, n]) => t + n, 0), families };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

export const BEGIN =
  '<!-- series-budget:begin (generated by `npx tsx scripts/series-budget.ts --write`) -->';
export const END = '<!-- series-budget:end -->';

/** The generated block of docs/scaling.md (Markdown, between BEGIN and END). */
export function renderBudget(): string {
  // Prettier would pad the tables; the block is formatted here, once.
  const lines: string[] = [BEGIN, '<!-- prettier-ignore-start -->', ''];
  lines.push(
    '**Series per unit.** What one more of each adds, with one of everything else (a pipeline stage',
    "adds more when the pipeline has more elimination reasons, and so on: multiply by the parents'",
    'counts). A held position, a stage or a feature is one label value of the families listed.',
    '',
    '| one more | series | families (series each) |',
    '| --- | ---: | --- |',
  );
  for (const [what, key, per] of UNITS) {
    const { total, families } = perUnit(key);
    const list = families.map(([name, n]) => `\`${name}\` (${n})`).join(', ');
    lines.push(`| ${what}${per ? ` ${per}` : ''} | ${fmt(total)} | ${list} |`);
  }
  lines.push(
    '',
    "**Example deployments.** Series per replica include prom-client's process metrics (about",
    `${DEFAULT_METRICS_SERIES}); leader-only families (positions, ranking quality, recommendation outcomes)`,
    'exist once whatever the number of replicas. Samples per second at a 15 s scrape interval, per',
    'Prometheus of an HA pair (both scrape everything).',
    '',
  );
  const header = ['', ...SHAPES.map((s) => s.name)];
  const row = (label: string, values: (string | number)[]): string =>
    `| ${[label, ...values.map((v) => (typeof v === 'number' ? fmt(v) : v))].join(' | ')} |`;
  lines.push(`| ${header.join(' | ')} |`, `| --- | ${SHAPES.map(() => '---:').join(' | ')} |`);
  const shapeRows: [string, keyof Shape][] = [
    ['replicas', 'replicas'],
    ['engines', 'engines'],
    ['held positions per engine', 'positionsPerEngine'],
    ['data sources', 'dataSources'],
    ['pipelines × stages × reasons', 'pipelines'],
    ['ranking strategies', 'strategies'],
    ['models (classifiers + regressors) × features', 'classifiers'],
  ];
  for (const [label, key] of shapeRows) {
    lines.push(
      row(
        label,
        SHAPES.map((s) => {
          if (key === 'pipelines')
            return `${s.pipelines} × ${s.stagesPerPipeline} × ${s.reasonsPerStage}`;
          if (key === 'classifiers')
            return `(${s.classifiers} + ${s.regressors}) × ${s.featuresPerModel}`;
          return s[key] as number;
        }),
      ),
    );
  }
  const budgets = SHAPES.map(budget);
  for (const [domain] of domains()) {
    lines.push(
      row(
        `series: ${domain}`,
        budgets.map((b) => b.byDomain[domain] ?? 0),
      ),
    );
  }
  lines.push(
    row(
      '**series per replica**',
      budgets.map((b) => b.perReplica),
    ),
    row(
      'of which leader-only',
      budgets.map((b) => b.leaderOnly),
    ),
    row(
      '**series, all replicas**',
      budgets.map((b) => b.total),
    ),
    row(
      'samples/s per Prometheus (15 s)',
      budgets.map((b) => Math.ceil(b.total / 15)),
    ),
    row(
      `largest family, label sets (cap ${fmt(defaults.metrics.max_series_per_metric)})`,
      SHAPES.map((s) => {
        const all = domains().flatMap(([, defs]) => defs);
        const top = all.reduce((a, b) => (familyLabelSets(b, s) > familyLabelSets(a, s) ? b : a));
        return `${fmt(familyLabelSets(top, s))} \`${top.name}\``;
      }),
    ),
    '',
    '<!-- prettier-ignore-end -->',
    END,
  );
  return lines.join('\n');
}

const DOC = fileURLToPath(new URL('../docs/scaling.md', import.meta.url));

/** docs/scaling.md with its generated block replaced by `renderBudget()`. */
export function renderedDoc(text = readFileSync(DOC, 'utf8')): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`docs/scaling.md lacks the ${BEGIN} ... ${END} block`);
  return text.slice(0, start) + renderBudget() + text.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    writeFileSync(DOC, renderedDoc());
    console.log('wrote the series budget of docs/scaling.md');
  } else console.log(renderBudget());
}
