import type { Holding } from '../positions/schema.js';
import type { ActiveFaults } from './faults.js';
import { clamp, round, type Rng } from './random.js';

/**
 * An engine metrics snapshot in document 001's shape, plus `pnl.equity`, `api` and
 * `positions.holdings` (every open position, with the thesis of those bought from discovery).
 */
export type EngineTick = {
  timestamp: string;
  engine?: string;
  heartbeat: { last_tick: string; uptime_seconds: number };
  positions: { count: number; total_value: number; symbols: string[]; holdings: Holding[] };
  pnl: { daily: number; unrealized: number; realized: number; equity: number };
  risk: { circuit_breaker_active: boolean; daily_loss_pct: number; max_position_value: number };
  sentiment: { last_score: number; provider_errors_1h: number; cache_hit_rate: number };
  connectivity: { breeze_authenticated: boolean; last_api_call: string };
  artifacts: { teacher_model_age_hours: number; student_model_age_hours: number };
  /** Events since the previous snapshot. */
  api: { breeze: { rate_limit_hits: number; auth_failures: number } };
};

export interface EngineOptions {
  startTime: Date;
  /** Sent as the `engine` extension when set; the exporter names it `default` otherwise. */
  name?: string;
  startingEquity?: number;
  /** Daily loss (percent) at which the breaker trips. */
  circuitBreakerPct?: number;
  symbols?: readonly string[];
  /** Positions bought from discovery held at most; buying one more sells the oldest. */
  maxBought?: number;
  /**
   * The window `sentiment.provider_errors_1h` counts errors over (default an hour): shorter
   * only where time is compressed, as in the end-to-end tests.
   */
  sentimentErrorWindowMs?: number;
}

/** Why a discovery candidate was bought, and how that reason is to fare (document 000 3.2). */
export interface ThesisPlan {
  text: string;
  /** When the thesis was formed (the discovery run's end). */
  date: string;
  /** The volume multiple the thesis predicts (the candidate's spike). */
  volumeVsAvg: number;
  /** Seconds in which the thesis loses half its strength; absent for a thesis that holds. */
  halfLifeSeconds?: number;
  /** Shown as dip_analysis.catalyst_timeline. */
  catalyst: string;
}

/** A discovery candidate the engine is asked to buy. */
export interface Purchase {
  symbol: string;
  /** The price it is bought at (the candidate's price). */
  price: number;
  /** Money put in; the quantity is rounded down to whole shares (at least one). */
  notional: number;
  thesis: ThesisPlan;
}

interface Position {
  symbol: string;
  quantity: number;
  /** The price paid (the holding's entry_price). */
  cost: number;
  openedMs: number;
  /** The session's reference price: PnL is counted from it (reset with each session). */
  entry: number;
  /**
   * Own positions: ln(price / entry), mean-reverting noise plus any shocks. Positions bought
   * from discovery follow the market's quote and carry only the shocks here.
   */
  deviation: number;
  /** ln of a rebound's lift: unlike `deviation` it does not revert (until the next session). */
  rebound: number;
  bought?: { thesis: ThesisPlan; quote: number };
}

/** The market's price of a symbol, when the engine's caller knows it. */
export type Quotes = (symbol: string) => number | undefined;

const HOUR_MS = 3_600_000;
const DEFAULT_SYMBOLS = [
  'RELIANCE',
  'TCS',
  'INFY',
  'HDFCBANK',
  'ICICIBANK',
  'SBIN',
  'WIPRO',
  'QUBT',
  'CRWV',
  'AEVA',
];
/**
 * Per-tick price moves are small and revert to a slight edge (long-run spread about 1% around
 * +0.1%), so without a fault the breaker does not trip.
 */
const PRICE_NOISE = 0.0006;
const PRICE_PERSISTENCE = 0.998;
const PRICE_EDGE = 0.001;
const BREAKER_SHOCK = Math.log(1 - 0.015);
const CRASH_SHOCK = Math.log(1 - 0.03);
/** A crash stops once equity is this far below where it began. */
const CRASH_DEPTH = 0.15;
/**
 * After a crash the market rebounds: each tick lifts prices by 1-3% until equity stands this
 * far above its highest value of the last day, so the drawdown the alerts measure is over.
 */
