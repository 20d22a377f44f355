import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { addDefaultMetrics, createDomains, type Domains } from '../app.js';
import { parseConfig } from '../config/load.js';
import { CONTENT_TYPES, negotiateFormat, type ExpositionFormat } from '../metrics/exposition.js';
import { validatePipelineRun, type PipelineRun } from '../pipeline/schema.js';
import { summarizeRun } from '../pipeline/summary.js';
import { traceRun } from '../pipeline/tracing.js';
import { VERSION } from '../version.js';
import { readTick, type EngineSnapshot } from '../trading/schema.js';
import { sdkMetrics } from './metrics.js';
import { PipelineRunHandle } from './pipeline-run.js';

export type { EngineSnapshot, PipelineRun };
export { PipelineRunHandle, StageHandle } from './pipeline-run.js';

export interface TradewatchOptions {
  /** Same keys as the exporter's YAML configuration (thresholds, series caps); validated. */
  config?: unknown;
  /** Also collect process and Node.js metrics (default true). */
  defaultMetrics?: boolean;
  /** Told about every call that could not be recorded; never allowed to throw either. */
  onError?: (operation: string, error: unknown) => void;
  /**
   * Where run and stage spans go (default: the global OpenTelemetry tracer, a no-op until the
   * application registers an SDK). Sampled spans become exemplars on the duration histograms.
   */
  tracer?: Tracer;
}

/**
 * The in-process SDK for TypeScript trading code. It records the same metrics as the HTTP API,
 * synchronously and in memory, and never throws into the caller: a bad input or an internal
 * fault is counted in `tradewatch_sdk_errors_total` and reported to `onError`.
 */
export class Tradewatch {
  readonly domains: Domains;
  private readonly errors;
  private readonly onError: (operation: string, error: unknown) => void;
  private readonly tracer: Tracer;

  constructor(options: TradewatchOptions = {}) {
    this.domains = createDomains(parseConfig(options.config ?? {}));
    if (options.defaultMetrics ?? true) addDefaultMetrics(this.domains.registry);
    this.errors = this.domains.registry.registerAll(sdkMetrics).errors;
    this.onError = options.onError ?? (() => undefined);
    this.tracer = options.tracer ?? trace.getTracer('tradewatch-sdk', VERSION);
  }

  /** Starts timing a pipeline run; its stages are recorded as they end. */
  startPipelineRun(pipeline: string): PipelineRunHandle {
    return new PipelineRunHandle(this.domains.pipeline, pipeline, this.guard, this.tracer);
  }

  /** Records a finished run in document 000's JSON shape; false if it was refused. */
  recordPipelineRun(run: PipelineRun): boolean {
    return this.guard('recordPipelineRun', false, () => {
      const result = validatePipelineRun(run);
      if (!result.ok) return this.refuse('recordPipelineRun', result.errors);
      const valid = result.value;
      if (valid.status === 'running') return true;
      const summary = summarizeRun({ ...valid, status: valid.status });
      this.domains.pipeline.recordRun(
        traceRun({ tracer: this.tracer }, context.active(), valid, summary),
      );
      return true;
    });
  }

  /** Records an engine snapshot in document 001's shape; false if it was refused. */
  recordTick(snapshot: EngineSnapshot): boolean {
    return this.guard('recordTick', false, () => {
      const result = readTick(snapshot);
      if (!result.ok) return this.refuse('recordTick', result.errors);
      this.domains.trading.record(result.value.readings);
      return true;
    });
  }

  /** Marks a data source as updated (now, unless a time is given). */
  sourceUpdated(source: string, at: Date = new Date(), expectedIntervalSeconds?: number): void {
    this.guard('sourceUpdated', undefined, () =>
      this.domains.sources.record({
        source,
        timestampSeconds: at.getTime() / 1000,
        expectedIntervalSeconds,
      }),
    );
  }

  /** The exposition, for tests or for serving from the caller's own HTTP framework. */
  metrics(format: ExpositionFormat = 'text'): Promise<string> {
    return this.domains.registry.renderToString(format);
  }

  /** A `node:http` handler serving `/metrics` with content negotiation. */
  metricsHandler(): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      const format = negotiateFormat(req.headers.accept);
      this.metrics(format).then(
        (body) => res.writeHead(200, { 'content-type': CONTENT_TYPES[format] }).end(body),
        (err: unknown) => {
          this.report('metrics', err);
          res.writeHead(500).end();
        },
      );
    };
  }

  private readonly guard = <T>(operation: string, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      this.report(operation, err);
      return fallback;
    }
  };

  private refuse(operation: string, errors: unknown): false {
    this.report(operation, errors);
    return false;
  }

  private report(operation: string, error: unknown): void {
    try {
      this.errors.inc([operation]);
      this.onError(operation, error);
    } catch {
      // The caller's handler failed too: nothing left to tell, and trading must go on.
    }
  }
}

export function createTradewatch(options?: TradewatchOptions): Tradewatch {
  return new Tradewatch(options);
}
