import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { checkDefinition, type MetricDefinition, type MetricDefinitions } from './definition.js';
import { ExpositionBuffer } from './exposition-buffer.js';
import {
  familyHeader,
  formatSampleValue,
  renderLabelPairs,
  type ExpositionFormat,
} from './exposition.js';
import { CounterFamily, GaugeFamily, HistogramFamily, type AnyFamily } from './family.js';
import { CardinalityGuard, type GuardOptions } from './guard.js';
import { HistogramLines, ScalarLines } from './sample-lines.js';

export type FamilyFor<D extends MetricDefinition> = D['type'] extends 'counter'
  ? CounterFamily
  : D['type'] extends 'gauge'
    ? GaugeFamily
    : HistogramFamily;

export type FamiliesFor<T extends MetricDefinitions> = { [K in keyof T]: FamilyFor<T[K]> };

/** A sample from a foreign collector (prom-client's default metrics), rendered alongside ours. */
export interface ExternalFamily {
  name: string;
  help: string;
  type: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

export type ChunkSink = (chunk: string) => void | Promise<void>;

/** A family and the cached constant parts of its exposition. */
type RenderedFamily =
  | { histogram: true; family: HistogramFamily; lines: HistogramLines }
  | { histogram: false; family: CounterFamily | GaugeFamily; lines: ScalarLines };

/** How long the renderer may hold the event loop before yielding (the scrape bench checks it). */
const SLICE_MILLISECONDS = 4;
/**
 * Bytes handed to the sink at a time, so a big exposition is never held whole. As large as the
 * metrics endpoint's single write: an exposition that fits goes out as one string, not pieces
 * joined again.
 */
const FLUSH_BYTES = 256 * 1024;
/** Room past FLUSH_BYTES for the series that crosses it (the buffer grows if one needs more). */
const LINE_ROOM = 16 * 1024;
const SERIES_BETWEEN_CLOCK_CHECKS = 64;

export const OVERFLOW_DEFINITION = {
  name: 'tradewatch_cardinality_overflow_total',
  type: 'counter',
  help: 'Updates that went to the overflow series because a metric reached its series cap.',
  labelNames: ['metric'],
} as const satisfies MetricDefinition;

/**
 * Holds tradewatch's metric families and renders them. Unlike prom-client's registry, which
 * builds every family in one synchronous pass, rendering here streams chunks and yields to the
 * event loop every few milliseconds, so a large scrape never stalls ingestion.
 */
export class MetricRegistry {
  readonly guard: CardinalityGuard;
  private readonly families: RenderedFamily[] = [];
  private readonly byName = new Map<string, AnyFamily>();
  private readonly externalSources: (() => Promise<ExternalFamily[]>)[] = [];
  private readonly overflow: CounterFamily;
  private idleBuffer: ExpositionBuffer | undefined;

  constructor(options: GuardOptions) {
    this.guard = new CardinalityGuard(options);
    // Its label values are the names of registered metrics, bounded by the code: it is not
    // capped, so every overflow is counted under its metric's own name.
    const uncapped = new CardinalityGuard({ ...options, maxSeriesPerMetric: Infinity });
    this.check(OVERFLOW_DEFINITION);
    this.overflow = this.add(new CounterFamily(OVERFLOW_DEFINITION, uncapped));
    this.guard.setOverflowListener((metric) => this.overflow.labels(metric).value++);
  }

  register<D extends MetricDefinition>(def: D): FamilyFor<D> {
    this.check(def);
    const family =
      def.type === 'counter'
        ? new CounterFamily(def, this.guard)
        : def.type === 'gauge'
          ? new GaugeFamily(def, this.guard)
          : new HistogramFamily(def, this.guard);
    this.add(family);
    // Every metric the cap applies to has its overflow series from the start at 0, so that a
    // rate over it is 0 rather than no data, and an overflow is an increase. Not capped: a metric
    // without labels (one series) and an `_info` metric (one series of build constants).
    if (def.labelNames.length > 0 && !def.name.endsWith('_info')) this.overflow.init(def.name);
    return family as FamilyFor<D>;
  }

