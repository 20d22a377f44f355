import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { evaluateThesis } from '../../src/positions/analysis.js';
import type { Holding } from '../../src/positions/schema.js';
import { positionSettings } from '../../src/positions/settings.js';
import { readTick } from '../../src/trading/schema.js';
import { readSnapshot } from '../../src/trading/snapshot.js';
import {
  Engine,
  thesisFactors,
  type EngineOptions,
  type EngineTick,
  type Purchase,
  type ThesisPlan,
} from '../../src/simulator/engine.js';
import type { FaultName } from '../../src/simulator/faults.js';
import { Rng } from '../../src/simulator/random.js';

const START = Date.UTC(2025, 9, 12, 9, 0, 0);
const STARTING_EQUITY = 250_000;
const config = loadConfig({ env: { TRADEWATCH_INGEST_TOKEN: 'engine-test-token-0123456789' } });

/** An engine ticking once a second on a fake clock; faults can change between ticks. */
function harness(seed = 1, options: Partial<EngineOptions> = {}) {
  const engine = new Engine(new Rng(seed), {
    startTime: new Date(START),
    startingEquity: STARTING_EQUITY,
    ...options,
  });
  const faults = new Set<FaultName>();
  let t = START;
  const ticks = (n: number): EngineTick[] =>
    Array.from({ length: n }, () => engine.tick(new Date((t += 1000)), faults));
  return { faults, ticks, tick: () => ticks(1)[0] as EngineTick };
}

describe('Engine without faults', () => {
  const { ticks } = harness();
  const hour = ticks(3600);

  it('is a function of the seed and the clock', () => {
    expect(harness(5).ticks(50)).toEqual(harness(5).ticks(50));
    expect(harness(5).ticks(50)).not.toEqual(harness(6).ticks(50));
  });

  it('produces snapshots the exporter accepts', () => {
    for (const s of hour.filter((_, i) => i % 60 === 0)) {
      const result = readTick(s);
      expect(result.ok ? [] : result.errors).toEqual([]);
    }
  });

  it('keeps its books consistent on every tick', () => {
    hour.forEach((s, i) => {
      expect(s.heartbeat.last_tick).toBe(s.timestamp);
      expect(Date.parse(s.timestamp)).toBe(START + (i + 1) * 1000);
      expect(s.heartbeat.uptime_seconds).toBe(i + 1);
      expect(Math.abs(s.pnl.daily - (s.pnl.realized + s.pnl.unrealized))).toBeLessThan(0.006);
      expect(Math.abs(s.pnl.equity - (STARTING_EQUITY + s.pnl.daily))).toBeLessThan(0.006);
      expect(s.risk.daily_loss_pct).toBeCloseTo((s.pnl.daily / STARTING_EQUITY) * 100, 2);
      expect(s.positions.symbols).toHaveLength(s.positions.count);
      expect(new Set(s.positions.symbols).size).toBe(s.positions.count);
      expect(s.risk.max_position_value).toBeLessThanOrEqual(s.positions.total_value);
      expect(s.sentiment.cache_hit_rate).toBeGreaterThanOrEqual(0);
      expect(s.sentiment.cache_hit_rate).toBeLessThanOrEqual(1);
    });
  });

  it('stays healthy: no breaker, connected, fresh models, few sentiment errors', () => {
    for (const s of hour) {
      expect(s.risk.circuit_breaker_active).toBe(false);
      expect(s.risk.daily_loss_pct).toBeGreaterThan(-5);
      expect(s.positions.count).toBeGreaterThanOrEqual(3);
      expect(s.connectivity.breeze_authenticated).toBe(true);
      expect(s.connectivity.last_api_call).toBe(s.timestamp);
      expect(s.api.breeze.auth_failures).toBe(0);
      expect(s.artifacts.teacher_model_age_hours).toBeLessThan(24);
      expect(s.artifacts.student_model_age_hours).toBeLessThan(6.01);
      expect(s.sentiment.provider_errors_1h).toBeLessThanOrEqual(5);
    }
  });

  it('lets its model artifacts age with the clock', () => {
    const [a, b] = [hour[0], hour[600]] as [EngineTick, EngineTick];
    // ten minutes later (no retraining due within the first hour); ages are sent to 0.01 h
    const teacher = b.artifacts.teacher_model_age_hours - a.artifacts.teacher_model_age_hours;
    const student = b.artifacts.student_model_age_hours - a.artifacts.student_model_age_hours;
    expect(Math.abs(teacher - 1 / 6)).toBeLessThanOrEqual(0.011);
    expect(Math.abs(student - 1 / 6)).toBeLessThanOrEqual(0.011);
  });

  it('does not trip its breaker in a whole day of ticks', () => {
    const day = harness(2).ticks(86_000);
    expect(day.filter((s) => s.risk.circuit_breaker_active)).toHaveLength(0);
    expect(Math.min(...day.map((s) => s.risk.daily_loss_pct))).toBeGreaterThan(-5);
  });
});

