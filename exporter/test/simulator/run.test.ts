import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExporter } from '../../src/app.js';
import {
  TradewatchClient,
  type EngineSnapshot,
  type PipelineRun,
  type PriceUpdate,
  type RankingInput,
  type RecommendationInput,
  type SendResult,
  type SourceHeartbeat,
} from '../../src/client/index.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { validatePipelineRun } from '../../src/pipeline/schema.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { readTick } from '../../src/trading/schema.js';
import { FaultSwitch } from '../../src/simulator/faults.js';
import { Simulator, type Sender } from '../../src/simulator/run.js';
import { errorsOf, validPrice, validRanking, validRecommendation } from './validators.js';

const OK: SendResult = { ok: true, accepted: 1, duplicates: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Method = keyof Sender;

/** A sender that keeps what it is given and answers `result` (or throws it). */
class FakeSender implements Sender {
  runs: PipelineRun[] = [];
  ticks: EngineSnapshot[] = [];
  beats: { source: string; beat: SourceHeartbeat }[] = [];
  recommendations: RecommendationInput[][] = [];
  prices: PriceUpdate[][] = [];
  rankings: RankingInput[] = [];
  result: SendResult | Error = OK;
  /** Methods answering 400 whatever `result` says. */
  refuse = new Set<Method>();

  private answer(method?: Method): Promise<SendResult> {
    if (method && this.refuse.has(method)) {
      return Promise.resolve({ ok: false, status: 400, error: 'refused' });
    }
    return this.result instanceof Error
      ? Promise.reject(this.result)
      : Promise.resolve(this.result);
  }
  sendRecommendations(recs: RecommendationInput | RecommendationInput[]) {
    this.recommendations.push([recs].flat());
    return this.answer('sendRecommendations');
  }
  sendPrices(updates: PriceUpdate | PriceUpdate[]) {
    this.prices.push([updates].flat());
    return this.answer('sendPrices');
  }
  sendRankings(lists: RankingInput | RankingInput[]) {
    this.rankings.push(...[lists].flat());
    return this.answer('sendRankings');
  }
  sendPipelineRuns(runs: PipelineRun | PipelineRun[]) {
    this.runs.push(...[runs].flat());
    return this.answer();
  }
  sendTicks(ticks: EngineSnapshot | EngineSnapshot[]) {
    this.ticks.push(...[ticks].flat());
    return this.answer();
  }
  sourceHeartbeat(source: string, beat: SourceHeartbeat = {}) {
    this.beats.push({ source, beat });
    return this.answer();
  }
}

/** A fake clock that starts at 2025-09-03T14:30:00Z (or `start`) and moves only when told. */
function fakeClock(start = Date.UTC(2025, 8, 3, 14, 30, 0)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

function simulator(
  seed = 1,
  sender = new FakeSender(),
  log: string[] = [],
  options: Partial<ConstructorParameters<typeof Simulator>[0]> & { start?: number } = {},
) {
  const clock = fakeClock(options.start);
  const sim = new Simulator({
    client: sender,
    seed,
    clock: clock.now,
    log: (m) => log.push(m),
    universeSize: 500,
    ...options,
  });
  return { sim, sender, clock, log };
}

/** A simulator on the whole 3,000-symbol universe whose clock starts now (prices and lists
 * older than the exporter's retention are refused). */
const learning = (seed = 1, options: Partial<ConstructorParameters<typeof Simulator>[0]> = {}) =>
  simulator(seed, new FakeSender(), [], {
    universeSize: 3000,
    start: Math.floor(Date.now() / 1000) * 1000,
    ...options,
  });

describe('Simulator steps (fake clock, fake sender)', () => {
  it('sends valid ticks, runs and heartbeats', async () => {
    const { sim, sender, clock } = simulator();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      sim.tick();
    }
    clock.advance(15_000);
    sim.discover();
    sim.heartbeat({ name: 'polygon', intervalMs: 5000 });
    await sim.stop();

    expect(sender.ticks).toHaveLength(3);
    expect(sender.ticks.map((t) => t.timestamp)).toEqual([
      '2025-09-03T14:30:01.000Z',
      '2025-09-03T14:30:02.000Z',
      '2025-09-03T14:30:03.000Z',
    ]);
    for (const t of sender.ticks) expect(readTick(t).ok).toBe(true);
    expect(sender.runs).toHaveLength(1);
    expect(validatePipelineRun(sender.runs[0]).ok).toBe(true);
    expect(sender.runs[0]?.end_time).toBe('2025-09-03T14:30:18Z');
    expect(sender.runs[0]?.stages[0]?.symbols_input).toBe(500);
    expect(sender.beats).toEqual([
      {
        source: 'polygon',
        beat: { timestamp: '2025-09-03T14:30:18.000Z', expected_interval_seconds: 5 },
      },
    ]);
    const recommended = sender.recommendations.length;
    expect(sim.sent).toEqual({
      tick: 3,
      pipeline_run: 1,
      source_heartbeat: 1,
      recommendation: recommended,
      ranking: recommended,
      price: 0,
      prediction: 0, // no model sender given
      baseline: 0,
    });
  });

  it('gives every run its own id, even several in one second', () => {
    const { sim, sender } = simulator();
    for (let i = 0; i < 5; i++) sim.discover();
    expect(new Set(sender.runs.map((r) => r.pipeline_id)).size).toBe(5);
  });

  it('repeats itself for a seed', () => {
    const a = simulator(7);
    const b = simulator(7);
    const c = simulator(8);
    for (const { sim } of [a, b, c]) {
      sim.discover();
      sim.tick();
      sim.tracked.confirm(sim.tracked.symbols());
      sim.prices();
    }
    expect(b.sender.runs).toEqual(a.sender.runs);
    expect(b.sender.ticks).toEqual(a.sender.ticks);
    expect(b.sender.recommendations).toEqual(a.sender.recommendations);
    expect(b.sender.rankings).toEqual(a.sender.rankings);
    expect(b.sender.prices).toEqual(a.sender.prices);
    expect(c.sender.runs).not.toEqual(a.sender.runs);
  });

  it('heartbeat_stop sends no ticks and source_stall no heartbeats, until switched off', async () => {
    const { sim, sender } = learning();
    sim.faults.set('heartbeat_stop', true);
    sim.faults.set('source_stall', true);
    sim.tick();
    sim.heartbeat({ name: 'polygon', intervalMs: 5000 });
    expect(sender.ticks).toHaveLength(0);
    expect(sender.beats).toHaveLength(0);
    sim.discover(); // discovery, recommendations, rankings and prices carry on
    await sim.stop();
    sim.prices();
    expect(sender.runs).toHaveLength(1);
    expect(sender.recommendations).toHaveLength(1);
    expect(sender.rankings).toHaveLength(1);
    expect(sender.prices).toHaveLength(1);
    sim.faults.set('heartbeat_stop', false);
    sim.faults.set('source_stall', false);
    sim.tick();
    sim.heartbeat({ name: 'polygon', intervalMs: 5000 });
    expect(sender.ticks).toHaveLength(1);
    expect(sender.beats).toHaveLength(1);
  });

  it('no_volume_spike empties the runs it sends: nothing to recommend, rank or price', async () => {
    const { sim, sender } = learning();
    sim.faults.set('no_volume_spike', true);
    sim.discover();
    await sim.stop();
    sim.prices();
    expect(sender.runs[0]?.stages.map((s) => s.symbols_output).slice(2)).toEqual([0, 0, 0]);
    expect([sender.recommendations, sender.rankings, sender.prices]).toEqual([[], [], []]);
  });

  it('logs the first failure of each kind once, never throws, and logs the recovery', async () => {
    const { sim, sender, log } = simulator();
    sender.result = { ok: false, status: 503, error: 'exporter is down' };
    for (let i = 0; i < 3; i++) {
      sim.tick();
      sim.discover();
    }
    sender.result = new Error('connect ECONNREFUSED');
    sim.tick();
    sim.heartbeat({ name: 'polygon', intervalMs: 5000 });
    sim.heartbeat({ name: 'polygon', intervalMs: 5000 });
    await sim.stop();
    expect(sender.recommendations.length).toBeGreaterThan(0); // the first run found some
    expect(log).toEqual([
      'cannot send tick (HTTP 503): exporter is down; retrying quietly',
      'cannot send pipeline_run (HTTP 503): exporter is down; retrying quietly',
      'cannot send recommendation (HTTP 503): exporter is down; retrying quietly',
      'cannot send ranking (HTTP 503): exporter is down; retrying quietly',
      'cannot send source_heartbeat: connect ECONNREFUSED; retrying quietly',
    ]);
    expect(sim.failed).toEqual({
      tick: 4,
      pipeline_run: 3,
      source_heartbeat: 2,
      recommendation: sender.recommendations.length,
      ranking: sender.rankings.length,
      price: 0,
      prediction: 0, // no model sender given
      baseline: 0,
    });

    sender.result = OK;
    sim.tick();
    sim.tick();
    sim.prices(); // nothing: the exporter was never told about the symbols
    await sim.stop();
    expect(sender.prices).toEqual([]);
    expect(log.at(-1)).toBe('sending tick works again');
    expect(log).toHaveLength(6);
  });
});

describe('Simulator learning loop (fake clock, fake sender)', () => {
  it('recommends every final candidate, buys the top ones and ranks them all', async () => {
    const { sim, sender, clock } = learning(1);
    sim.discover();
    clock.advance(1000);
    sim.tick();
    await sim.stop();

    const run = sender.runs[0] as PipelineRun;
    const finalStage = run.stages.find((s) => s.stage_name === 'final_ranking');
    const candidates = (finalStage?.final_candidates ?? []) as {
      symbol: string;
      composite_score: number;
      price: number;
    }[];
    expect(candidates.length).toBeGreaterThan(2);
    const recs = sender.recommendations[0] as RecommendationInput[];
    expect(recs.map((r) => r.symbol)).toEqual(candidates.map((c) => c.symbol));
    for (const rec of recs) expect(errorsOf(validRecommendation(rec))).toEqual([]);
    expect(recs.map((r) => r.bought)).toEqual(candidates.map((_, i) => i < 2));
    expect(recs.map((r) => r.recommendation_data.price_at_discovery)).toEqual(
      candidates.map((c) => c.price),
    );
    expect(new Set(recs.map((r) => r.discovery_date))).toEqual(new Set([run.end_time]));

    const ranking = sender.rankings[0] as RankingInput;
    expect(errorsOf(validRanking(ranking))).toEqual([]);
    expect(ranking.list_id).toBe(run.pipeline_id);
    expect(ranking.items).toEqual(
      candidates.map((c) => ({ symbol: c.symbol, score: c.composite_score })),
    );

    const tick = sender.ticks[0] as EngineSnapshot;
    expect(errorsOf(readTick(tick))).toEqual([]);
    const holdings = tick.positions.holdings ?? [];
    expect(holdings).toHaveLength(tick.positions.count);
    const bought = recs.filter((r) => r.bought).map((r) => r.symbol);
    const withThesis = holdings.filter((h) => h.thesis !== undefined);
    expect(withThesis.map((h) => h.symbol)).toEqual(bought);
    for (const h of withThesis) {
      const rec = recs.find((r) => r.symbol === h.symbol);
      expect(h.entry_price).toBe(rec?.recommendation_data.price_at_discovery);
      expect(h.thesis).toBe(rec?.recommendation_data.thesis);
    }
  });

  it('sends the prices of the symbols the exporter accepted, as the holdings show them', async () => {
    const { sim, sender, clock } = learning(2);
    sim.discover();
    await sim.stop(); // the recommendations are accepted: their symbols are known
    const recs = sender.recommendations[0] as RecommendationInput[];
    for (let i = 0; i < 3; i++) {
      clock.advance(5000);
      sim.prices();
      sim.tick();
    }
    await sim.stop();
    expect(sender.prices).toHaveLength(3);
    const last = sender.prices.at(-1) as PriceUpdate[];
    expect(last.map((u) => u.symbol).sort()).toEqual(recs.map((r) => r.symbol).sort());
    for (const u of sender.prices.flat()) expect(errorsOf(validPrice(u))).toEqual([]);
    const holdings = (sender.ticks.at(-1) as EngineSnapshot).positions.holdings ?? [];
    for (const rec of recs.filter((r) => r.bought)) {
      const price = last.find((u) => u.symbol === rec.symbol)?.price;
      expect(holdings.find((h) => h.symbol === rec.symbol)?.current_price).toBe(price);
    }
    expect(sim.sent.price).toBe(3);
  });

  it('sends no prices for symbols whose recommendation and ranking were refused', async () => {
    const { sim, sender } = learning(3);
    sender.refuse = new Set(['sendRecommendations', 'sendRankings']);
    sim.discover();
    await sim.stop();
    sim.prices();
    expect(sender.prices).toEqual([]);
    sender.refuse.clear();
    sim.discover();
    await sim.stop();
    sim.prices();
    expect(sender.prices).toHaveLength(1);
  });

  it('follows a bounded set of symbols, oldest recommendation dropped first', async () => {
    const { sim, sender, clock } = learning(4, { learning: { maxTracked: 12 } });
    for (let i = 0; i < 30; i++) {
      clock.advance(15_000);
      sim.discover();
      await sim.stop();
      sim.prices();
      sim.tick();
      expect(sim.tracked.size).toBeLessThanOrEqual(12);
    }
    await sim.stop();
    const symbols = new Set(sender.recommendations.flat().map((r) => r.symbol));
    expect(symbols.size).toBeGreaterThan(12);
    for (const batch of sender.prices) expect(batch.length).toBeLessThanOrEqual(12);
    for (const tick of sender.ticks) {
      expect(tick.positions.holdings).toHaveLength(tick.positions.count);
    }
    // purchases stay followed while held: their prices keep coming
    const held = (sender.ticks.at(-1) as EngineSnapshot).positions.holdings ?? [];
    for (const h of held.filter((x) => x.thesis !== undefined)) {
      expect(sim.tracked.get(h.symbol)).toBeDefined();
    }
    expect(sim.failed).toMatchObject({ recommendation: 0, ranking: 0, price: 0 });
  });
});

describe('Simulator timers', () => {
  it('sends at once on start, then on each interval, and nothing after stop', async () => {
    const sender = new FakeSender();
    const sim = new Simulator({
      client: sender,
      seed: 3,
      tickIntervalMs: 20,
      runIntervalMs: 60,
      sources: [{ name: 'fast_feed', intervalMs: 30 }],
      universeSize: 300,
    });
    sim.start();
    expect([sender.ticks.length, sender.runs.length, sender.beats.length]).toEqual([1, 1, 1]);
    await sleep(300);
    await sim.stop();
    expect(sim.running).toBe(false);
    const counts = [sender.ticks.length, sender.runs.length, sender.beats.length];
    expect(counts[0]).toBeGreaterThanOrEqual(6);
    expect(counts[1]).toBeGreaterThanOrEqual(3);
    expect(counts[2]).toBeGreaterThanOrEqual(4);
    expect(sender.beats[0]?.beat.expected_interval_seconds).toBe(0.03);
    await sleep(100);
    expect([sender.ticks.length, sender.runs.length, sender.beats.length]).toEqual(counts);
  });
});

describe('Simulator against a real exporter', () => {
  const token = 'simulator-test-token-0123456789';
  const logger = createLogger('silent');
  let server: RunningServer;
  let sim: Simulator;

  beforeAll(async () => {
    const config = loadConfig({
      env: {
        TRADEWATCH_INGEST_TOKEN: token,
        TRADEWATCH_STORAGE__PGLITE_DATA_DIR: 'memory://',
        // Ranking quality and returns are computed at this interval (15 s by default).
        TRADEWATCH_STORAGE__SHARED_METRICS_INTERVAL_SECONDS: '1',
      },
    });
    server = await startServer(
      await createExporter(config, logger),
      { host: '127.0.0.1', port: 0, shutdownTimeoutSeconds: 1 },
      logger,
    );
    sim = new Simulator({
      // These tests are about what the exporter accepts, not how fast: on a loaded machine the
      // two days of history sent first can hold a request past the client's default 2 s timeout,
      // which the simulator counts as a failure.
      client: new TradewatchClient({ baseUrl: server.url, token, timeoutMs: 30_000 }),
      seed: 42,
      faults: new FaultSwitch(),
      tickIntervalMs: 25,
      runIntervalMs: 100,
      priceIntervalMs: 50,
      sources: [
        { name: 'polygon', intervalMs: 50 },
        { name: 'sentiment_feed', intervalMs: 300 },
      ],
    });
    sim.start();
  });
  afterAll(async () => {
    await sim.stop();
    await server.shutdown();
  });

  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
  const value = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  /** Polls the exposition until `series` satisfies `test` (or gives up after 5 s). */
  async function until(series: string, test: (v: number) => boolean): Promise<number | undefined> {
    let v: number | undefined;
    for (let i = 0; i < 100; i++) {
      v = value(await metrics(), series);
      if (v !== undefined && test(v)) return v;
      await sleep(50);
    }
    return v;
  }

  it('fills the pipeline, engine and data-source series, with nothing refused', async () => {
    expect(
      await until(
        'tradewatch_pipeline_runs_total{pipeline="discovery",status="completed"}',
        (v) => v >= 2,
      ),
    ).toBeGreaterThanOrEqual(2);
    const text = await metrics();
    expect(
      value(
        text,
        'tradewatch_pipeline_stage_symbols_input{pipeline="discovery",stage="universe_loading"}',
      ),
    ).toBe(3000);
    expect(value(text, 'tradewatch_engine_ticks_total{engine="default"}')).toBeGreaterThan(0);
    expect(value(text, 'tradewatch_engine_circuit_breaker_active{engine="default"}')).toBe(0);
    expect(
      value(text, 'tradewatch_engine_connectivity_up{engine="default",service="breeze"}'),
    ).toBe(1);
    expect(value(text, 'tradewatch_data_source_expected_interval_seconds{source="polygon"}')).toBe(
      0.05,
    );
    expect(sim.failed).toEqual({
      tick: 0,
      pipeline_run: 0,
      source_heartbeat: 0,
      recommendation: 0,
      ranking: 0,
      price: 0,
      prediction: 0, // no model sender given
      baseline: 0,
    });

    const status = (await (await fetch(`${server.url}/monitoring/discovery/pipeline`)).json()) as {
      pipeline_id: string;
    };
    expect(status.pipeline_id).toMatch(/^discovery_\d{8}_\d{6}(_\d+)?$/);
  });

  it('feeds the learning loop: recommendations, rankings, prices and holdings accepted', async () => {
    for (const kind of ['recommendation', 'ranking', 'price']) {
      expect(
        await until(`tradewatch_ingest_events_total{kind="${kind}"}`, (v) => v >= 2),
      ).toBeGreaterThanOrEqual(2);
    }
    const text = await metrics();
    expect(value(text, 'tradewatch_recommendations_received_total{bought="true"}')).toBeGreaterThan(
      0,
    );
    expect(
      value(text, 'tradewatch_recommendations_received_total{bought="false"}'),
    ).toBeGreaterThan(0);
    expect(
      value(text, 'tradewatch_ranking_lists_received_total{strategy="squeeze_v1"}'),
    ).toBeGreaterThan(0);
    // Initialised at 0 for every kind and reason; none may have moved.
    expect(text).not.toMatch(
      /^tradewatch_ingest_failures_total\{kind="(recommendation|ranking|price)",[^}]*\} [1-9]/m,
    );
    expect(sim.failed).toMatchObject({ recommendation: 0, ranking: 0, price: 0 });

    const get = async (path: string) => {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    // Positions are read from the database: wait for the buffered writes (up to 5 s).
    let held: string[] = [];
    for (let i = 0; i < 100 && held.length === 0; i++) {
      if (i > 0) await sleep(50);
      const portfolio = (await get('/dip-detection/portfolio-analysis')) as {
        portfolio_positions: { symbol: string; thesis_strength: string | null }[];
      };
      held = portfolio.portfolio_positions
        .filter((p) => p.thesis_strength !== null && sim.tracked.get(p.symbol) !== undefined)
        .map((p) => p.symbol);
    }
    expect(held.length).toBeGreaterThan(0);
    const missed = await get('/learning/missed-opportunities');
    expect(missed).toHaveProperty('missed_opportunities');
    await get('/v1/rankings/quality');
  });

  it('sends two days of history first: 1-day ranking horizons and checkpoints have matured', async () => {
    // Lists and recommendations from the live loop are minutes old: only the history is a day
    // old, so anything evaluated at 1 day comes from it.
    expect(
      await until('tradewatch_recommendation_return_ratio_count{horizon="1d"}', (v) => v > 0),
    ).toBeGreaterThan(0);
    expect(
      await until(
        'tradewatch_ranking_evaluated_lists{strategy="squeeze_v1",horizon="1d"}',
        (v) => v > 0,
      ),
    ).toBeGreaterThan(0);
    const text = await metrics();
    expect(
      value(text, 'tradewatch_ranking_unpriced_items{strategy="squeeze_v1",horizon="1d"}'),
    ).toBe(0);
    expect(value(text, 'tradewatch_recommendation_return_ratio_count{horizon="7d"}')).toBe(0);
  });

  it('shows a fault switched on: the circuit breaker gauge goes to 1', async () => {
    sim.faults.set('circuit_breaker', true);
    expect(
      await until('tradewatch_engine_circuit_breaker_active{engine="default"}', (v) => v === 1),
    ).toBe(1);
    const loss = value(await metrics(), 'tradewatch_engine_daily_loss_ratio{engine="default"}');
    expect(loss).toBeGreaterThanOrEqual(0.05);
    sim.faults.set('circuit_breaker', false);
    expect(
      await until('tradewatch_engine_circuit_breaker_active{engine="default"}', (v) => v === 0),
    ).toBe(0);
  });

  it('shows no_volume_spike as runs with no final candidates', async () => {
    sim.faults.set('no_volume_spike', true);
    expect(
      await until(
        'tradewatch_pipeline_consecutive_empty_runs{pipeline="discovery"}',
        (v) => v >= 2,
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      value(await metrics(), 'tradewatch_pipeline_final_candidates{pipeline="discovery"}'),
    ).toBe(0);
    sim.faults.set('no_volume_spike', false);
  });
});
