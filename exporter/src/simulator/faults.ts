/** The fault scenarios the simulator can play, each switchable while it runs. */
export const FAULTS = {
  circuit_breaker: 'Losing trades push the daily loss past 5% and the circuit breaker trips.',
  heartbeat_stop: 'The engine hangs: no more ticks are sent.',
  no_volume_spike: 'No symbol shows a 10x volume spike: discovery runs end with no candidates.',
  stale_artifact: 'Teacher model retraining stops; its age jumps past 48 hours.',
  connectivity_loss:
    'The Breeze session is lost: not authenticated, last API call frozen, auth failures rising.',
  drawdown_crash:
    'A market crash: equity falls more than 10% within minutes; switched off, the market rebounds past the day’s peak.',
  sentiment_failures: 'The sentiment provider fails on every tick (more than 5 errors an hour).',
  source_stall: 'Data sources stop updating: no more source heartbeats.',
  drift:
    'The market the models see shifts (momentum, volume, volatility, regime): feature drift is detected and accuracy drops.',
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** What the pure parts (pipeline, engine) read: the set of faults that are on. */
export type ActiveFaults = ReadonlySet<FaultName>;

export interface FaultState {
  name: FaultName;
  active: boolean;
  description: string;
}

/** The switchboard: which faults are on; tells a listener about every change. */
export class FaultSwitch {
  private readonly on = new Set<FaultName>();
  private readonly listeners: ((name: FaultName, active: boolean) => void)[] = [];

  constructor(initial: Iterable<FaultName> = []) {
    for (const name of initial) this.on.add(name);
  }

  get active(): ActiveFaults {
    return this.on;
  }

  isActive(name: FaultName): boolean {
    return this.on.has(name);
  }

  /** Switches a fault; returns whether anything changed. */
  set(name: FaultName, active: boolean): boolean {
    if (this.on.has(name) === active) return false;
    if (active) this.on.add(name);
    else this.on.delete(name);
    for (const listener of this.listeners) listener(name, active);
    return true;
  }

  onChange(listener: (name: FaultName, active: boolean) => void): void {
    this.listeners.push(listener);
  }

  list(): FaultState[] {
    return FAULT_NAMES.map((name) => ({
      name,
      active: this.on.has(name),
      description: FAULTS[name],
    }));
  }
}
