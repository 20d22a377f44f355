import type { SendResult, TradewatchClient } from '../client/index.js';
import { backfill, DEFAULT_BACKFILL } from './backfill.js';
import { Engine } from './engine.js';
import { FaultSwitch } from './faults.js';
import { baseline, MODELS, prediction, type ModelSender } from './models.js';
import {
  DEFAULT_LEARNING,
  finalCandidates,
  planPurchases,
  rankingFor,
  recommendationsFor,
  TrackedSymbols,
  type Decision,
  type LearningOptions,
} from './learning.js';
import { runDiscovery, type DiscoveryRun } from './pipeline.js';
import { deriveSeed, Rng } from './random.js';
import { DEFAULT_UNIVERSE_SIZE, Universe } from './universe.js';

/** What the simulator needs of a client (TradewatchClient has it). */
export type Sender = Pick<
  TradewatchClient,
  | 'sendPipelineRuns'
  | 'sendTicks'
  | 'sourceHeartbeat'
  | 'sendRecommendations'
  | 'sendPrices'
  | 'sendRankings'
>;

export interface SourceSchedule {
  name: string;
  intervalMs: number;
}

export const DEFAULT_SOURCES: readonly SourceSchedule[] = [
  { name: 'polygon', intervalMs: 5_000 },
  { name: 'sentiment_feed', intervalMs: 30_000 },
];

export interface SimulatorOptions {
  client: Sender;
  seed: number;
  faults?: FaultSwitch;
  tickIntervalMs?: number;
  runIntervalMs?: number;
  /** How often the followed symbols' prices are sent (default 5 s). */
  priceIntervalMs?: number;
  /** Sends model predictions (documents 002/004) when given; none are sent without it. */
  models?: ModelSender;
  /** How often a batch of predictions per model is sent (default 2 s). */
  predictionIntervalMs?: number;
  /** Predictions per model and batch (default 25). */
  predictionBatch?: number;
  learning?: Partial<LearningOptions>;
  sources?: readonly SourceSchedule[];
  universeSize?: number;
  /** Sent as the snapshot's `engine` name; omitted by default (document 001 has none). */
  engineName?: string;
  /**
   * Days of history (recommendations, ranked lists, prices) sent at start, so that 1-day
   * horizons have matured (default 2; 0 sends none).
   */
  backfillDays?: number;
  /** The window of the engine's `provider_errors_1h` (shorter where time is compressed). */
  sentimentErrorWindowMs?: number;
  /** Daily loss (percent) at which the engine's circuit breaker trips (default 5). */
  circuitBreakerPct?: number;
  clock?: () => Date;
  log?: (message: string) => void;
}

const KINDS = [
  'tick',
  'pipeline_run',
  'source_heartbeat',
  'recommendation',
  'ranking',
  'price',
  'prediction',
  'baseline',
] as const;
type Kind = (typeof KINDS)[number];
/** Prices per request when sending the history (the exporter's default batch limit is 1000). */
const PRICE_BATCH = 500;
const counts = () => Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;

/**
 * The loop: an engine tick every `tickIntervalMs`, a discovery run every `runIntervalMs` (with
 * its recommendations, purchases and ranked list), prices of the recommended symbols every
 * `priceIntervalMs` and data-source heartbeats on their own cadence, all sent over the ingest
 * API. Sending never throws: the first failure of each kind is logged, and so is the recovery.
 */
export class Simulator {
  readonly faults: FaultSwitch;
  readonly sent: Record<Kind, number> = counts();
  readonly failed: Record<Kind, number> = counts();
  /** The recommended symbols whose prices are followed. */
  readonly tracked = new TrackedSymbols();