describe('Engine faults', () => {
  it('circuit_breaker: the loss passes 5%, the breaker trips and stays until switched off', () => {
    const h = harness();
    h.ticks(10);
    h.faults.add('circuit_breaker');
    const during = h.ticks(30);
    const last = during.at(-1) as EngineTick;
    expect(last.risk.circuit_breaker_active).toBe(true);
    expect(last.risk.daily_loss_pct).toBeLessThanOrEqual(-5);
    expect(last.positions.count).toBe(0); // flattened
    expect(readSnapshot(last).dailyLossRatio).toBeGreaterThanOrEqual(0.05);
    const tripped = during.findIndex((s) => s.risk.circuit_breaker_active);
    expect(tripped).toBeGreaterThan(0);
    expect(during[tripped - 1]?.risk.daily_loss_pct).toBeGreaterThan(-5);

    h.faults.delete('circuit_breaker');
    const after = h.tick();
    expect(after.risk.circuit_breaker_active).toBe(false);
    expect(Math.abs(after.risk.daily_loss_pct)).toBeLessThan(0.5);
    expect(after.positions.count).toBeGreaterThanOrEqual(3);
  });

  it('drawdown_crash: equity falls more than 10% within two minutes', () => {
    const h = harness();
    const before = h.ticks(10).at(-1) as EngineTick;
    h.faults.add('drawdown_crash');
    const crash = h.ticks(120);
    const low = Math.min(...crash.map((s) => s.pnl.equity));
    expect(low).toBeLessThan(0.9 * before.pnl.equity);
    expect(low).toBeGreaterThan(0.8 * before.pnl.equity); // it bottoms out near -15%
    const firstBelow = crash.findIndex((s) => s.pnl.equity < 0.9 * before.pnl.equity);
    expect(firstBelow).toBeLessThan(60);
    h.faults.delete('drawdown_crash');
    expect(h.tick().risk.circuit_breaker_active).toBe(false);
  });

  it('drawdown_crash switched off: the market rebounds past the day’s peak, then calms', () => {
    const h = harness(3);
    const calm = h.ticks(600);
    const peak = Math.max(...calm.map((s) => s.pnl.equity));
    h.faults.add('drawdown_crash');
    const trough = Math.min(...h.ticks(60).map((s) => s.pnl.equity));
    expect(trough).toBeLessThan(0.9 * peak);
    h.faults.delete('drawdown_crash');
    const rebound = h.ticks(60);
    const recovered = rebound.findIndex((s) => s.pnl.equity >= 1.01 * peak);
    // 1-3% a tick on ~70% of equity in positions: a 15% fall is made up in 8 to 40 ticks.
    expect(recovered).toBeGreaterThanOrEqual(5);
    expect(recovered).toBeLessThan(40);
    for (const [before, after] of rebound.slice(0, recovered).map((s, i) => [rebound[i - 1], s])) {
      if (before) expect(after!.pnl.equity).toBeGreaterThan(before.pnl.equity);
    }
    // Once back above the peak it wanders as before: no further climb of 10%.
    const afterwards = h.ticks(300).map((s) => s.pnl.equity);
    expect(Math.max(...afterwards)).toBeLessThan(1.1 * peak);
    expect(Math.min(...afterwards)).toBeGreaterThan(0.95 * peak);
    expect(afterwards.every((e, i) => i === 0 || Math.abs(e / afterwards[i - 1]! - 1) < 0.01)).toBe(
      true,
    );
  });

  it('stale_artifact: the teacher model is older than 48 hours and ageing', () => {
    const h = harness();
    const before = h.ticks(5).at(-1) as EngineTick;
    expect(before.artifacts.teacher_model_age_hours).toBeLessThan(24);
    h.faults.add('stale_artifact');
    const [first, , third] = h.ticks(3) as EngineTick[];
    expect(first?.artifacts.teacher_model_age_hours).toBeGreaterThan(48);
    const minuteLater = h.ticks(60).at(-1) as EngineTick;
    expect(minuteLater.artifacts.teacher_model_age_hours).toBeGreaterThan(
      third?.artifacts.teacher_model_age_hours ?? Infinity,
    );
    h.faults.delete('stale_artifact');
    expect(h.tick().artifacts.teacher_model_age_hours).toBe(0);
  });

  it('connectivity_loss: not authenticated, last call frozen, auth failures on every tick', () => {
    const h = harness();
    const before = h.ticks(5).at(-1) as EngineTick;
    h.faults.add('connectivity_loss');
    const lost = h.ticks(20);
    for (const s of lost) {
      expect(s.connectivity.breeze_authenticated).toBe(false);
      expect(s.connectivity.last_api_call).toBe(before.timestamp);
      expect(s.api.breeze.auth_failures).toBeGreaterThanOrEqual(1);
      const result = readTick(s);
      expect(result.ok).toBe(true);
    }
    // A service that is down reports no new successful call: the exporter's gauge stays put.
    expect(readSnapshot(lost[0] as EngineTick).services).toEqual([
      { service: 'breeze', up: false, lastCallSeconds: undefined },
    ]);
    h.faults.delete('connectivity_loss');
    const back = h.tick();
    expect(back.connectivity.breeze_authenticated).toBe(true);
    expect(back.connectivity.last_api_call).toBe(back.timestamp);
    expect(back.api.breeze.auth_failures).toBe(0);
  });

  it('sentiment_failures: more than 5 provider errors in the hour, ageing out after it', () => {
    const h = harness();
    expect(h.tick().sentiment.provider_errors_1h).toBeLessThanOrEqual(1);
    h.faults.add('sentiment_failures');
    const failing = h.ticks(10);
    expect(failing.at(-1)?.sentiment.provider_errors_1h).toBeGreaterThan(5);
    h.faults.delete('sentiment_failures');
    const later = h.ticks(3601).at(-1) as EngineTick;
    expect(later.sentiment.provider_errors_1h).toBeLessThanOrEqual(5);
  });

  it('sentiment_failures with a compressed hour: errors age out of the shorter window', () => {
    const h = harness(1, { sentimentErrorWindowMs: 5_000 });
    h.faults.add('sentiment_failures');
    // 1 s ticks, one or two errors each: 5 s of them are at least 5, 10 s more than 5 no more.
    const failing = h.ticks(10).map((s) => s.sentiment.provider_errors_1h);
    expect(Math.min(...failing.slice(4))).toBeGreaterThanOrEqual(5);
    expect(Math.max(...failing)).toBeLessThanOrEqual(10);
    h.faults.delete('sentiment_failures');
    expect(h.ticks(6).at(-1)?.sentiment.provider_errors_1h).toBeLessThanOrEqual(1);
  });

  it('ignores faults that are not the engine’s (heartbeat_stop is the sender’s business)', () => {
    const plain = harness(9);
    const other = harness(9);
    other.faults.add('no_volume_spike');
    other.faults.add('source_stall');
    expect(other.ticks(30)).toEqual(plain.ticks(30));
  });
});