const RECOVERY_STEP = [0.01, 0.03] as const;
const RECOVERY_MARGIN = 0.01;
const TEACHER_RETRAIN_HOURS = 20;
const STUDENT_RETRAIN_HOURS = 6;
const STALE_TEACHER_HOURS = 49;

/**
 * A synthetic trading engine: a handful of positions whose prices wander, realized and
 * unrealized PnL, a circuit breaker, a sentiment provider, a broker session and two model
 * artifacts. `tick()` moves it on and returns the snapshot; it does no I/O.
 */
export class Engine {
  private readonly startMs: number;
  private readonly name: string | undefined;
  private readonly breakerPct: number;
  private readonly symbols: readonly string[];
  private readonly maxBought: number;
  private readonly positions: Position[] = [];
  private nowMs: number;
  private previousFaults = new Set<string>();

  private day = '';
  private dayStartEquity: number;
  private realized = 0;
  private breakerActive = false;
  private crashFloor: number | undefined;
  /** The equity a rebound after a crash climbs to; undefined when none is under way. */
  private recoveryTarget: number | undefined;
  private readonly peaks = new DailyPeak();
  private readonly sentimentErrorWindowMs: number;

  private sentimentScore: number;
  private cacheHitRate = 0.85;
  private readonly sentimentErrors: number[] = [];
  private lastApiCallMs: number;
  private teacherUpdatedMs: number;
  private studentUpdatedMs: number;

  constructor(
    private readonly rng: Rng,
    options: EngineOptions,
  ) {
    this.startMs = options.startTime.getTime();
    this.name = options.name;
    this.breakerPct = options.circuitBreakerPct ?? 5;
    this.symbols = options.symbols ?? DEFAULT_SYMBOLS;
    this.maxBought = options.maxBought ?? 4;
    this.sentimentErrorWindowMs = options.sentimentErrorWindowMs ?? HOUR_MS;
    this.nowMs = this.startMs;
    this.dayStartEquity = options.startingEquity ?? 250_000;
    this.sentimentScore = round(rng.uniform(-0.2, 0.6), 3);
    this.lastApiCallMs = this.startMs;
    this.teacherUpdatedMs = this.startMs - rng.uniform(1, 12) * HOUR_MS;
    this.studentUpdatedMs = this.startMs - rng.uniform(0, 4) * HOUR_MS;
    this.day = dayOf(this.startMs);
    while (this.positions.length < 5) this.open();
  }

  /** Symbols held that were bought from discovery (their prices are the market's). */
  boughtSymbols(): Set<string> {
    return new Set(this.positions.filter((p) => p.bought).map((p) => p.symbol));
  }

  /**
   * Buys a discovery candidate, selling the oldest such position first when `maxBought` are
   * held. Returns why it did not, or undefined when it did. Draws nothing from the rng.
   */
  buy(order: Purchase, now: Date, faults: ActiveFaults): string | undefined {
    if (this.breakerActive) return 'Circuit breaker active: the engine is not trading';
    if (faults.has('connectivity_loss')) return 'Broker session lost: the order was not placed';
    if (this.crashFloor !== undefined && this.equity() > this.crashFloor) {
      return 'Market crash under way: no new positions';
    }
    if (this.positions.some((p) => p.symbol === order.symbol)) return 'Already held';
    if (!(order.price > 0)) return 'No price to buy at';
    const bought = this.positions.filter((p) => p.bought);
    if (bought.length >= this.maxBought && bought[0]) {
      this.close(this.positions.indexOf(bought[0]));
    }
    this.positions.push({
      symbol: order.symbol,
      quantity: Math.max(1, Math.floor(order.notional / order.price)),
      cost: order.price,
      openedMs: now.getTime(),
      entry: order.price,
      deviation: 0,
      rebound: 0,
      bought: { thesis: order.thesis, quote: order.price },
    });
    return undefined;
  }