  private readonly client: Sender;
  private readonly clock: () => Date;
  private readonly log: (message: string) => void;
  private readonly tickIntervalMs: number;
  private readonly runIntervalMs: number;
  private readonly priceIntervalMs: number;
  private readonly learning: LearningOptions;
  private readonly sources: readonly SourceSchedule[];
  private readonly engine: Engine;
  private readonly universe: Universe;
  private readonly pipelineRng: Rng;
  private readonly learningRng: Rng;
  private readonly marketRng: Rng;
  private readonly modelRng: Rng;
  private readonly models: ModelSender | undefined;
  private readonly predictionIntervalMs: number;
  private readonly predictionBatch: number;
  private readonly backfillDays: number;
  /** Recent run ids (runs start `total_duration_ms` before they are sent, so not in order). */
  private readonly recentRunIds = new Set<string>();
  private readonly failing = new Set<Kind>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(options: SimulatorOptions) {
    this.client = options.client;
    this.faults = options.faults ?? new FaultSwitch();
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
    this.tickIntervalMs = options.tickIntervalMs ?? 1_000;
    this.runIntervalMs = options.runIntervalMs ?? 15_000;
    this.priceIntervalMs = options.priceIntervalMs ?? 5_000;
    this.learning = { ...DEFAULT_LEARNING, ...options.learning };
    this.sources = options.sources ?? DEFAULT_SOURCES;
    this.engine = new Engine(new Rng(deriveSeed(options.seed, 'engine')), {
      startTime: this.clock(),
      ...(options.engineName === undefined ? {} : { name: options.engineName }),
      ...(options.sentimentErrorWindowMs === undefined
        ? {}
        : { sentimentErrorWindowMs: options.sentimentErrorWindowMs }),
      ...(options.circuitBreakerPct === undefined
        ? {}
        : { circuitBreakerPct: options.circuitBreakerPct }),
    });
    this.universe = new Universe(
      new Rng(deriveSeed(options.seed, 'universe')),
      options.universeSize ?? DEFAULT_UNIVERSE_SIZE,
    );
    this.pipelineRng = new Rng(deriveSeed(options.seed, 'pipeline'));
    this.learningRng = new Rng(deriveSeed(options.seed, 'learning'));
    this.marketRng = new Rng(deriveSeed(options.seed, 'market'));
    this.modelRng = new Rng(deriveSeed(options.seed, 'models'));
    this.models = options.models;
    this.predictionIntervalMs = options.predictionIntervalMs ?? 2_000;
    this.predictionBatch = options.predictionBatch ?? 25;
    this.backfillDays = options.backfillDays ?? DEFAULT_BACKFILL.days;
  }

  get running(): boolean {
    return this.timers.length > 0;
  }

  /**
   * Sends the history (when asked for) and a first tick, run and heartbeats at once, then keeps
   * to the intervals.
   */
  start(): void {
    if (this.running) return;
    this.sendHistory();
    const every = (ms: number, step: () => void): void => {
      step();
      this.timers.push(setInterval(step, ms));
    };
    every(this.tickIntervalMs, () => this.tick());
    every(this.runIntervalMs, () => this.discover());
    every(this.priceIntervalMs, () => this.prices());
    for (const source of this.sources) every(source.intervalMs, () => this.heartbeat(source));
    if (this.models) {
      this.baselines(this.models);
      every(this.predictionIntervalMs, () => this.predict());
    }
  }

  /** Sets each model's baseline from predictions of the calm market (before any fault). */
  private baselines(models: ModelSender): void {
    for (const model of MODELS) {
      this.send(
        'baseline',
        models.setBaseline(model, baseline(this.modelRng, model, 500, this.clock())),
      );
    }
  }

  /** A batch of predictions per model, with outcomes; shifted while `drift` is on. */
  predict(): void {
    if (!this.models) return;
    const now = this.clock();
    const batch = MODELS.flatMap((model) =>
      Array.from({ length: this.predictionBatch }, () =>
        prediction(this.modelRng, model, this.faults.active, now),
      ),
    );
    this.send('prediction', this.models.sendPredictions(batch));
  }

  /** Stops the timers and waits for sends already under way. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await Promise.allSettled([...this.inFlight]);
  }

  /** One engine tick (skipped while `heartbeat_stop` is on: the engine is hung). */
  tick(): void {
    if (this.faults.isActive('heartbeat_stop')) return;
    const snapshot = this.engine.tick(
      this.clock(),
      this.faults.active,
      (symbol) => this.universe.listing(symbol)?.price,
    );
    this.send('tick', this.client.sendTicks(snapshot));
  }

  /**
   * One discovery run over a market that moved on since the last one; its top candidates are
   * bought, and every final candidate is recommended, ranked and followed.
   */
  discover(): void {
    this.universe.step();
    const now = this.clock();
    const run = runDiscovery({
      rng: this.pipelineRng,
      listings: this.universe.listings,
      now,
      faults: this.faults.active,
      usedIds: this.recentRunIds,
    });
    this.recentRunIds.add(run.pipeline_id);
    if (this.recentRunIds.size > 1000) {
      this.recentRunIds.delete(this.recentRunIds.values().next().value as string);
    }
    this.send('pipeline_run', this.client.sendPipelineRuns(run));
    this.learn(run, now);
  }

