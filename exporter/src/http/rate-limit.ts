import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import {
  READ_LIMIT_GROUPS,
  WRITE_LIMIT_GROUPS,
  type Config,
  type LimitGroup,
} from '../config/schema.js';
import type { Logger } from '../log.js';
import type { TokenRegistry } from '../security/tokens.js';
import { bearerIdentity } from './auth.js';
import { HttpError } from './errors.js';
import { routePattern } from './observe.js';

/** The endpoint group of each read route (by route pattern): routes that share an allowance. */
export const READ_ROUTE_GROUPS: Readonly<Record<string, LimitGroup>> = {
  '/v1/pipeline-runs': 'pipeline_status',
  '/monitoring/discovery/pipeline': 'pipeline_status',
  '/v1/rankings/quality': 'ranking_quality',
  '/v1/recommendations/:tracking_id': 'recommendation_status',
  '/learning/missed-opportunities': 'missed_opportunities',
  '/dip-detection/portfolio-analysis': 'portfolio_analysis',
  '/alerts/dashboard': 'alerts_status',
  '/alerts/history': 'alerts_status',
  '/v1/alerts/queued': 'alerts_status',
  '/api/tracing/correlation/:id': 'correlation',
  '/v1/audit': 'audit',
};

/**
 * Per-endpoint rate limits (document 000 section 7): each endpoint group has its own allowance
 * per client and window, so a flood of ticks cannot use up the status reads. A client is the
 * accepted token's name when the request carries one (so callers behind one proxy or NAT do not
 * share), else its address (`server.trust_proxy` decides which). Runs before authentication, so
 * a flood of bad tokens is limited by address. Answers 429 with `Retry-After` and a JSON body.
 */
export class EndpointLimits {
  private readonly limiters = new Map<LimitGroup, RequestHandler>();
  private readonly ungroupedReads: RequestHandler;
  private readonly ungroupedWrites: RequestHandler;

  constructor(
    private readonly settings: Config['rate_limit'],
    private readonly tokens: TokenRegistry,
    private readonly logger: Logger,
  ) {
    // Made at start, not inside a request (express-rate-limit checks where a limiter is made).
    for (const g of WRITE_LIMIT_GROUPS)
      this.limiters.set(g, this.create(g, settings.ingest_requests));
    for (const g of READ_LIMIT_GROUPS) this.limiters.set(g, this.create(g, settings.read_requests));
    this.ungroupedReads = this.create('reads', settings.read_requests);
    this.ungroupedWrites = this.create('writes', settings.ingest_requests);
  }

  /**
   * The limiter of a write route, by its ingest kind. A kind missing from WRITE_LIMIT_GROUPS
   * shares one default allowance (test/security/rate-limit.test.ts fails until it has a group).
   */
  write(kind: string): RequestHandler {
    const known = (WRITE_LIMIT_GROUPS as readonly string[]).includes(kind);
    return (known && this.limiters.get(kind as LimitGroup)) || this.ungroupedWrites;
  }

  /**
   * The limiter of every read route: it picks the group by the route the request matched. A
   * route missing from READ_ROUTE_GROUPS shares one default allowance (test/security/
   * rate-limit.test.ts fails until it is given a group).
   */
  readonly read: RequestHandler = (req, res, next) => {
    const group = READ_ROUTE_GROUPS[routePattern(req)];
    const limiter = (group && this.limiters.get(group)) ?? this.ungroupedReads;
    limiter(req, res, next);
  };

  /** The accepted token's name, if the request carries one. */
  private clientOf(req: Request): string | undefined {
    return bearerIdentity(this.tokens, req)?.name;
  }

  private create(group: LimitGroup | 'reads' | 'writes', fallback: number): RequestHandler {
    const windowSeconds = this.settings.window_seconds;
    const configured = (limits: Partial<Record<LimitGroup, number>> | undefined) =>
      group === 'reads' || group === 'writes' ? undefined : limits?.[group];
    const limitOf = (client: string | undefined): number =>
      (client !== undefined ? configured(this.settings.tokens[client]) : undefined) ??
      configured(this.settings.endpoints) ??
      fallback;
    const clientOf = (req: Request) => this.clientOf(req);
    return rateLimit({
      windowMs: windowSeconds * 1000,
      limit: (req) => limitOf(clientOf(req)),
      // A limit of 0 means none (for this token or group).
      skip: (req) => limitOf(clientOf(req)) === 0,
      keyGenerator: (req) => {
        const client = clientOf(req);
        return client !== undefined ? `token:${client}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
      },
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      logger: {
        warn: (err, message) => this.logger.warn({ component: 'http', err }, message),
        error: (err, message) => this.logger.error({ component: 'http', err }, message),
      },
      handler: (req, _res, next) => {
        const who = clientOf(req) !== undefined ? 'token' : 'client address';
        next(
          new HttpError(
            429,
            'rate_limited',
            `at most ${limitOf(clientOf(req))} requests per ${windowSeconds} s per ${who} to ${group} endpoints`,
          ),
        );
      },
    });
  }
}