  /** Moves the engine on to `now`; `quotes` prices the positions bought from discovery. */
  tick(now: Date, faults: ActiveFaults, quotes?: Quotes): EngineTick {
    const nowMs = now.getTime();
    this.nowMs = Math.max(this.nowMs, nowMs);
    for (const p of this.positions) {
      const quote = p.bought && quotes?.(p.symbol);
      if (p.bought && quote !== undefined && quote > 0) p.bought.quote = quote;
    }
    this.onFaultChanges(faults, nowMs);
    if (dayOf(nowMs) !== this.day) {
      this.day = dayOf(nowMs);
      this.newSession();
    }
    const connected = !faults.has('connectivity_loss');
    const crashing = this.crashFloor !== undefined && this.equity() > this.crashFloor;

    if (!this.breakerActive && connected && !crashing) this.trade();
    const recovering = this.recoveryTarget !== undefined;
    this.moveMarket(faults.has('circuit_breaker') && !this.breakerActive, crashing, recovering);
    if (recovering && this.equity() >= (this.recoveryTarget ?? 0)) this.recoveryTarget = undefined;
    if (!this.breakerActive && this.lossPct() <= -this.breakerPct) {
      this.breakerActive = true;
      if (this.crashFloor === undefined) this.flatten(); // in a crash there is no one to sell to
    }

    this.updateSentiment(nowMs, faults.has('sentiment_failures'));
    let authFailures = 0;
    if (connected) this.lastApiCallMs = nowMs;
    else authFailures = this.rng.int(1, 3);
    const rateLimitHits = connected && this.rng.chance(0.005) ? 1 : 0;
    this.updateArtifacts(nowMs, faults.has('stale_artifact'));

    const values = this.positions.map((p) => p.quantity * priceOf(p));
    const unrealized = this.unrealized();
    // in cents, so that daily = realized + unrealized and equity = day start + daily as sent
    const daily = round(round(this.realized, 2) + round(unrealized, 2), 2);
    const equity = round(this.dayStartEquity + daily, 2);
    this.peaks.add(nowMs, equity);
    const iso = now.toISOString();
    return {
      timestamp: iso,
      ...(this.name === undefined ? {} : { engine: this.name }),
      heartbeat: { last_tick: iso, uptime_seconds: Math.floor((nowMs - this.startMs) / 1000) },
      positions: {
        count: this.positions.length,
        total_value: round(
          values.reduce((a, b) => a + b, 0),
          2,
        ),
        symbols: this.positions.map((p) => p.symbol),
        holdings: this.positions.map((p) => this.holding(p, nowMs)),
      },
      pnl: {
        daily,
        unrealized: round(unrealized, 2),
        realized: round(this.realized, 2),
        equity,
      },
      risk: {
        circuit_breaker_active: this.breakerActive,
        daily_loss_pct: round(this.lossPct(), 3),
        max_position_value: round(Math.max(0, ...values), 2),
      },
      sentiment: {
        last_score: this.sentimentScore,
        provider_errors_1h: this.sentimentErrors.length,
        cache_hit_rate: round(this.cacheHitRate, 3),
      },
      connectivity: {
        breeze_authenticated: connected,
        last_api_call: new Date(this.lastApiCallMs).toISOString(),
      },
      artifacts: {
        teacher_model_age_hours: round((nowMs - this.teacherUpdatedMs) / HOUR_MS, 2),
        student_model_age_hours: round((nowMs - this.studentUpdatedMs) / HOUR_MS, 2),
      },
      api: { breeze: { rate_limit_hits: rateLimitHits, auth_failures: authFailures } },
    };
  }

  /** A position as `positions.holdings` lists it; bought ones with their thesis' factors. */
  private holding(p: Position, nowMs: number): Holding {
    const current = Math.max(0.0001, round(priceOf(p), 4));
    const base: Holding = {
      symbol: p.symbol,
      quantity: p.quantity,
      entry_price: p.cost,
      current_price: current,
      entry_time: new Date(p.openedMs).toISOString(),
    };
    if (!p.bought) return base;
    const { thesis } = p.bought;
    return {
      ...base,
      thesis: thesis.text,
      thesis_date: thesis.date,
      thesis_volume_vs_avg: thesis.volumeVsAvg,
      catalyst_timeline: thesis.catalyst,
      ...thesisFactors(thesis, {
        elapsedSeconds: (nowMs - p.openedMs) / 1000,
        returnRatio: current / p.cost - 1,
        sentiment: this.sentimentScore,
      }),
    };
  }

