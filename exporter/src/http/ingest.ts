import express, { type RequestHandler } from 'express';
import type { CounterFamily } from '../metrics/family.js';
import { validateBatch, type Validator } from '../validation.js';
import { HttpError, invalid } from './errors.js';

export interface IngestDeps {
  bodyLimitBytes: number;
  maxBatchSize: number;
  events: CounterFamily;
  duplicates: CounterFamily;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** 415 for a body that is not declared JSON (a request without a body passes). */
export const requireJsonType: RequestHandler = (req, _res, next) => {
  if (req.is(JSON_TYPES) === false) {
    return next(
      new HttpError(415, 'unsupported_media_type', 'send Content-Type: application/json'),
    );
  }
  next();
};

/** Nesting a body may have: far beyond any payload, far below what recursion would choke on. */
export const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max` (checked without recursion). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  // Two parallel stacks and plain loops: no tuple or Object.values array per object, since
  // this walks every ingest body (a few percent of a batch of ticks otherwise).
  if (value === null || typeof value !== 'object') return false;
  const nodes: object[] = [value];
  const depths: number[] = [0];
  const visit = (child: unknown, depth: number): void => {
    if (child !== null && typeof child === 'object') {
      nodes.push(child);
      depths.push(depth);
    }
  };
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth >= max) return true;
    if (Array.isArray(node)) for (const child of node) visit(child, depth + 1);
    else for (const key in node) visit(node[key], depth + 1);
  }
  return false;
}

/**
 * JSON body parser for ingest routes: objects and arrays only, size-limited (413 past it), and
 * at most MAX_JSON_DEPTH levels deep (400 past it), so no validator or handler recursing over
 * a body can exhaust the stack.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    type: JSON_TYPES,
  });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (nestedDeeperThan(req.body, MAX_JSON_DEPTH)) {
        return next(
          invalid([{ field: '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }]),
        );
      }
      next();
    });
}

/** Tags the request so a refusal is counted under its kind in `tradewatch_ingest_failures_total`. */
export function ingestKind(kind: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.ingestKind = kind;
    next();
  };
}

/**
 * A batch ingest endpoint: the body is one event or an array of them; all are validated before
 * any is applied, so a bad batch changes nothing.
 */
export function ingestHandler<T>(
  deps: IngestDeps,
  kind: string,
  validator: Validator<T>,
  apply: (events: T[]) => IngestResult | Promise<IngestResult>,
): RequestHandler {
  return async (req, res, next) => {
    const result = validateBatch(validator, req.body, deps.maxBatchSize);
    if (!result.ok) return next(invalid(result.errors));
    const outcome = await apply(result.value);
    deps.events.inc([kind], outcome.accepted);
    deps.duplicates.inc([kind], outcome.duplicates);
    res.status(200).json(outcome);
  };
}
