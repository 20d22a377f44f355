import { Router } from 'express';
import type { DomainContext } from '../context.js';
import { ingestHandler } from '../http/ingest.js';
import type { TradingRecorder } from './recorder.js';
import { readTick } from './schema.js';

/**
 * `POST /v1/ticks` takes document 001's engine metrics snapshot, or an array of them. Accepted
 * batches go to `ctx.ticks` (the positions domain) first.
 */
export function tradingRoutes(ctx: DomainContext, recorder: TradingRecorder): Router {
  const router = Router();
  router.post(
    '/v1/ticks',
    ...ctx.write('tick'),
    ingestHandler(ctx.ingest, 'tick', readTick, async (ticks) => {
      // Subscribers enqueue writes first: a 503 records nothing.
      await ctx.ticks.publish(ticks.map((t) => t.snapshot));
      for (const tick of ticks) recorder.record(tick.readings);
      return { accepted: ticks.length, duplicates: 0 };
    }),
  );
  return router;
}