describe('Engine holdings and purchases', () => {
  const thesis: ThesisPlan = {
    text: '23.4x volume surge with squeeze metrics matching the VIGL pattern',
    date: new Date(START).toISOString(),
    volumeVsAvg: 23.4,
    catalyst: 'Expected move within 7-14 days',
  };
  const order = (symbol: string, price: number, plan: Partial<ThesisPlan> = {}): Purchase => ({
    symbol,
    price,
    notional: 2000,
    thesis: { ...thesis, ...plan },
  });
  /** An engine that buys and ticks on a fake clock, quoting its purchases from `quotes`. */
  function trader(options: { maxBought?: number } = {}) {
    const engine = new Engine(new Rng(1), { startTime: new Date(START), ...options });
    const faults = new Set<FaultName>();
    const quotes = new Map<string, number>();
    let t = START;
    const tick = (seconds = 1) => {
      let last: EngineTick | undefined;
      for (let i = 0; i < seconds; i++) {
        last = engine.tick(new Date((t += 1000)), faults, (s) => quotes.get(s));
      }
      return last as EngineTick;
    };
    const buy = (o: Purchase) => engine.buy(o, new Date(t), faults);
    return { engine, faults, quotes, tick, buy };
  }
  const held = (s: EngineTick, symbol: string) =>
    s.positions.holdings.find((h) => h.symbol === symbol);

  it('lists every open position as a holding, with its entry and current price', () => {
    const { tick } = trader();
    const s = tick(30);
    expect(s.positions.holdings.map((h) => h.symbol)).toEqual(s.positions.symbols);
    expect(s.positions.holdings).toHaveLength(s.positions.count);
    const value = s.positions.holdings.reduce((sum, h) => sum + h.quantity * h.current_price, 0);
    expect(Math.abs(value - s.positions.total_value)).toBeLessThan(s.positions.count);
    expect(readTick(s).ok).toBe(true);
  });

  it('buys a candidate at its price and follows the market’s quote', () => {
    const { buy, tick, quotes } = trader();
    expect(buy(order('QUBT', 2.94))).toBeUndefined();
    quotes.set('QUBT', 2.45);
    const s = tick();
    const h = held(s, 'QUBT');
    expect(h).toMatchObject({
      quantity: 680,
      entry_price: 2.94,
      current_price: 2.45,
      thesis: thesis.text,
      thesis_date: thesis.date,
      thesis_volume_vs_avg: 23.4,
      catalyst_timeline_status: 'on_track',
    });
    expect(s.positions.count).toBe(6);
    const result = readTick(s);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(buy(order('QUBT', 3))).toBe('Already held');
  });

  it('keeps at most maxBought purchases, selling the oldest first', () => {
    const { buy, tick, engine } = trader({ maxBought: 2 });
    for (const symbol of ['AA', 'BB', 'CC']) {
      expect(buy(order(symbol, 5))).toBeUndefined();
      tick();
    }
    expect([...engine.boughtSymbols()]).toEqual(['BB', 'CC']);
    const s = tick();
    expect(s.positions.symbols).not.toContain('AA');
    expect(s.positions.holdings).toHaveLength(s.positions.count);
  });

  it('refuses to buy with the breaker tripped or the broker session lost', () => {
    const h = trader();
    h.faults.add('connectivity_loss');
    h.tick();
    expect(h.buy(order('AA', 5))).toMatch(/Broker session lost/);
    h.faults.delete('connectivity_loss');
    h.faults.add('circuit_breaker');
    h.tick(30);
    expect(h.buy(order('AA', 5))).toMatch(/Circuit breaker active/);
    h.faults.delete('circuit_breaker');
    h.tick();
    expect(h.buy(order('AA', 5))).toBeUndefined();
  });

  it('keeps the entry price of a purchase across sessions; shocks move it until then', () => {
    const h = trader();
    h.buy(order('AA', 5));
    h.quotes.set('AA', 5.5);
    h.faults.add('circuit_breaker');
    const shocked = h.tick();
    expect(shocked.risk.circuit_breaker_active).toBe(false);
    expect(held(shocked, 'AA')?.current_price).toBeLessThan(5.5);
    h.faults.delete('circuit_breaker'); // the operator's reset: a new session
    const after = h.tick();
    expect(held(after, 'AA')).toMatchObject({ entry_price: 5, current_price: 5.5 });
  });

  it('lets a fading thesis weaken while a holding one stays strong', () => {
    const h = trader();
    h.buy(order('FADE', 5, { halfLifeSeconds: 60 }));
    h.buy(order('HOLD', 5));
    const strength = (s: EngineTick, symbol: string) =>
      evaluateThesis(held(s, symbol) as Holding, positionSettings(config).thesis);
    const early = h.tick();
    const late = h.tick(300);
    expect(strength(early, 'FADE').label).toBe('STRONG');
    expect(strength(late, 'FADE').label).toBe('WEAK');
    expect(held(late, 'FADE')?.catalyst_timeline_status).toBe('expired');
    expect(strength(late, 'HOLD').label).toBe('STRONG');
  });

  it('thesisFactors: a dip dents the pattern, sentiment sets the regime', () => {
    const at = { elapsedSeconds: 0, returnRatio: 0, sentiment: 0.2 };
    expect(thesisFactors(thesis, at)).toEqual({
      volume_vs_avg: 21.06,
      catalyst_timeline_status: 'on_track',
      technical_pattern_integrity: 0.9,
      market_regime_alignment: 0.6,
    });
    expect(thesisFactors(thesis, { ...at, returnRatio: -0.2 }).technical_pattern_integrity).toBe(
      0.8,
    );
    const faded = thesisFactors({ ...thesis, halfLifeSeconds: 10 }, { ...at, elapsedSeconds: 10 });
    expect(faded.catalyst_timeline_status).toBe('delayed');
    expect(faded.technical_pattern_integrity).toBe(0.45);
  });
});
