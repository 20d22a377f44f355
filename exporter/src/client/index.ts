import type {
  BaselineInput,
  ImportanceInput,
  OutcomeInput,
  PredictionInput,
} from '../drift/schema.js';
import type { PipelineRun } from '../pipeline/schema.js';
import type { PriceUpdate } from '../prices/schema.js';
import type { RankingInput } from '../ranking/schema.js';
import type { RecommendationInput } from '../recommendations/schema.js';
import type { SourceHeartbeat } from '../sources/schema.js';
import type { EngineSnapshot } from '../trading/schema.js';

export type {
  BaselineInput,
  EngineSnapshot,
  ImportanceInput,
  OutcomeInput,
  PredictionInput,
  PipelineRun,
  PriceUpdate,
  RankingInput,
  RecommendationInput,
  SourceHeartbeat,
};

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:9473` */
  baseUrl: string;
  /** Writer token for the ingest API. */
  token: string;
  /** Per-request timeout; a slow exporter must not hold up the caller. Default 2 s. */
  timeoutMs?: number;
}

/** Outcome of a send: never thrown, so a broken exporter cannot disturb the caller. */
export type SendResult =
  | { ok: true; accepted: number; duplicates: number }
  | { ok: false; status: number | undefined; error: string; retryAfterSeconds?: number };

/**
 * A small typed client for the ingest API, for TypeScript systems in another process. It posts
 * the same JSON a Python engine would, and resolves to a result instead of rejecting.
 */
export class TradewatchClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  sendPipelineRuns(runs: PipelineRun | PipelineRun[]): Promise<SendResult> {
    return this.post('/v1/pipeline-runs', runs);
  }

  sendTicks(ticks: EngineSnapshot | EngineSnapshot[]): Promise<SendResult> {
    return this.post('/v1/ticks', ticks);
  }

  sourceHeartbeat(source: string, beat: SourceHeartbeat = {}): Promise<SendResult> {
    return this.post(`/v1/sources/${encodeURIComponent(source)}/heartbeat`, beat);
  }

  /** Document 000 section 2.1's recommendations: tracked for 30 days from their discovery. */
  sendRecommendations(
    recommendations: RecommendationInput | RecommendationInput[],
  ): Promise<SendResult> {
    return this.post('/v1/recommendations', recommendations);
  }

  /** Prices of symbols a recommendation, ranking or position follows (others are refused). */
  sendPrices(updates: PriceUpdate | PriceUpdate[]): Promise<SendResult> {
    return this.post('/v1/prices', updates);
  }

  /** Ranked lists `{ strategy, list_id, time, items: [{ symbol, score }] }`. */
  sendRankings(lists: RankingInput | RankingInput[]): Promise<SendResult> {
    return this.post('/v1/rankings', lists);
  }

  /** Model predictions in document 002's shape (features, prediction, confidence, actual). */
  sendPredictions(predictions: PredictionInput | PredictionInput[]): Promise<SendResult> {
    return this.post('/v1/predictions', predictions);
  }

  /** Actuals that arrive after their predictions, by `prediction_id`. */
  sendOutcomes(outcomes: OutcomeInput | OutcomeInput[]): Promise<SendResult> {
    return this.post('/v1/outcomes', outcomes);
  }

  /** Sets a model's drift reference: `{ from, to }` of stored predictions, or `{ predictions }`. */
  setBaseline(model: string, baseline: BaselineInput): Promise<SendResult> {
    return this.post(`/v1/models/${encodeURIComponent(model)}/baseline`, baseline);
  }

  /** Feature importances and ensemble member weights of a model. */
  sendImportance(model: string, importance: ImportanceInput): Promise<SendResult> {
    return this.post(`/v1/models/${encodeURIComponent(model)}/importance`, importance);
  }

  private async post(path: string, body: unknown): Promise<SendResult> {
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.options.token}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.ok) {
        return {
          ok: true,
          // Baselines and importances answer with what they set, not an accepted count.
          accepted: Number(payload.accepted ?? 1),
          duplicates: Number(payload.duplicates ?? 0),
        };
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        ok: false,
        status: response.status,
        error: String(payload.message ?? response.statusText),
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      };
    } catch (err) {
      return { ok: false, status: undefined, error: (err as Error).message };
    }
  }
}