  /** Moves the followed symbols' prices on and sends those the exporter knows. */
  prices(): void {
    const listing = (symbol: string) => this.universe.listing(symbol);
    this.tracked.step(this.marketRng, listing);
    const updates = this.tracked.priceUpdates(this.clock(), listing);
    if (updates.length > 0) this.send('price', this.client.sendPrices(updates));
  }

  private learn(run: DiscoveryRun, now: Date): void {
    const candidates = finalCandidates(run);
    if (candidates.length === 0) return;
    const decisions = new Map<string, Decision>();
    for (const order of planPurchases(this.learningRng, run, this.learning)) {
      const refused = this.engine.buy(order, now, this.faults.active);
      decisions.set(
        order.symbol,
        refused === undefined ? { bought: true } : { bought: false, reason: refused },
      );
    }
    const recommendations = recommendationsFor(this.learningRng, run, decisions, this.learning);
    this.tracked.track(this.learningRng, candidates, now.getTime());
    this.tracked.evict(
      this.learning.maxTracked,
      now.getTime(),
      this.learning.trackingDays,
      this.engine.boughtSymbols(),
    );
    // Prices are accepted only for symbols the exporter was told about.
    const symbols = candidates.map((c) => c.symbol);
    const known = () => this.tracked.confirm(symbols);
    this.send('recommendation', this.client.sendRecommendations(recommendations), known);
    const ranking = rankingFor(run, this.learning.strategy);
    if (ranking) this.send('ranking', this.client.sendRankings(ranking), known);
  }

  /**
   * The past days' recommendations and ranked lists, then (once the exporter knows their
   * symbols) the prices since, oldest first; the live loop prices those symbols from then on.
   */
  private sendHistory(): void {
    if (this.backfillDays <= 0) return;
    const history = backfill(
      {
        now: this.clock(),
        universe: this.universe,
        tracked: this.tracked,
        pipelineRng: this.pipelineRng,
        learningRng: this.learningRng,
        marketRng: this.marketRng,
        learning: this.learning,
        usedIds: this.recentRunIds,
      },
      { ...DEFAULT_BACKFILL, days: this.backfillDays },
    );
    if (history.symbols.length === 0) return;
    const sending = (async () => {
      const known = await Promise.all([
        this.send('recommendation', this.client.sendRecommendations(history.recommendations)),
        this.send('ranking', this.client.sendRankings(history.rankings)),
      ]);
      if (!known.some(Boolean)) return;
      for (let i = 0; i < history.prices.length; i += PRICE_BATCH) {
        if (!this.running) return; // stopped meanwhile
        const batch = history.prices.slice(i, i + PRICE_BATCH);
        if (!(await this.send('price', this.client.sendPrices(batch)))) return;
      }
      this.tracked.confirm(history.symbols);
    })();
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  heartbeat(source: SourceSchedule): void {
    if (this.faults.isActive('source_stall')) return;
    const beat = {
      timestamp: this.clock().toISOString(),
      expected_interval_seconds: source.intervalMs / 1000,
    };
    this.send('source_heartbeat', this.client.sourceHeartbeat(source.name, beat));
  }

  /** Sends, counts and logs; resolves with whether it was accepted (never rejects). */
  private send(
    kind: Kind,
    sending: Promise<SendResult>,
    onAccepted?: () => void,
  ): Promise<boolean> {
    const done = sending
      .catch((err: unknown): SendResult => ({
        ok: false,
        status: undefined,
        error: (err as Error).message,
      }))
      .then((result) => {
        this.report(kind, result);
        if (result.ok) onAccepted?.();
        return result.ok;
      });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return done;
  }

  private report(kind: Kind, result: SendResult): void {
    if (result.ok) {
      this.sent[kind]++;
      if (this.failing.delete(kind)) this.log(`sending ${kind} works again`);
      return;
    }
    this.failed[kind]++;
    if (this.failing.has(kind)) return;
    this.failing.add(kind);
    const status = result.status === undefined ? '' : ` (HTTP ${result.status})`;
    this.log(`cannot send ${kind}${status}: ${result.error}; retrying quietly`);
  }
}
