/**
 * A recommendation's 30-day record (document 000 section 2.2) computed from its price history.
 * Returns are ratios (0.25 = +25%). Checkpoint prices are the last observation at or before the
 * checkpoint, filled once the checkpoint has passed. The tracking window ends at
 * discovery + tracking days; later prices are ignored.
 */
export interface PricePoint {
  timeSeconds: number;
  price: number;
}

export interface OutcomeThresholds {
  /** Minimum peak return for each category, checked from the top; below `poor` is `failed`. */
  explosive: number;
  strong: number;
  moderate: number;
  poor: number;
}

export type OutcomeCategory = 'explosive' | 'strong' | 'moderate' | 'poor' | 'failed';

export interface Checkpoint {
  days: number;
  price: number;
  return: number;
}

export interface PerformanceRecord {
  checkpoints: Checkpoint[];
  peakPrice: number;
  peakReturn: number;
  daysToPeak: number;
  /** Largest fall from a running peak, as a positive ratio (0.2 = fell 20% from a high). */
  maxDrawdown: number;
  /** Set once the tracking window is over; until then the outcome may still change. */
  outcome: OutcomeCategory | undefined;
  /**
   * Prices inside the tracking window the record was computed from. With none, the peak is the
   * discovery price by definition, not an observation (the caller decides what to store).
   */
  observations: number;
}

const DAY = 86_400;

export function classifyOutcome(
  peakReturn: number,
  thresholds: OutcomeThresholds,
): OutcomeCategory {
  if (peakReturn >= thresholds.explosive) return 'explosive';
  if (peakReturn >= thresholds.strong) return 'strong';
  if (peakReturn >= thresholds.moderate) return 'moderate';
  if (peakReturn >= thresholds.poor) return 'poor';
  return 'failed';
}

export function trackPerformance(input: {
  discoverySeconds: number;
  discoveryPrice: number;
  prices: readonly PricePoint[];
  checkpointDays: readonly number[];
  trackingDays: number;
  nowSeconds: number;
  thresholds: OutcomeThresholds;
}): PerformanceRecord {
  // The fold from nothing never declines (only a previous state can make it ask for more).
  return (advancePerformance(null, input.prices, input) as { record: PerformanceRecord }).record;
}

/**
 * What `advancePerformance` needs to fold later prices into a record without reading the earlier
 * ones again: the watermark (time and price of the latest price folded in), the running peak and
 * drawdown, and the checkpoints as last computed (exact, not rounded as the table stores them).
 * Only exists once at least one price inside the window has been folded in.
 */
export interface PerformanceState {
  /** Prices folded in (all inside the tracking window). */
  observations: number;
  /** Time of the earliest price folded in. */
  firstTime: number;
  /** The watermark: time and price of the latest price folded in. */
  lastTime: number;
  lastPrice: number;
  peakPrice: number;
  peakTime: number;
  maxDrawdown: number;
  /** The checkpoints of the pass that computed this state (every one that had passed). */
  checkpoints: Checkpoint[];
  /**
   * The watermark the latest fold that took in prices started from, and the observations up to
   * it; `null` after a fold from nothing (absent in states stored before it existed). The prices
   * after it are the ones that fold took in, so a check for late prices among recent ones can
   * count the stored prices after it instead of the whole window (`late-prices.ts`).
   */
  anchor?: { time: number; observations: number } | null;
}

export interface PerformanceParameters {
  discoverySeconds: number;
  discoveryPrice: number;
  checkpointDays: readonly number[];
  trackingDays: number;
  nowSeconds: number;
  thresholds: OutcomeThresholds;
}

/**
 * Folds `newer` prices into the record whose state is `previous` (`null`: nothing folded in yet,
 * the whole history is `newer`). Gives exactly `trackPerformance` over every price folded in so
 * far plus `newer`, and the state to fold the next prices into. Returns `undefined` when that
 * cannot be done without the earlier prices, and the caller must recompute from the whole
 * history: a price inside the window at or before the watermark (a late price), or a checkpoint
 * that passed only now whose last earlier price lies before the watermark and is not known.
 */
export function advancePerformance(
  previous: PerformanceState | null,
  newer: readonly PricePoint[],
  input: PerformanceParameters,
): { record: PerformanceRecord; state: PerformanceState | null } | undefined {
  const { discoverySeconds, discoveryPrice } = input;
  const windowEnd = discoverySeconds + input.trackingDays * DAY;
  const points = newer
    .filter((p) => p.timeSeconds >= discoverySeconds && p.timeSeconds <= windowEnd)
    .sort((a, b) => a.timeSeconds - b.timeSeconds);
  const first = points[0];
  const last = points.at(-1);
  if (previous && first && first.timeSeconds <= previous.lastTime) return undefined;

  let peakPrice = previous?.peakPrice ?? discoveryPrice;
  let peakTime = previous?.peakTime ?? discoverySeconds;
  let maxDrawdown = previous?.maxDrawdown ?? 0;
  for (const p of points) {
    if (p.price > peakPrice) {
      peakPrice = p.price;
      peakTime = p.timeSeconds;
    }
    maxDrawdown = Math.max(maxDrawdown, (peakPrice - p.price) / peakPrice);
  }

  const checkpoints: Checkpoint[] = [];
  for (const days of input.checkpointDays) {
    const at = discoverySeconds + days * DAY;
    if (input.nowSeconds < at) continue;
    let price = points.filter((p) => p.timeSeconds <= at).at(-1)?.price;
    if (price === undefined && previous) {
      if (previous.lastTime <= at) price = previous.lastPrice;
      else {
        const known = previous.checkpoints.find((c) => c.days === days);
        if (known) price = known.price;
        else if (previous.firstTime <= at) return undefined; // computed before it had passed
      }
    }
    if (price !== undefined) checkpoints.push({ days, price, return: price / discoveryPrice - 1 });
  }

  const observations = (previous?.observations ?? 0) + points.length;
  const firstTime = previous?.firstTime ?? first?.timeSeconds;
  const lastTime = last?.timeSeconds ?? previous?.lastTime;
  const lastPrice = last?.price ?? previous?.lastPrice;
  const state: PerformanceState | null =
    firstTime === undefined || lastTime === undefined || lastPrice === undefined
      ? null // nothing observed inside the window yet
      : {
          observations,
          firstTime,
          lastTime,
          lastPrice,
          peakPrice,
          peakTime,
          maxDrawdown,
          checkpoints,
          anchor:
            previous && points.length > 0
              ? { time: previous.lastTime, observations: previous.observations }
              : (previous?.anchor ?? null),
        };
  const peakReturn = peakPrice / discoveryPrice - 1;
  return {
    record: {
      checkpoints,
      peakPrice,
      peakReturn,
      daysToPeak: Math.floor((peakTime - discoverySeconds) / DAY),
      maxDrawdown,
      outcome:
        input.nowSeconds >= windowEnd ? classifyOutcome(peakReturn, input.thresholds) : undefined,
      observations,
    },
    state,
  };
}
