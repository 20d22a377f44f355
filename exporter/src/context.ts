import type { Tracing } from './tracing/setup.js';
import type { RequestHandler, Router } from 'express';
import type { Config } from './config/schema.js';
import type { IngestDeps } from './http/ingest.js';
import type { Logger } from './log.js';
import type { MetricRegistry } from './metrics/registry.js';
import type { Storage } from './storage/index.js';
import type { SharedMetrics } from './storage/shared-metrics.js';
import type { KnownSymbols } from './prices/known-symbols.js';
import type { Feed } from './feed.js';
import type { PriceUpdate } from './prices/schema.js';
import type { EngineSnapshot } from './trading/schema.js';

/**
 * What a domain module gets from the service around it (the node_exporter collector idea: one
 * small interface, one module per domain). A module registers its metric families on
 * `registry`, writes through `storage.buffer` (idempotent statements, enqueued before any
 * metric changes so a refused write changes nothing), reads through `storage.db`, adds
 * collectors of shared-table metrics to `shared`, and returns its HTTP routes.
 */
export interface DomainContext {
  config: Config;
  registry: MetricRegistry;
  storage: Storage;
  shared: SharedMetrics;
  /** Symbols prices are accepted for: add a domain's symbols (and enqueue `trackSymbols`). */
  symbols: KnownSymbols;
  /** Accepted price updates, for domains that follow prices. */
  prices: Feed<PriceUpdate>;
  /** Accepted engine snapshots, for domains that follow them (positions). */
  ticks: Feed<EngineSnapshot>;
  logger: Logger;
  /** Spans for the work a request carries, under the request's span (`currentRequest()`). */
  tracing: Tracing;
  ingest: IngestDeps;
  /**
   * Middleware for an ingest route of this kind: rate limit, writer role (docs/security.md),
   * audit record, JSON body.
   */
  write(kind: string): RequestHandler[];
  /**
   * Middleware for a write route that needs the admin role (baselines, manual alerts,
   * acknowledgements): as `write`, with the admin role.
   */
  admin(kind: string): RequestHandler[];
  /**
   * Middleware for read routes: the route's endpoint-group rate limit (per token, else per
   * address), reader role when required.
   */
  read: RequestHandler[];
  /** Middleware for read routes only admins may use (the audit log): its group's limit, admin role. */
  adminRead: RequestHandler[];
}

export type HttpDomain = (ctx: DomainContext) => Router | Promise<Router>;
