import type { Observation } from './observation.js';

/**
 * A model's current window: its last `maxSize` predictions, and when `maxAgeSeconds` > 0 only
 * those made within that many seconds of the newest. Whatever the traffic it holds at most
 * `maxSize`, dropping the oldest. Predictions are kept in arrival order (a late one still
 * enters as the newest: the window is about what the model has been asked recently).
 * Ids index the window so outcomes and repeated predictions are found.
 */
export class CurrentWindow {
  private items: Observation[] = [];
  private start = 0;
  private readonly byId = new Map<string, Observation>();

  constructor(
    private readonly maxSize: number,
    private readonly maxAgeSeconds: number,
  ) {}

  get size(): number {
    return this.items.length - this.start;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): Observation | undefined {
    return this.byId.get(id);
  }

  push(observation: Observation): void {
    this.items.push(observation);
    this.byId.set(observation.id, observation);
    while (this.size > this.maxSize) this.dropOldest();
  }

  /** Drops predictions older than the time limit (relative to `nowSeconds`). */
  expire(nowSeconds: number): void {
    if (this.maxAgeSeconds <= 0) return;
    const cutoff = nowSeconds - this.maxAgeSeconds;
    while (this.size > 0 && (this.items[this.start] as Observation).timeSeconds < cutoff) {
      this.dropOldest();
    }
  }

  /** Oldest first. */
  snapshot(): Observation[] {
    return this.items.slice(this.start);
  }

  private dropOldest(): void {
    const oldest = this.items[this.start++] as Observation;
    if (this.byId.get(oldest.id) === oldest) this.byId.delete(oldest.id);
    // Compact once the dead prefix is as long as the live part: amortised O(1) per push.
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }
}
