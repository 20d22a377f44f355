import type { MetricDefinition } from './definition.js';
import { renderLabelPairs } from './exposition.js';
import type { CardinalityGuard } from './guard.js';

export interface Exemplar {
  /** Pre-rendered label pairs, e.g. `trace_id="4bf9..."`. */
  readonly labels: string;
  readonly value: number;
  readonly timestampSeconds: number;
}

export interface CounterSeries {
  readonly labelText: string;
  value: number;
}

export interface GaugeSeries {
  readonly labelText: string;
  value: number;
}

export interface HistogramSeries {
  readonly labelText: string;
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
  exemplars?: (Exemplar | undefined)[];
}

const KEY_SEPARATOR = '\u0000';

/**
 * One metric family and its series. Series are created on first use, keep their label text
 * pre-rendered (so a scrape only concatenates) and are capped by the cardinality guard.
 */
export abstract class Family<S extends { readonly labelText: string }> {
  readonly series = new Map<string, S>();
  private overflow: S | undefined;
  /** label value -> ... -> series, for clean label values: the hot path, no key to build. */
  private readonly index = new Map<string, unknown>();

  constructor(
    readonly def: MetricDefinition,
    private readonly guard: CardinalityGuard,
  ) {}

  protected abstract newSeries(labelText: string): S;

  /** The series for these label values, in the order of `def.labelNames`. */
  protected seriesFor(values: readonly string[]): S {
    const last = values.length - 1;
    if (values.length !== this.def.labelNames.length) return this.findOrCreate(values); // throws
    let node: Map<string, unknown> | undefined = this.index;
    for (let i = 0; i < last && node; i++) node = node.get(values[i] as string) as typeof node;
    const found = node?.get(last < 0 ? '' : (values[last] as string)) as S | undefined;
    return found ?? this.findOrCreate(values);
  }

  private findOrCreate(values: readonly string[]): S {
    const key = values.length === 1 ? (values[0] as string) : values.join(KEY_SEPARATOR);
    const found = this.series.get(key);
    if (found) return this.indexed(values, found);
    if (values.length !== this.def.labelNames.length) {
      throw new Error(
        `${this.def.name} takes ${this.def.labelNames.length} label values, got ${values.length}`,
      );
    }
    const clean = values.map((v) => this.guard.sanitize(v));
    const cleanKey = clean.join(KEY_SEPARATOR);
    // Raw values that needed cleaning stay out of the index (they could be unbounded).
    if (cleanKey !== key) return this.findOrCreate(clean);
    if (this.series.size >= this.guard.maxSeriesPerMetric) {
      this.guard.recordOverflow(this.def.name);
      this.overflow ??= this.newSeries(
        renderLabelPairs(
          this.def.labelNames,
          this.def.labelNames.map(() => this.guard.overflowValue),
        ),
      );
      return this.overflow;
    }
    const created = this.newSeries(renderLabelPairs(this.def.labelNames, clean));
    this.series.set(key, created);
    return this.indexed(values, created);
  }

  private indexed(values: readonly string[], series: S): S {
    let node = this.index;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i] as string) as Map<string, unknown> | undefined;
      if (!next) node.set(values[i] as string, (next = new Map()));
      node = next;
    }
    node.set(last < 0 ? '' : (values[last] as string), series);
    return series;
  }

  /** Every series including the overflow one, in creation order. */
  allSeries(): IterableIterator<S> {
    // Usually there is no overflow series: the map's own iterator is then much cheaper to step
    // through than a generator (a scrape takes every series of every family).
    return this.overflow ? this.withOverflow(this.overflow) : this.series.values();
  }

  private *withOverflow(overflow: S): IterableIterator<S> {
    yield* this.series.values();
    yield overflow;
  }

  /** Drops every series (used when a domain rebuilds a gauge set from scratch). */
  reset(): void {
    this.series.clear();
    this.index.clear();
    this.overflow = undefined;
  }
}

export class CounterFamily extends Family<CounterSeries> {
  protected newSeries(labelText: string): CounterSeries {
    return { labelText, value: 0 };
  }

  labels(...values: string[]): CounterSeries {
    return this.seriesFor(values);
  }

  inc(values: readonly string[], by = 1): void {
    if (!(by >= 0) || by === Infinity) return; // counters never go down; NaN is dropped
    this.seriesFor(values).value += by;
  }

  /** Creates the series at 0 so it never "appears" in Prometheus. */
  init(...values: string[]): void {
    this.seriesFor(values);
  }
}

export class GaugeFamily extends Family<GaugeSeries> {
  protected newSeries(labelText: string): GaugeSeries {
    return { labelText, value: 0 };
  }

  labels(...values: string[]): GaugeSeries {
    return this.seriesFor(values);
  }

  set(values: readonly string[], value: number): void {
    this.seriesFor(values).value = value;
  }
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly upperBounds: readonly number[];

  constructor(def: MetricDefinition, guard: CardinalityGuard) {
    super(def, guard);
    this.upperBounds = def.buckets ?? [];
  }

  protected newSeries(labelText: string): HistogramSeries {
    return { labelText, counts: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
  }

  labels(...values: string[]): HistogramSeries {
    return this.seriesFor(values);
  }

  observe(values: readonly string[], value: number, exemplar?: Exemplar): void {
    this.observeSeries(this.seriesFor(values), value, exemplar);
  }

  /** For callers that cached their series (the SDK hot path). */
  observeSeries(series: HistogramSeries, value: number, exemplar?: Exemplar): void {
    if (Number.isNaN(value)) return;
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (series.counts as Float64Array)[i] = (series.counts[i] as number) + 1;
    series.sum += value;
    series.count += 1;
    if (exemplar) {
      series.exemplars ??= new Array<Exemplar | undefined>(bounds.length + 1);
      series.exemplars[i] = exemplar;
    }
  }
}

export type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;
