import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { CounterFamily, HistogramFamily } from '../metrics/family.js';

/** Counts and times one request once its response has finished. */
export function observeResponse(
  requests: CounterFamily,
  duration: HistogramFamily,
  req: IncomingMessage,
  res: ServerResponse,
  route: () => string,
): void {
  const start = process.hrtime.bigint();
  res.once('finish', () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const method = req.method ?? 'GET';
    requests.inc([route(), method, String(res.statusCode)]);
    duration.observe([route(), method], seconds);
  });
}

/** Counts and times every request by its route pattern (never the raw path: unbounded). */
export function observeRequests(
  requests: CounterFamily,
  duration: HistogramFamily,
): RequestHandler {
  return (req, res, next) => {
    observeResponse(requests, duration, req, res, () => routePattern(req));
    next();
  };
}

/** The route a request matched, as its pattern (`/v1/recommendations/:id`), or `unmatched`. */
export function routePattern(req: Request): string {
  return req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}