  /**
   * Switching a loss fault off is the operator's reset: a fresh session from current equity.
   * The end of a crash also starts the market's rebound past the day's peak.
   */
  private onFaultChanges(faults: ActiveFaults, nowMs: number): void {
    const was = (name: string) => this.previousFaults.has(name);
    if (faults.has('drawdown_crash') && !was('drawdown_crash')) {
      this.crashFloor = this.equity() * (1 - CRASH_DEPTH);
      this.recoveryTarget = undefined;
      while (this.own().length < 5) if (!this.open()) break;
    }
    if (!faults.has('drawdown_crash') && was('drawdown_crash')) {
      this.crashFloor = undefined;
      this.recoveryTarget = this.peaks.max(nowMs) * (1 + RECOVERY_MARGIN);
    }
    for (const name of ['circuit_breaker', 'drawdown_crash'] as const) {
      if (!faults.has(name) && was(name)) this.newSession();
    }
    if (!faults.has('stale_artifact') && was('stale_artifact')) this.teacherUpdatedMs = nowMs;
    this.previousFaults = new Set(faults);
  }

  private newSession(): void {
    this.dayStartEquity = round(this.equity(), 2);
    this.realized = 0;
    this.breakerActive = false;
    for (const p of this.positions) {
      // the shocks end with the session: back to the market's price
      if (p.bought) [p.deviation, p.rebound] = [0, 0];
      p.entry = priceOf(p);
      p.deviation = 0;
      p.rebound = 0;
    }
    while (this.own().length < 3) if (!this.open()) break;
  }

  /** The engine's own positions (not bought from discovery). */
  private own(): Position[] {
    return this.positions.filter((p) => !p.bought);
  }

  /** Rare exits and entries of its own positions; keeps three to six of them. */
  private trade(): void {
    const own = this.own();
    if (own.length > 0 && this.rng.chance(0.002)) {
      this.close(this.positions.indexOf(own[this.rng.int(0, own.length - 1)] as Position));
    }
    const count = this.own().length;
    if (count < 3 || (count < 6 && this.rng.chance(0.002))) {
      this.open();
    }
  }

  private moveMarket(breakerShock: boolean, crashing: boolean, recovering: boolean): void {
    const rebound = recovering ? Math.log(1 + this.rng.uniform(...RECOVERY_STEP)) : 0;
    for (const p of this.positions) {
      if (!p.bought) {
        p.deviation =
          PRICE_PERSISTENCE * p.deviation +
          (1 - PRICE_PERSISTENCE) * PRICE_EDGE +
          this.rng.normal(0, PRICE_NOISE);
      }
      if (breakerShock) p.deviation += BREAKER_SHOCK;
      if (crashing) p.deviation += CRASH_SHOCK;
      p.rebound += rebound;
    }
  }

  /** Opens one of its own positions; false when every symbol is held. */
  private open(): boolean {
    const held = new Set(this.positions.map((p) => p.symbol));
    const free = this.symbols.filter((s) => !held.has(s));
    if (free.length === 0) return false;
    const entry = round(this.rng.lognormal(Math.log(150), 1), 2) || 1;
    const notional = this.rng.uniform(25_000, 45_000);
    this.positions.push({
      symbol: this.rng.pick(free),
      quantity: Math.max(1, Math.floor(notional / entry)),
      cost: entry,
      openedMs: this.nowMs,
      entry,
      deviation: 0,
      rebound: 0,
    });
    return true;
  }

  private close(index: number): void {
    const [p] = this.positions.splice(index, 1);
    if (p) this.realized += p.quantity * (priceOf(p) - p.entry);
  }

  private flatten(): void {
    while (this.positions.length > 0) this.close(this.positions.length - 1);
  }

