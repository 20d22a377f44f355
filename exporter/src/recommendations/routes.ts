import { Router, type Request, type RequestHandler } from 'express';
import type { DomainContext } from '../context.js';
import { HttpError, invalid } from '../http/errors.js';
import type { FamiliesFor } from '../metrics/registry.js';
import { trackSymbols } from '../prices/store.js';
import { isTransientError } from '../storage/database.js';
import { validateBatch, type FieldError } from '../validation.js';
import { canonicalJson, PendingRecommendations, repeatedIds, verdict } from './duplicates.js';
import type { recommendationMetrics } from './metrics.js';
import { missedResponse } from './missed.js';
import { loadMissed, missedStats } from './missed-store.js';
import { normalizeRecommendation } from './recommendation.js';
import { recommendationValidator, TRACKING_ID_PATTERN } from './schema.js';
import { insertRecommendation, loadRecommendation, storedPayloads } from './store.js';
import type { RecommendationTracker } from './tracker.js';

const KIND = 'recommendation';
const DAY_MS = 86_400_000;
const TRACKING_ID = new RegExp(TRACKING_ID_PATTERN);
/** How long `GET /v1/recommendations/{id}` waits for an accepted, still buffered write. */
const PENDING_WAIT_MS = 2000;

/** A read the database could not answer now: 503 with Retry-After (the error handler's path). */
class StorageUnavailableError extends Error {
  readonly status = 503;
  readonly code = 'storage_unavailable';
  readonly retryAfterSeconds = 5;
}

async function read<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (isTransientError(err)) {
      throw new StorageUnavailableError('the database cannot be read at the moment', {
        cause: err,
      });
    }
    throw err;
  }
}

export interface RecommendationRouteDeps {
  families: FamiliesFor<typeof recommendationMetrics>;
  tracker: RecommendationTracker;
  pending: PendingRecommendations;
}

/**
 * `POST /v1/recommendations` (document 000 section 2.1, one object or an array),
 * `GET /v1/recommendations/{tracking_id}` and `GET /learning/missed-opportunities` (section 2.3).
 */
export function recommendationRoutes(ctx: DomainContext, deps: RecommendationRouteDeps): Router {
  const router = Router();
  router.post('/v1/recommendations', ...ctx.write(KIND), ingestRecommendations(ctx, deps));

  router.get('/v1/recommendations/:tracking_id', ...ctx.read, async (req, res) => {
    const id = req.params.tracking_id as string;
    if (!TRACKING_ID.test(id)) {
      throw invalid([{ field: 'tracking_id', message: `must match ${TRACKING_ID_PATTERN}` }]);
    }
    let record = await read(() => loadRecommendation(ctx.storage.db, id));
    if (!record && deps.pending.get(id) !== undefined) {
      // Accepted a moment ago and still in the write buffer.
      await Promise.race([
        ctx.storage.buffer.whenWritten(),
        new Promise((resolve) => setTimeout(resolve, PENDING_WAIT_MS).unref()),
      ]);
      record = await read(() => loadRecommendation(ctx.storage.db, id));
    }
    if (!record) throw new HttpError(404, 'not_found', `no recommendation is tracked as ${id}`);
    res.json(record);
  });

  router.get('/learning/missed-opportunities', ...ctx.read, async (req, res) => {
    const query = parseMissedQuery(req.query);
    const since = new Date(Date.now() - query.daysBack * DAY_MS);
    const db = ctx.storage.db;
    const [rows, stats] = await read(() =>
      Promise.all([loadMissed(db, since, query.limit), missedStats(db, since)]),
    );
    res.json(missedResponse(rows, stats));
  });

  return router;
}