  private check(def: MetricDefinition): void {
    const problems = checkDefinition(def);
    if (problems.length > 0) throw new Error(`invalid metric definition: ${problems.join('; ')}`);
    if (this.byName.has(def.name)) throw new Error(`metric ${def.name} is registered twice`);
  }

  private add<F extends AnyFamily>(family: F): F {
    this.families.push(
      family instanceof HistogramFamily
        ? { histogram: true, family, lines: new HistogramLines(family.def, family.upperBounds) }
        : { histogram: false, family, lines: new ScalarLines(family.def) },
    );
    this.byName.set(family.def.name, family);
    return family;
  }

  registerAll<T extends MetricDefinitions>(defs: T): FamiliesFor<T> {
    const out: Record<string, AnyFamily> = {};
    for (const [key, def] of Object.entries(defs)) out[key] = this.register(def);
    return out as FamiliesFor<T>;
  }

  /** Adds families collected elsewhere (prom-client's process and Node.js metrics). */
  addExternalSource(source: () => Promise<ExternalFamily[]>): void {
    this.externalSources.push(source);
  }

  get(name: string): AnyFamily | undefined {
    return this.byName.get(name);
  }

  /** The whole exposition as one string (tests, the SDK, small registries). */
  async renderToString(format: ExpositionFormat): Promise<string> {
    const chunks: string[] = [];
    await this.render(format, (chunk) => {
      chunks.push(chunk);
    });
    return chunks.join('');
  }

  /** Streams the exposition to `sink`, yielding to the event loop between slices. */
  async render(format: ExpositionFormat, sink: ChunkSink): Promise<void> {
    const openMetrics = format === 'openmetrics';
    // One buffer serves scrape after scrape; a scrape overlapping another gets its own.
    const out = this.idleBuffer ?? new ExpositionBuffer(FLUSH_BYTES + LINE_ROOM);
    this.idleBuffer = undefined;
    let sliceStart = performance.now();
    let sinceCheck = 0;
    // Checked after every series, synchronously: awaiting a no-op per series costs a 1,000-series
    // scrape about a fifth of its render time.
    const due = (): boolean =>
      out.length >= FLUSH_BYTES || ++sinceCheck >= SERIES_BETWEEN_CLOCK_CHECKS;
    const flushOrYield = async (): Promise<void> => {
      if (out.length >= FLUSH_BYTES) await sink(out.take());
      if (sinceCheck < SERIES_BETWEEN_CLOCK_CHECKS) return;
      sinceCheck = 0;
      if (performance.now() - sliceStart < SLICE_MILLISECONDS) return;
      await sink(out.take());
      await yieldToEventLoop();
      sliceStart = performance.now();
    };

    for (const entry of this.families) {
      entry.lines.writeHeader(out, format);
      let place = 0;
      if (entry.histogram) {
        for (const series of entry.family.allSeries()) {
          entry.lines.write(out, place++, series, openMetrics);
          if (due()) await flushOrYield();
        }
      } else {
        for (const series of entry.family.allSeries()) {
          entry.lines.write(out, place++, series);
          if (due()) await flushOrYield();
        }
      }
      entry.lines.finish(place);
    }
    for (const source of this.externalSources) {
      for (const external of await source()) out.text(renderExternal(external, openMetrics));
    }
    if (openMetrics) out.text('# EOF\n');
    await sink(out.take());
    this.idleBuffer = out;
  }
}

function renderExternal(family: ExternalFamily, openMetrics: boolean): string {
  let out = familyHeader(family, openMetrics ? 'openmetrics' : 'text');
  for (const sample of family.values) {
    const names = Object.keys(sample.labels);
    const values = names.map((n) => String(sample.labels[n]));
    const labelText = names.length === 0 ? '' : `{${renderLabelPairs(names, values)}}`;
    out += `${sample.metricName ?? family.name}${labelText} ${formatSampleValue(sample.value)}\n`;
  }
  return out;
}
