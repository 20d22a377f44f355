import express, { type Express } from 'express';
import { collectDefaultMetrics, Registry as PromClientRegistry } from 'prom-client';
import type { Config } from './config/schema.js';
import { requireRole, scrapeAuthorizer } from './http/auth.js';
import { auditWrites } from './audit/log.js';
import { auditRoutes } from './audit/routes.js';
import { BasicUsers, TokenRegistry, type Role } from './security/tokens.js';
import { errorHandler } from './http/errors.js';
import { ingestKind, jsonBody, requireJsonType } from './http/ingest.js';
import { isScrape, metricsEndpoint } from './http/metrics-endpoint.js';
import { observeRequests, observeResponse } from './http/observe.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EndpointLimits } from './http/rate-limit.js';
import type { Logger } from './log.js';
import { coreMetrics } from './metrics/core.js';
import { MetricRegistry, type ExternalFamily } from './metrics/registry.js';
import { PipelineRecorder } from './pipeline/recorder.js';
import { pipelineRoutes } from './pipeline/routes.js';
import { SourceRecorder } from './sources/recorder.js';
import { sourceRoutes } from './sources/routes.js';
import { TradingRecorder } from './trading/recorder.js';
import { tradingRoutes } from './trading/routes.js';
import { VERSION } from './version.js';
import { CORRELATION_HEADER, correlateRequests, newCorrelationId } from './tracing/correlation.js';
import { tracingRoutes } from './tracing/routes.js';
import { describeRuns } from './pipeline/correlation.js';
import { processTracing, type Tracing } from './tracing/setup.js';
import type { DomainContext, HttpDomain } from './context.js';
import { startStorage, type StartStorageOptions, type Storage } from './storage/index.js';
import { SharedMetrics } from './storage/shared-metrics.js';
import { KnownSymbols } from './prices/known-symbols.js';
import { Feed } from './feed.js';
import { priceRoutes } from './prices/routes.js';
import { positionsDomain } from './positions/index.js';
import { rankingDomain } from './ranking/index.js';
import { recommendationsDomain } from './recommendations/index.js';
import { driftDomain } from './drift/domain.js';
import { alertsDomain } from './alerts/index.js';

/** The domain recorders over one registry: what both the HTTP service and the SDK are built on. */
export interface Domains {
  registry: MetricRegistry;
  pipeline: PipelineRecorder;
  trading: TradingRecorder;
  sources: SourceRecorder;
}

export function createDomains(config: Config): Domains {
  const registry = new MetricRegistry({
    maxSeriesPerMetric: config.metrics.max_series_per_metric,
    maxLabelValueLength: config.metrics.max_label_value_length,
  });
  return {
    registry,
    pipeline: new PipelineRecorder(registry),
    trading: new TradingRecorder(registry, config.engine),
    sources: new SourceRecorder(registry, config.sources),
  };
}

export interface Exporter extends Domains {
  app: Express;
  /** The server's request listener: scrapes answered directly, everything else by `app`. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  storage: Storage;
  /** Metrics computed from the shared tables (refreshed by the leader). */
  shared: SharedMetrics;
  /** Readiness as `/readyz` reports it; false while starting and shutting down. */
  ready: boolean;
  /** Stops background work and drains pending writes (after the HTTP server has closed). */
  close(): Promise<void>;
}

export interface ExporterOptions {
  storage?: StartStorageOptions;
  /** The tracer and tracing self-metrics (default: the process's, as `startTracing` set up). */
  tracing?: Tracing;
  /** The learning domains to mount (default: recommendations, ranking, positions). */
  domains?: readonly HttpDomain[];
}

/**
 * Adds prom-client's process and Node.js metrics (CPU, memory, event loop, GC) to a registry.
 * Its `nodejs_active_*_total` gauges are left out: they are sums exposed next to their parts
 * (`nodejs_active_handles{type}`), and `promtool check metrics` flags a gauge ending in _total.
 */
export function addDefaultMetrics(registry: MetricRegistry): void {
  const prom = new PromClientRegistry();
  collectDefaultMetrics({ register: prom });
  registry.addExternalSource(async () => {
    const families = (await prom.getMetricsAsJSON()) as unknown as ExternalFamily[];
    return families.filter((f) => f.type === 'counter' || !f.name.endsWith('_total'));
  });
}

/**
 * The exporter service: storage opened and migrated, every domain's routes mounted, metrics
 * registered. Listening is `startServer`'s job.
 */