function ingestRecommendations(ctx: DomainContext, deps: RecommendationRouteDeps): RequestHandler {
  const validator = recommendationValidator(ctx.config);
  ctx.ingest.duplicates.init(KIND);
  return async (req: Request, res) => {
    const isBatch = Array.isArray(req.body);
    const at = (i: number, field: string) => (isBatch ? `[${i}].${field}` : field);
    const result = validateBatch(validator, req.body, ctx.ingest.maxBatchSize);
    if (!result.ok) throw invalid(result.errors);
    const items = result.value;
    const repeated = repeatedIds(items.map((r) => r.tracking_id));
    if (repeated.length > 0) throw invalid(repeated);

    const canonical = items.map(canonicalJson);
    let stored = new Map<string, unknown>();
    try {
      stored = await storedPayloads(
        ctx.storage.db,
        items.map((r) => r.tracking_id),
      );
    } catch (err) {
      if (!isTransientError(err)) throw err;
      // Writes are buffered while the database is away; only buffered ids can be checked then,
      // and the insert itself refuses a different body under a stored id (store.ts).
      ctx.logger.warn(
        { component: 'recommendations', err: (err as Error).message },
        'database unreachable: tracking ids checked against buffered writes only',
      );
    }

    // From here on synchronous, so a concurrent request cannot slip in between check and enqueue.
    const conflicts: FieldError[] = [];
    const fresh: number[] = [];
    items.forEach((item, i) => {
      const id = item.tracking_id;
      const known = stored.has(id)
        ? canonicalJson(stored.get(id) ?? '(stored without a payload)')
        : deps.pending.get(id);
      const v = verdict(canonical[i] as string, known);
      if (v === 'new') fresh.push(i);
      else if (v === 'conflict') {
        conflicts.push({
          field: at(i, 'tracking_id'),
          message: `${id} is already tracked with a different body`,
        });
      }
    });
    if (conflicts.length > 0) {
      const first = conflicts[0] as FieldError;
      const message =
        conflicts.length === 1
          ? `${first.field} ${first.message}`
          : `${conflicts.length} tracking ids are already tracked with a different body`;
      throw new HttpError(409, 'conflict', message, conflicts);
    }

    const recs = fresh.map((i) =>
      normalizeRecommendation(items[i] as (typeof items)[number], ctx.config.recommendations),
    );
    ctx.storage.buffer.enqueue([
      ...recs.map(insertRecommendation),
      ...trackSymbols(
        recs.map((r) => r.symbol),
        'recommendation',
      ),
    ]); // throws (503) before anything changes
    const written = ctx.storage.buffer.whenWritten();
    recs.forEach((rec, n) => {
      deps.pending.add(rec.trackingId, canonical[fresh[n] as number] as string, written);
      deps.families.received.inc([String(rec.bought)]);
      deps.tracker.touch(rec.symbol, rec.discoveryDate.getTime() / 1000);
    });
    ctx.symbols.add(recs.map((r) => r.symbol));

    const outcome = { accepted: recs.length, duplicates: items.length - recs.length };
    ctx.ingest.events.inc([KIND], outcome.accepted);
    ctx.ingest.duplicates.inc([KIND], outcome.duplicates);
    res.status(200).json(outcome);
  };
}

const MISSED_PARAMS = ['days_back', 'limit'];

/** `days_back` (1-365, default 7) and `limit` (1-1000, default 100); anything else is refused. */
export function parseMissedQuery(query: Request['query']): { daysBack: number; limit: number } {
  const errors: FieldError[] = [];
  for (const key of Object.keys(query)) {
    if (!MISSED_PARAMS.includes(key)) {
      errors.push({ field: key, message: `is not a parameter (${MISSED_PARAMS.join(', ')})` });
    }
  }
  const integer = (name: string, fallback: number, max: number): number => {
    const text = query[name];
    if (text === undefined) return fallback;
    const value = typeof text === 'string' && /^\d{1,7}$/.test(text) ? Number(text) : NaN;
    if (!(value >= 1 && value <= max)) {
      errors.push({ field: name, message: `must be an integer from 1 to ${max}` });
    }
    return value;
  };
  const daysBack = integer('days_back', 7, 365);
  const limit = integer('limit', 100, 1000);
  if (errors.length > 0) throw invalid(errors);
  return { daysBack, limit };
}
