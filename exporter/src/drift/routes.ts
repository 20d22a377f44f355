import { Router, type Request, type RequestHandler } from 'express';
import type { DomainContext } from '../context.js';
import { invalid } from '../http/errors.js';
import { ingestHandler } from '../http/ingest.js';
import { IDENTIFIER_PATTERN, type Validator } from '../validation.js';
import type { ModelMonitor } from './monitor.js';
import {
  baselineValidator,
  importanceValidator,
  outcomeValidator,
  predictionValidator,
} from './schema.js';

type IngestKind = 'prediction' | 'outcome' | 'baseline' | 'importance';

const MODEL = new RegExp(IDENTIFIER_PATTERN);

function modelParam(req: Request): string {
  const model = req.params.model as string;
  if (!MODEL.test(model)) {
    throw invalid([{ field: 'model', message: 'must be a model name (an identifier)' }]);
  }
  return model;
}

/** One object (not a batch), validated whole, then applied to the model named in the path. */
function modelHandler<T>(
  ctx: DomainContext,
  kind: IngestKind,
  validate: Validator<T>,
  apply: (model: string, body: T) => Promise<unknown>,
): RequestHandler {
  return async (req, res) => {
    const model = modelParam(req);
    const result = validate(req.body);
    if (!result.ok) throw invalid(result.errors);
    const body = await apply(model, result.value);
    ctx.ingest.events.inc([kind]);
    res.status(200).json(body);
  };
}

/**
 * `POST /v1/predictions` and `POST /v1/outcomes` (one object or an array), and per model
 * `POST /v1/models/{model}/baseline` and `POST /v1/models/{model}/importance` (docs/drift.md).
 * `changed` runs after a baseline or importance report was accepted.
 */
export function driftRoutes(
  ctx: DomainContext,
  monitor: ModelMonitor,
  changed: () => void,
): Router {
  const router = Router();
  router.post(
    '/v1/predictions',
    ...ctx.write('prediction'),
    ingestHandler(ctx.ingest, 'prediction', predictionValidator, (p) =>
      monitor.acceptPredictions(p),
    ),
  );
  router.post(
    '/v1/outcomes',
    ...ctx.write('outcome'),
    ingestHandler(ctx.ingest, 'outcome', outcomeValidator, (o) => monitor.acceptOutcomes(o)),
  );
  router.post(
    '/v1/models/:model/baseline',
    ...ctx.admin('baseline'),
    modelHandler(ctx, 'baseline', baselineValidator, async (model, body) => {
      const summary = await monitor.setBaseline(model, body, ctx.storage.db);
      changed();
      return summary;
    }),
  );
  router.post(
    '/v1/models/:model/importance',
    ...ctx.admin('importance'),
    modelHandler(ctx, 'importance', importanceValidator, (model, body) => {
      const report = monitor.setImportance(model, body);
      changed();
      return Promise.resolve({
        model,
        features: report.importances.size,
        members: report.members.length,
      });
    }),
  );
  return router;
}