export async function createExporter(
  config: Config,
  logger: Logger,
  options: ExporterOptions = {},
): Promise<Exporter> {
  const domains = createDomains(config);
  const { registry } = domains;
  addDefaultMetrics(registry);
  const tracing = options.tracing ?? processTracing();
  tracing.telemetry.attach(registry);
  const core = registry.registerAll(coreMetrics);
  core.buildInfo.set([VERSION, process.version], 1);

  const storage = await startStorage(config, registry, logger, options.storage);
  const shared = new SharedMetrics(
    storage.db,
    storage.leader,
    config.storage.shared_metrics_interval_seconds * 1000,
    logger,
  );
  const symbols = new KnownSymbols(storage.db);
  await symbols
    .load()
    .catch((err: unknown) =>
      logger.warn({ component: 'storage', err }, 'could not read the tracked symbols'),
    );
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.server.trust_proxy);
  app.use(observeRequests(core.httpRequests, core.httpDuration));
  app.use(correlateRequests(tracing.tracer));

  const tokens = TokenRegistry.fromConfig(config);
  if (tokens.size === 0) {
    logger.warn(
      { component: 'ingest' },
      'no token configured: ingest and admin routes answer 401 until one is set',
    );
  }
  const writerAuth = requireRole(tokens, 'writer');
  const adminAuth = requireRole(tokens, 'admin');
  const limits = new EndpointLimits(config.rate_limit, tokens, logger);
  const writeRoute = (kind: string, role: Role): express.RequestHandler[] => {
    // Every ingest route declares its kind here at start: its series exist from then on.
    core.ingestEvents.init(kind);
    for (const reason of FAILURE_REASONS) core.ingestFailures.init(kind, reason);
    return [
      ingestKind(kind),
      limits.write(kind),
      role === 'admin' ? adminAuth : writerAuth,
      auditWrites(storage.buffer, kind, logger),
      requireJsonType,
      jsonBody(config.server.body_limit_bytes),
    ];
  };
  const ctx: DomainContext = {
    config,
    registry,
    storage,
    shared,
    symbols,
    prices: new Feed(),
    ticks: new Feed(),
    logger,
    tracing,
    ingest: {
      bodyLimitBytes: config.server.body_limit_bytes,
      maxBatchSize: config.server.max_batch_size,
      events: core.ingestEvents,
      duplicates: core.ingestDuplicates,
    },
    write: (kind) => writeRoute(kind, 'writer'),
    admin: (kind) => writeRoute(kind, 'admin'),
    read: [limits.read, requireRole(tokens, 'reader', config.auth.require_reader)],
    adminRead: [limits.read, adminAuth],
  };

  const serveMetrics = metricsEndpoint(registry);
  const scrapeAllowed = scrapeAuthorizer(
    config.auth.metrics.require_auth,
    tokens,
    new BasicUsers(config.auth.metrics.basic_auth),
  );
  const exporter: Exporter = {
    ...domains,
    app,
    handle: (req, res) => {
      if (!isScrape(req)) return void app(req, res);
      res.setHeader(CORRELATION_HEADER, newCorrelationId());
      observeResponse(core.httpRequests, core.httpDuration, req, res, () => '/metrics');
      if (!scrapeAllowed(req)) {
        res.statusCode = 401;
        res.setHeader('WWW-Authenticate', 'Bearer, Basic realm="tradewatch"');
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ error: 'unauthorized', message: 'scraping needs credentials' }));
        return;
      }
      serveMetrics(req, res).catch((err: unknown) => {
        logger.error({ component: 'http', err }, 'scrape failed');
        res.destroy();
      });
    },
    storage,
    shared,
    ready: false,
    close: async () => {
      await shared.stop();
      await storage.stop();
    },
  };
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    // Storage being down does not make the exporter unready: writes are buffered meanwhile.
    res.status(exporter.ready ? 200 : 503).json({
      status: exporter.ready ? 'ready' : 'not_ready',
      storage: { up: storage.buffer.up, pending_writes: storage.buffer.pending },
    });
  });
  app.use(await pipelineRoutes(ctx, domains.pipeline));
  app.use(tradingRoutes(ctx, domains.trading));
  app.use(sourceRoutes(ctx, domains.sources));
  app.use(priceRoutes(ctx));
  app.use(tracingRoutes(ctx, describeRuns));
  app.use(auditRoutes(ctx));
  for (const domain of options.domains ?? LEARNING_DOMAINS) app.use(await domain(ctx));
  shared.start();

  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
  });
  const handleError = errorHandler((err) =>
    logger.error({ component: 'http', err }, 'unexpected error while handling a request'),
  );
  app.use(((err, req, res, next) => {
    const kind = res.locals.ingestKind as string | undefined;
    const status = (err as { status?: number }).status ?? 500;
    if (kind) core.ingestFailures.inc([kind, failureReason(err)]);
    if (status >= 400 && status < 500) {
      logger.debug(
        { component: 'ingest', route: req.path, status, err: (err as Error).message },
        'request refused',
      );
    }
    handleError(err, req, res, next);
  }) satisfies express.ErrorRequestHandler);
  return exporter;
}

/** The domains over the shared tables (document 000 sections 2 to 4, document 003 section 3). */
const LEARNING_DOMAINS: readonly HttpDomain[] = [
  recommendationsDomain,
  driftDomain,
  rankingDomain,
  positionsDomain,
  alertsDomain,
];

/** Why ingest refused a request: the `reason` label of tradewatch_ingest_failures_total. */
const FAILURE_REASONS = [
  'invalid',
  'malformed_json',
  'too_large',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'unsupported_media_type',
  'storage_buffer_full',
  'storage_stopped',
  'conflict',
  'other',
] as const;
type FailureReason = (typeof FAILURE_REASONS)[number];

function failureReason(err: unknown): FailureReason {
  const code = (err as { code?: string; type?: string }).code;
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return 'too_large';
  if (type === 'entity.parse.failed') return 'malformed_json';
  switch (code) {
    case 'invalid_payload':
      return 'invalid';
    case 'unauthorized':
    case 'forbidden':
    case 'rate_limited':
    case 'unsupported_media_type':
    case 'storage_buffer_full':
    case 'storage_stopped':
    case 'conflict':
      return code;
    default:
      return 'other';
  }
}