  private updateSentiment(nowMs: number, failing: boolean): void {
    if (failing) {
      this.sentimentErrors.push(nowMs);
      if (this.rng.chance(0.3)) this.sentimentErrors.push(nowMs);
      this.cacheHitRate = clamp(this.cacheHitRate + this.rng.normal(-0.02, 0.01), 0, 1);
    } else {
      if (this.rng.chance(0.0005)) this.sentimentErrors.push(nowMs);
      this.sentimentScore = round(
        clamp(0.98 * this.sentimentScore + this.rng.normal(0.004, 0.03), -1, 1),
        3,
      );
      this.cacheHitRate = clamp(
        0.85 + 0.9 * (this.cacheHitRate - 0.85) + this.rng.normal(0, 0.01),
        0,
        1,
      );
    }
    const since = nowMs - this.sentimentErrorWindowMs;
    while ((this.sentimentErrors[0] ?? Infinity) <= since) this.sentimentErrors.shift();
  }

  private updateArtifacts(nowMs: number, stale: boolean): void {
    if (stale) {
      this.teacherUpdatedMs = Math.min(
        this.teacherUpdatedMs,
        nowMs - STALE_TEACHER_HOURS * HOUR_MS,
      );
    } else if (nowMs - this.teacherUpdatedMs >= TEACHER_RETRAIN_HOURS * HOUR_MS) {
      this.teacherUpdatedMs = nowMs;
    }
    if (nowMs - this.studentUpdatedMs >= STUDENT_RETRAIN_HOURS * HOUR_MS) {
      this.studentUpdatedMs = nowMs;
    }
  }

  private unrealized(): number {
    return this.positions.reduce((sum, p) => sum + p.quantity * (priceOf(p) - p.entry), 0);
  }

  private equity(): number {
    return this.dayStartEquity + this.realized + this.unrealized();
  }

  private lossPct(): number {
    return ((this.realized + this.unrealized()) / this.dayStartEquity) * 100;
  }
}

const priceOf = (p: Position): number =>
  (p.bought ? p.bought.quote : p.entry) * Math.exp(p.deviation + p.rebound);

/**
 * A bought thesis' evaluation factors (document 000 section 3.2) some time after buying: a
 * thesis with a half-life fades (volume falls back, the catalyst slips, then expires), a price
 * below entry dents the pattern's integrity, and the market regime follows the sentiment score.
 */
export function thesisFactors(
  plan: ThesisPlan,
  at: { elapsedSeconds: number; returnRatio: number; sentiment: number },
): Pick<
  Holding,
  | 'volume_vs_avg'
  | 'catalyst_timeline_status'
  | 'technical_pattern_integrity'
  | 'market_regime_alignment'
> {
  const strength =
    plan.halfLifeSeconds === undefined
      ? 1
      : 0.5 ** (Math.max(0, at.elapsedSeconds) / plan.halfLifeSeconds);
  return {
    volume_vs_avg: round(plan.volumeVsAvg * (0.1 + 0.8 * strength), 2),
    catalyst_timeline_status: strength > 0.6 ? 'on_track' : strength > 0.3 ? 'delayed' : 'expired',
    technical_pattern_integrity: round(
      clamp(0.9 * strength + 0.5 * Math.min(0, at.returnRatio), 0, 1),
      3,
    ),
    market_regime_alignment: round(clamp((at.sentiment + 1) / 2, 0, 1), 3),
  };
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The highest equity of the last day (a drawdown rule's longest look-back), by the hour. */
class DailyPeak {
  private readonly hourly: { hour: number; max: number }[] = [];

  add(nowMs: number, equity: number): void {
    const hour = Math.floor(nowMs / HOUR_MS);
    const last = this.hourly.at(-1);
    if (last?.hour === hour) last.max = Math.max(last.max, equity);
    else this.hourly.push({ hour, max: equity });
    while ((this.hourly[0]?.hour ?? hour) < hour - 24) this.hourly.shift();
  }

  max(nowMs: number): number {
    const since = Math.floor(nowMs / HOUR_MS) - 24;
    return Math.max(0, ...this.hourly.filter((h) => h.hour >= since).map((h) => h.max));
  }
}
