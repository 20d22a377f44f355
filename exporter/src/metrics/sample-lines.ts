import type { MetricDefinition } from './definition.js';
import type { ExpositionBuffer } from './exposition-buffer.js';
import { familyHeader, formatSampleValue, type ExpositionFormat } from './exposition.js';
import type { CounterSeries, Exemplar, GaugeSeries, HistogramSeries } from './family.js';

// The constant parts of a family's exposition (its header lines, and per series the metric name
// and label set that start each sample line), UTF-8 encoded once and kept across scrapes, so a
// scrape only writes the numbers between them.

const NEWLINE = 0x0a;

const encode = (text: string): Buffer => Buffer.from(text, 'utf8');
const braced = (labelText: string): string => (labelText === '' ? '' : `{${labelText}}`);

/**
 * Per series, in the order a scrape renders them, what its lines start with. A place is built
 * again when another series holds it: a family that was reset and refilled has new series.
 */
class PrefixesByPlace<S extends { readonly labelText: string }, P> {
  private owners: S[] = [];
  private prefixes: P[] = [];

  constructor(private readonly build: (labelText: string) => P) {}

  at(place: number, series: S): P {
    if (this.owners[place] !== series) {
      this.owners[place] = series;
      this.prefixes[place] = this.build(series.labelText);
    }
    return this.prefixes[place] as P;
  }

  /** Forgets the places past the family's last series (it was reset to fewer). */
  keep(count: number): void {
    if (this.owners.length <= count) return;
    this.owners.length = count;
    this.prefixes.length = count;
  }
}

abstract class FamilyLines<S extends { readonly labelText: string }, P> {
  private readonly headers = new Map<ExpositionFormat, Buffer>();
  protected readonly prefixes: PrefixesByPlace<S, P>;

  constructor(protected readonly def: MetricDefinition) {
    this.prefixes = new PrefixesByPlace((labelText) => this.buildPrefixes(labelText));
  }

  protected abstract buildPrefixes(labelText: string): P;

  /** HELP and TYPE (and UNIT in OpenMetrics), encoded once per format. */
  writeHeader(out: ExpositionBuffer, format: ExpositionFormat): void {
    let header = this.headers.get(format);
    if (!header) this.headers.set(format, (header = encode(familyHeader(this.def, format))));
    out.copy(header);
  }

  /** Called after a scrape wrote the family's `count` series. */
  finish(count: number): void {
    this.prefixes.keep(count);
  }
}

/** Counters and gauges: one `name{labels} value` line per series. */
export class ScalarLines extends FamilyLines<CounterSeries | GaugeSeries, Buffer> {
  protected buildPrefixes(labelText: string): Buffer {
    return encode(`${this.def.name}${braced(labelText)} `);
  }

  /** Writes the series rendered `place`-th in its family. */
  write(out: ExpositionBuffer, place: number, series: CounterSeries | GaugeSeries): void {
    out.copy(this.prefixes.at(place, series));
    out.sampleValue(series.value);
    out.char(NEWLINE);
  }
}

interface HistogramPrefixes {
  /** `name_bucket{labels,` (the bucket's `le="…"} ` follows). */
  bucket: Buffer;
  sum: Buffer;
  count: Buffer;
}

/** Histograms: cumulative `_bucket` lines (with exemplars in OpenMetrics), `_sum`, `_count`. */
export class HistogramLines extends FamilyLines<HistogramSeries, HistogramPrefixes> {
  /** `le="0.5"} ` per upper bound, then `le="+Inf"} `. */
  private readonly bounds: Buffer[];

  constructor(def: MetricDefinition, upperBounds: readonly number[]) {
    super(def);
    this.bounds = [...upperBounds.map(formatSampleValue), '+Inf'].map((b) => encode(`le="${b}"} `));
  }

  protected buildPrefixes(labelText: string): HistogramPrefixes {
    const name = this.def.name;
    const labels = braced(labelText);
    return {
      bucket: encode(`${name}_bucket{${labelText === '' ? '' : `${labelText},`}`),
      sum: encode(`${name}_sum${labels} `),
      count: encode(`${name}_count${labels} `),
    };
  }

  /** Writes the series rendered `place`-th in its family. */
  write(out: ExpositionBuffer, place: number, series: HistogramSeries, openMetrics: boolean): void {
    const prefixes = this.prefixes.at(place, series);
    const exemplars = openMetrics ? series.exemplars : undefined;
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += series.counts[i] as number;
      out.copy(prefixes.bucket);
      out.copy(this.bounds[i] as Buffer);
      out.number(cumulative);
      const exemplar = exemplars?.[i];
      if (exemplar) out.text(exemplarText(exemplar));
      out.char(NEWLINE);
    }
    out.copy(prefixes.sum);
    out.sampleValue(series.sum);
    out.char(NEWLINE);
    out.copy(prefixes.count);
    out.number(series.count);
    out.char(NEWLINE);
  }
}

function exemplarText(exemplar: Exemplar): string {
  return ` # {${exemplar.labels}} ${formatSampleValue(exemplar.value)} ${exemplar.timestampSeconds.toFixed(3)}`;
}
